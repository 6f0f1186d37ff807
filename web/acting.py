"""Which of a login's roles an action is recorded with, decided by the server from the procedure's table."""

from __future__ import annotations

import enum
from typing import Any

from temporalio.client import Client, WorkflowUpdateFailedError

from domain.breach.machine import BREACH
from domain.requests.machine import REQUEST
from domain.kernel.model import Actor, Role
from domain.kernel.procedure import Procedure
from web.accounts import Account
from web.roles import CASE_ROLE

# When a login holds several roles that may act, the narrower one is recorded (a DPO who is also
# nøgleperson approves as DPO, drafts as nøgleperson: the table's default roles come first).
PREFERENCE = [Role.KEY_PERSON, Role.DPO, Role.SYSTEM_OWNER, Role.MANAGEMENT]


def case_roles(user: Account) -> list[Role]:
    return [CASE_ROLE[role] for role in user.roles if role in CASE_ROLE]


def allowed_roles(procedure: Procedure, trigger: enum.Enum) -> frozenset[Role]:
    return procedure.roles.get(trigger, procedure.default_roles)


def actor_for(user: Account, procedure: Procedure, trigger: enum.Enum) -> Actor | None:
    """The actor for this action, or None: the login holds no role that may take it."""
    allowed = allowed_roles(procedure, trigger)
    held = set(case_roles(user)) & allowed
    for role in PREFERENCE:
        if role in held:
            return Actor(name=user.name, role=role, login=user.email)
    return None


PROCEDURES = {"brud": BREACH, "anmodning": REQUEST}


async def run_action(client: Client, workflow_id: str, trigger: enum.Enum, command: Any) -> str | None:
    """Send an action to its case: the workflow's validator decides. Its refusal comes back as the reason to
    show (in Danish when the refusal carries it), else None. Breach and request pages both come here."""
    from web.app import refusal_text

    try:
        await client.get_workflow_handle(workflow_id).execute_update(trigger.value, command)
    except WorkflowUpdateFailedError as err:
        return refusal_text(err)
    return None
