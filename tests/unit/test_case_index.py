"""The case index row is a pure projection of a register entry (no server, no database)."""

from __future__ import annotations

import pytest

from domain.breach.machine import STATE_INFO as BREACH_INFO, BreachState
from domain.case_index import CaseIndexRow, CaseKind, current_task_da, index_row
from domain.requests.machine import STATE_INFO as REQUEST_INFO, RequestState
from domain.breach.register import build_register_entry
from tests.unit.cases import NOW, S, case_in, new_case, request_entry

PERSONAL = ("Mille", "Dorthe", "@", "skole.dk")


def test_a_new_breach_case_is_the_key_persons_with_its_72_hour_deadline_and_no_personal_data():
    case = new_case()
    row = index_row(build_register_entry(case, NOW), organisation="Eksempel Skole", seq=1)
    assert row.kind is CaseKind.BREACH and row.case_id == case.case_id and row.state == "reported"
    assert row.next_role == "key_person" and row.task_da == BREACH_INFO[BreachState.REPORTED].task_da
    assert row.deadline == case.deadline and not row.deadline_met and not row.closed
    assert row.opened_at == case.report.aware_at and row.updated_at == NOW and row.request_type is None
    text = row.model_dump_json()
    assert not any(p in text for p in PERSONAL)


@pytest.mark.parametrize("state", list(BreachState))
def test_every_breach_state_names_who_acts_next_and_the_task(state: BreachState):
    entry = build_register_entry(new_case(), NOW).model_copy(update={"state": state.value})
    row = index_row(entry, organisation="X", seq=3)
    owner = BREACH_INFO[state].owner
    assert row.next_role == (owner.value if owner else None) and row.task_da == BREACH_INFO[state].task_da
    assert row.closed is (state is BreachState.CLOSED)


@pytest.mark.parametrize("state", list(RequestState))
def test_every_request_state_names_who_acts_next_and_the_task(state: RequestState):
    row = index_row(request_entry(state.value), organisation="X", seq=2)
    owner = REQUEST_INFO[state].owner
    assert row.kind is CaseKind.REQUEST and row.request_type == "erasure" and row.case_id == "dsr-2026-0001"
    assert row.next_role == (owner.value if owner else None) and row.task_da == REQUEST_INFO[state].task_da


def test_the_breach_deadline_is_met_by_a_notification_or_a_co_decided_no_but_not_by_a_proposal():
    def met(case) -> bool:
        return index_row(build_register_entry(case, NOW), organisation="X", seq=1).deadline_met

    assert not met(case_in(S.FACT_FINDING))
    assert not met(case_in(S.NOT_BREACH_PROPOSED)) and not met(case_in(S.NO_RISK_PROPOSED))
    for state in (S.NOTIFICATION_APPROVED, S.SUBJECT_DECISION, S.CLOSED):
        case = case_in(state)
        assert met(case) is case.deadline_met(), state


def test_a_closed_case_has_nobody_acting_next():
    case = case_in(S.CLOSED)
    row = index_row(build_register_entry(case, NOW), organisation="X", seq=9)
    assert row.closed and row.next_role is None and row.state == "closed"


def test_a_request_deadline_is_met_once_answered_and_a_closed_request_is_closed():
    assert not index_row(request_entry(), organisation="X", seq=1).deadline_met
    answered = index_row(request_entry("answer_review", answered_at=NOW), organisation="X", seq=5)
    assert answered.deadline_met and not answered.closed and answered.next_role == "dpo"
    closed = index_row(request_entry("closed", answered_at=NOW, closed_at=NOW), organisation="X", seq=6)
    assert closed.closed and closed.next_role is None


def test_an_unknown_state_gives_nobody_and_no_task_instead_of_failing_the_register_write():
    row = index_row(request_entry("some_future_state"), organisation="X", seq=1)
    assert row.next_role is None and row.task_da == "" and isinstance(row, CaseIndexRow)


def test_the_list_shows_the_task_in_this_versions_words_not_the_text_a_row_was_written_with():
    row = index_row(request_entry(), organisation="Eksempel Skole", seq=1).model_copy(
        update={"task_da": "Verificér identiteten (seed 001 §3.5)"})  # written by an earlier version
    assert current_task_da(row) == REQUEST_INFO[RequestState.RECEIVED].task_da == "Verificér identiteten"
    newer = row.model_copy(update={"state": "a_state_from_a_newer_version", "task_da": "Gør noget nyt"})
    assert current_task_da(newer) == "Gør noget nyt"
