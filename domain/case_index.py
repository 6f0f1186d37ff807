"""The case index: one small row per case (breach or request) that the workspace's lists read.

The row is a projection of the register entry the workflow writes at every step, so it is kept
current by the same activity, in the same transaction. It holds no personal data: ids, states,
roles, dates and the Danish task text of the state, nothing a person wrote.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.breach.machine import STATE_INFO as BREACH_STATE_INFO, BreachState
from domain.requests.machine import STATE_INFO as REQUEST_STATE_INFO, RequestState
from domain.requests.register import RequestRegisterEntry
from domain.breach.model import RiskLevel
from domain.kernel.model import Strict
from domain.kernel.procedure import StateInfo
from domain.breach.register import RegisterEntry


class CaseKind(str, enum.Enum):
    BREACH = "breach"
    REQUEST = "request"


# A "no" waits for the DPO's co-decision in these states; until then the 72-hour duty is not discharged.
_NO_PROPOSED = {BreachState.NOT_BREACH_PROPOSED.value, BreachState.NO_RISK_PROPOSED.value}


class CaseIndexRow(Strict):
    case_id: str
    kind: CaseKind
    organisation: str
    state: str
    next_role: str | None  # the domain Role value that acts next; None when nobody needs to act
    task_da: str
    deadline: datetime
    deadline_met: bool  # the duty the deadline guards is discharged (notified, a co-decided "no", answered)
    closed: bool
    opened_at: datetime
    updated_at: datetime
    request_type: str | None = None
    last_seq: int  # the timeline step this row shows; an earlier step never overwrites it


def _owner_and_task(info: Mapping[Any, StateInfo], state_type: type[enum.Enum], state: str) -> tuple[str | None, str]:
    """Who acts next and the task; an unknown state (a newer code version) gives nobody and no task
    rather than failing the register write."""
    try:
        entry = info[state_type(state)]
    except (ValueError, KeyError):
        return None, ""
    return (entry.owner.value if entry.owner is not None else None), entry.task_da


def current_task_da(row: CaseIndexRow) -> str:
    """The row's task in this version's words. A row keeps the text it was written with until its case takes
    another step, so the list reads the task from the state and falls back to the stored text only for a state
    this version does not know."""
    if row.kind is CaseKind.BREACH:
        _, task = _owner_and_task(BREACH_STATE_INFO, BreachState, row.state)
    else:
        _, task = _owner_and_task(REQUEST_STATE_INFO, RequestState, row.state)
    return task or row.task_da


def breach_deadline_met(entry: RegisterEntry) -> bool:
    """The register entry's view of BreachCase.deadline_met(): notified (Datatilsynet, or the controller
    when we are processor), or a "no" (not a breach, no risk) that is no longer waiting for the DPO."""
    if entry.f8_authority_notified_at is not None or entry.controller_notified_at is not None:
        return True
    decided_no = entry.is_breach is False or entry.risk_level == RiskLevel.NO_RISK.value
    return decided_no and entry.state not in _NO_PROPOSED


def breach_index_row(entry: RegisterEntry, *, organisation: str, seq: int) -> CaseIndexRow:
    next_role, task_da = _owner_and_task(BREACH_STATE_INFO, BreachState, entry.state)
    closed = entry.closed_at is not None or entry.state == BreachState.CLOSED.value
    return CaseIndexRow(
        case_id=entry.case_id, kind=CaseKind.BREACH, organisation=organisation, state=entry.state,
        next_role=None if closed else next_role, task_da=task_da, deadline=entry.deadline,
        deadline_met=breach_deadline_met(entry), closed=closed,
        opened_at=entry.aware_at,  # the 72 hours run from awareness; the case opens then or just after
        updated_at=entry.updated_at, last_seq=seq,
    )


def request_index_row(entry: RequestRegisterEntry, *, organisation: str, seq: int) -> CaseIndexRow:
    next_role, task_da = _owner_and_task(REQUEST_STATE_INFO, RequestState, entry.state)
    closed = entry.closed_at is not None or entry.state == RequestState.CLOSED.value
    return CaseIndexRow(
        case_id=entry.request_id, kind=CaseKind.REQUEST, organisation=organisation, state=entry.state,
        next_role=None if closed else next_role, task_da=task_da, deadline=entry.deadline,
        deadline_met=entry.answered_at is not None, closed=closed, opened_at=entry.received_at,
        updated_at=entry.updated_at, request_type=entry.type, last_seq=seq,
    )


def index_row(entry: RegisterEntry | RequestRegisterEntry, *, organisation: str, seq: int) -> CaseIndexRow:
    if isinstance(entry, RequestRegisterEntry):
        return request_index_row(entry, organisation=organisation, seq=seq)
    return breach_index_row(entry, organisation=organisation, seq=seq)
