"""Every input is bounded: absurd counts, hours, dates and control characters are refused at the door."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pydantic import ValidationError

from activities.inventory_file import load_inventory
from domain.breach import commands as c
from domain.requests import model as d
from domain.kernel.bounds import beyond_horizon
from domain.breach.machine import BreachState, Trigger, check
from domain.breach.facts import BreachFacts
from domain.breach.model import NoRiskDocumentation
from domain.kernel.procedure import Rejection
from app.settings import Settings, request_policy
from tests.support import facts, report
from tests.unit.cases import KP, NO_RISK_DOC, case_in

ROOT = Path(__file__).parents[2]
# Any fixed moment works: the bounds are a static window (1990-2099) plus "a year after now".
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def _request(**overrides) -> d.RequestInput:
    fields = dict(request_id="dsr-2026-0001", type="access", channel="email", received_at=NOW,
                  requester={"name": "Karen", "email": "karen@example.dk"}, subject_name="Karen",
                  identifiers={"email": "karen@example.dk"}, policy=request_policy(Settings(_env_file=None)),
                  inventory=load_inventory(ROOT / "examples" / "inventory.yaml"))
    fields.update(overrides)
    return d.RequestInput.model_validate(fields)


def test_a_count_of_two_to_the_64_people_is_refused_but_a_billion_is_accepted():
    for field in ("approx_subjects", "approx_records"):
        with pytest.raises(ValidationError, match=field):
            facts(**{field: 2**64})
        with pytest.raises(ValidationError, match=field):
            facts(**{field: -1})
        assert getattr(facts(**{field: 10**9}), field) == 10**9
    with pytest.raises(ValidationError, match="recipients"):
        c.RecordCommunicationSent(actor=KP, recipients=2**64)


def test_unavailability_hours_must_be_finite_and_at_most_ten_years():
    for bad in (float("inf"), float("nan"), 24 * 366 * 10 + 1, -1):
        with pytest.raises(ValidationError, match="unavailability_hours"):
            facts(unavailability_hours=bad)
    for literal in ("Infinity", "NaN", "1e400"):
        raw = facts().model_dump_json()[:-1] + f', "unavailability_hours": {literal}}}'
        with pytest.raises(ValidationError, match="unavailability_hours"):
            BreachFacts.model_validate_json(raw)
    assert facts(unavailability_hours=36.5).unavailability_hours == 36.5


def test_dates_before_1990_or_after_2099_are_refused_everywhere_a_person_types_one():
    with pytest.raises(ValidationError, match="aware_at"):
        report(datetime(1900, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(ValidationError, match="aware_at"):
        report(datetime(9999, 12, 31, 22, tzinfo=timezone.utc))
    with pytest.raises(ValidationError, match="received_at"):
        _request(received_at=datetime(1900, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(ValidationError, match="started_at"):
        facts(started_at=datetime(1989, 12, 31, tzinfo=timezone.utc))
    with pytest.raises(ValidationError, match="submitted_at"):
        c.RecordSubmission(actor=KP, submitted_at=datetime(2100, 1, 1, tzinfo=timezone.utc))
    assert _request(received_at=datetime(1990, 1, 2, tzinfo=timezone.utc)).received_at.year == 1990


def test_facts_that_end_before_they_start_are_refused():
    with pytest.raises(ValidationError, match="ended_at: cannot be before started_at"):
        facts(started_at=NOW, ended_at=NOW - timedelta(minutes=1))
    assert facts(started_at=NOW, ended_at=NOW).ended_at == NOW
    with pytest.raises(ValidationError, match="ended_at: cannot be before started_at"):
        NoRiskDocumentation(**{**NO_RISK_DOC, "ended_at": NO_RISK_DOC["started_at"] - timedelta(1)})


def test_control_characters_are_refused_but_long_texts_keep_their_newlines_and_tabs():
    for bad in ("Elev\x00liste", "Elev\x1bliste", "Elev\x85liste", "Elev\u202eliste"):
        with pytest.raises(ValidationError, match="control character"):
            report(NOW, what_happened=bad)
        with pytest.raises(ValidationError, match="control character"):
            c.InformManagement(actor=KP, crisis_team=[bad])
    with pytest.raises(ValidationError, match="control character"):
        c.InformManagement(actor=KP, crisis_team=["Skoleleder\nBcc: alle@skole.dk"])  # one-line field
    kept = report(NOW, what_happened="Linje 1\nLinje 2\r\n\tindrykket")
    assert kept.what_happened == "Linje 1\nLinje 2\r\n\tindrykket"


def test_identifier_values_and_corrections_are_bounded_one_line_values():
    with pytest.raises(ValidationError, match="identifiers"):
        _request(identifiers={"email": "karen@example.dk\x00"})
    with pytest.raises(ValidationError, match="identifiers"):
        _request(identifiers={"email": ""})
    with pytest.raises(ValidationError, match="identifiers"):
        _request(identifiers={f"id{i}": "x" for i in range(21)})
    with pytest.raises(ValidationError, match="new_value"):
        d.Correction(system_id="elevadm", table="elever", column="adresse", new_value="Vej 1\nBcc: x")
    with pytest.raises(ValidationError, match="new_value"):
        d.Correction(system_id="elevadm", table="elever", column="adresse", new_value="x" * 2001)


def test_lists_a_person_fills_in_are_bounded():
    with pytest.raises(ValidationError, match="crisis_team"):
        c.InformManagement(actor=KP, crisis_team=["x"] * 201)
    with pytest.raises(ValidationError, match="subject_categories"):
        facts(subject_categories=["elever"] * 201)


def test_the_procedure_refuses_a_date_more_than_a_year_after_its_clock():
    fact_case = case_in(BreachState.FACT_FINDING)
    far = facts(started_at=NOW + timedelta(days=400), ended_at=NOW + timedelta(days=401))
    with pytest.raises(Rejection, match="facts.started_at, facts.ended_at: cannot be more than a year"):
        check(fact_case, Trigger.RECORD_FACTS, c.RecordFacts(actor=KP, facts=far), NOW)
    near = facts(started_at=NOW - timedelta(days=2), ended_at=NOW + timedelta(days=300))
    check(fact_case, Trigger.RECORD_FACTS, c.RecordFacts(actor=KP, facts=near), NOW)


def test_the_horizon_walks_nested_models_lists_and_dicts():
    assert beyond_horizon({"a": [NOW, NOW + timedelta(days=367)]}, NOW) == ["a.1"]
    assert beyond_horizon(NOW + timedelta(days=365), NOW) == []
    submission = c.RecordSubmission(actor=KP, submitted_at=NOW + timedelta(days=500))
    assert beyond_horizon(submission, NOW) == ["submitted_at"]
