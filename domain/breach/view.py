"""What people see of a case: state, who acts next, what they can do, the timeline."""

from __future__ import annotations

from datetime import datetime

from domain.breach.machine import STATE_INFO, BreachState, allowed_triggers
from domain.breach.model import BreachCase, CaseView, Task
from domain.kernel.model import Role
from domain.breach.proposal import propose


ROLE_DA: dict[Role, str] = {
    Role.REPORTER: "anmelder",
    Role.KEY_PERSON: "nøgleperson",
    Role.DPO: "DPO",
    Role.MANAGEMENT: "ledelse",
    Role.SYSTEM_OWNER: "systemejer",
    Role.SYSTEM: "system",
    Role.OPERATOR: "drift",
}


def open_tasks(case: BreachCase) -> list[Task]:
    state = BreachState(case.state)
    info = STATE_INFO[state]
    tasks = [Task(role=info.owner, label_da=info.task_da, label_en=info.task_en)] if info.owner else []
    for s in case.suppliers:
        if s.account is None and state is not BreachState.CLOSED:
            tasks.append(Task(role=Role.KEY_PERSON, label_da=f"Registrér redegørelsen fra {s.name}",
                              label_en=f"Record the account from {s.name}"))
    return tasks


def case_view(case: BreachCase, now: datetime, pending_effects: int = 0) -> CaseView:
    state = BreachState(case.state)
    info = STATE_INFO[state]
    return CaseView(
        case_id=case.case_id,
        state=case.state,
        state_label_da=info.task_da,
        state_label_en=info.task_en,
        org_role=case.report.org_role,
        as_of=now,
        aware_at=case.report.aware_at,
        deadline=case.deadline,
        deadline_met=case.deadline_met(),
        overdue=case.overdue,
        next_actor=info.owner,
        tasks=open_tasks(case),
        allowed_actions=[t.value for t in allowed_triggers(state)],
        timeline=list(case.timeline),
        pending_effects=pending_effects,
        risk_level=case.risk_level,
        proposal=propose(case.facts) if case.facts is not None else None,
    )
