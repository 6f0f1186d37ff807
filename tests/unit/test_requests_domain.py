"""The request procedure without a server: identity first, guards, periods, intake validation."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pydantic import ValidationError

from activities.inventory_file import load_inventory
from domain.requests import model as d
from domain.controls import previous_month, previous_quarter
from domain.requests.case import act, open_request
from domain.requests.machine import REQUEST, RequestState, RequestTrigger
from domain.kernel.model import Actor, Role
from domain.kernel.procedure import Rejection
from tests.unit.cases import DPO, KP
from app.settings import Settings, request_policy

ROOT = Path(__file__).parents[2]
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
T, S = RequestTrigger, RequestState


def _input(**overrides) -> d.RequestInput:
    fields = dict(request_id="dsr-2026-0001", type="access", channel="email", received_at=NOW,
                  requester={"name": "Karen", "email": "karen@example.dk"}, subject_name="Karen",
                  identifiers={"email": "karen@example.dk"}, policy=request_policy(Settings(_env_file=None)),
                  inventory=load_inventory(ROOT / "examples" / "inventory.yaml"))
    fields.update(overrides)
    return d.RequestInput.receive(fields)


def test_every_action_that_touches_data_is_only_reachable_through_verification():
    touching = {T.ASSESS_ERASURE, T.DECIDE_OBJECTION, T.COMPLETE_MANUAL_TASK, T.SYSTEMS_DONE}
    for state in (S.RECEIVED, S.AWAITING_INFORMATION):
        assert not touching & set(REQUEST.offered(state))
    entries = {t["dest"] for t in REQUEST.transitions if t["trigger"] is T.VERIFY_IDENTITY}
    assert entries == {S.ERASURE_ASSESSMENT, S.OBJECTION_ASSESSMENT, S.PROCESSING}
    into_processing = {t["trigger"] for t in REQUEST.transitions if t["dest"] is S.PROCESSING}
    assert into_processing == {T.VERIFY_IDENTITY, T.ASSESS_ERASURE, T.DECIDE_OBJECTION}


def test_verification_plans_every_system_and_the_answer_needs_them_all():
    case, effects = open_request(_input(), NOW)
    assert [m.subject for m in effects] == ["[dsr-2026-0001] Vi har modtaget din anmodning",
                                           "[dsr-2026-0001] Ny anmodning: indsigt (art. 15)"]
    assert "Det koster ikke noget at få svar (art. 12, stk. 5)." in effects[0].body  # free of charge
    effects = act(case, T.VERIFY_IDENTITY, d.VerifyIdentity(actor=KP, method="id_document", details="pas",
                                                           verified_email="karen@example.dk"), NOW)
    assert case.state == "processing" and len(case.systems) == 5
    assert sum(1 for e in effects if getattr(e, "action", None) == "collect") == 4  # four sql systems
    system = Actor(name="engine", role=Role.SYSTEM)
    with pytest.raises(Rejection, match="some systems have not reported yet"):
        act(case, T.SYSTEMS_DONE, d.SystemsDone(actor=system), NOW)
    with pytest.raises(Rejection, match="requires the role system"):
        act(case, T.SYSTEMS_DONE, d.SystemsDone(actor=KP), NOW)


def test_only_the_dpo_approves_an_answer_and_a_refusal_needs_an_unverified_identity():
    case, _ = open_request(_input(), NOW)
    act(case, T.REFUSE, d.Refuse(actor=KP, ground="excessive", reasons="Tredje ens anmodning i år"), NOW)
    with pytest.raises(Rejection, match="requires the role dpo"):
        act(case, T.REVIEW_ANSWER, d.ReviewAnswer(actor=KP, approve=True), NOW)
    act(case, T.REVIEW_ANSWER, d.ReviewAnswer(actor=DPO, approve=True), NOW)
    assert case.state == "closed" and "overdreven, navnlig fordi den gentages" in case.answers[0].text_da

    erasure, _ = open_request(_input(type="erasure"), NOW)
    act(erasure, T.VERIFY_IDENTITY, d.VerifyIdentity(actor=KP, method="id_document", details="pas",
                                                           verified_email="karen@example.dk"), NOW)
    with pytest.raises(Rejection, match="identity is already verified"):
        act(erasure, T.REFUSE, d.Refuse(actor=KP, ground="identity_not_established", reasons="r"), NOW)


def test_a_configured_pause_moves_the_deadline_by_the_time_spent_waiting_for_the_requester():
    paused = request_policy(Settings(_env_file=None, pause_while_awaiting_information=True))
    case, _ = open_request(_input(policy=paused), NOW)
    first = case.deadline
    act(case, T.REQUEST_INFORMATION, d.RequestInformation(actor=KP, needed="legitimation"), NOW)
    act(case, T.RECORD_INFORMATION, d.RecordInformation(actor=KP, answer="modtaget"), NOW + timedelta(days=5))
    assert case.deadline == first + timedelta(days=5)
    running, _ = open_request(_input(), NOW)
    act(running, T.REQUEST_INFORMATION, d.RequestInformation(actor=KP, needed="legitimation"), NOW)
    act(running, T.RECORD_INFORMATION, d.RecordInformation(actor=KP, answer="modtaget"), NOW + timedelta(days=5))
    assert running.deadline == first  # the default: the deadline keeps running


def test_intake_refuses_what_cannot_be_processed():
    with pytest.raises(ValidationError, match="corrections"):
        _input(type="rectification")
    with pytest.raises(ValidationError, match="unknown system 'crm'"):
        _input(type="rectification", corrections=[{"system_id": "crm", "table": "t", "column": "c", "new_value": "v"}])
    with pytest.raises(ValidationError, match="objection_processing"):
        _input(type="objection")
    with pytest.raises(ValidationError, match="under 18"):
        _input(on_behalf="parental_authority", subject_age=18)


@pytest.mark.parametrize("now,month,quarter", [
    ("2026-12-01T05:00:00+00:00", "2026-11", "2026-Q3"),
    ("2027-01-01T05:00:00+00:00", "2026-12", "2026-Q4"),
    ("2026-04-01T04:00:00+00:00", "2026-03", "2026-Q1"),
])
def test_control_periods_are_the_previous_month_and_quarter_in_copenhagen(now: str, month: str, quarter: str):
    moment = datetime.fromisoformat(now)
    assert previous_month(moment).label == month and previous_quarter(moment).label == quarter
    assert previous_month(moment).end.astimezone(timezone.utc) <= moment
