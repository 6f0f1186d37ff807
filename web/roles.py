"""The roles a login can hold, and what each means in the procedure (the domain's `Role`)."""

from __future__ import annotations

import enum

from domain.kernel.model import Role


class WebRole(str, enum.Enum):
    EMPLOYEE = "employee"  # may report a breach (seed 003: any employee who discovers one)
    KEY_PERSON = "key_person"
    DPO = "dpo"
    MANAGEMENT = "management"
    SYSTEM_OWNER = "system_owner"
    OPERATOR = "operator"  # dead letters, schedules, the Temporal UI; never acts in a case


WEB_ROLE_DA = {
    WebRole.EMPLOYEE: "medarbejder", WebRole.KEY_PERSON: "nøgleperson", WebRole.DPO: "databeskyttelsesrådgiver",
    WebRole.MANAGEMENT: "ledelse", WebRole.SYSTEM_OWNER: "systemejer", WebRole.OPERATOR: "driftsansvarlig",
}

# The role an action is recorded with in the case; employees report (as reporter), operators do not act.
CASE_ROLE: dict[WebRole, Role] = {
    WebRole.KEY_PERSON: Role.KEY_PERSON, WebRole.DPO: Role.DPO, WebRole.MANAGEMENT: Role.MANAGEMENT,
    WebRole.SYSTEM_OWNER: Role.SYSTEM_OWNER,
}

# Who may read the registers (breaches and requests), their CSV files and the printable case reports.
REGISTER_ROLES = frozenset({WebRole.KEY_PERSON, WebRole.DPO, WebRole.MANAGEMENT})
