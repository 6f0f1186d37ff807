"""Field-level validation: bad input is refused with the field named, nothing is rewritten."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from domain.breach import commands as c
from domain.breach.facts import BreachFacts
from domain.breach.model import NoRiskDocumentation
from tests.support import facts, report
from tests.unit.cases import KP

AWARE = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def _fields(err: pytest.ExceptionInfo[ValidationError]) -> str:
    return str(err.value)


def test_report_requires_the_controller_when_the_organisation_is_processor():
    with pytest.raises(ValidationError, match="controller: required when the organisation is processor"):
        report(AWARE, org_role="processor")


def test_report_refuses_unknown_fields_empty_text_bad_email_and_naive_times():
    with pytest.raises(ValidationError) as err:
        report(AWARE, colour="red", what_happened="  ", reporter={"name": "R", "email": "not-an-email"})
    for field in ("colour", "what_happened", "reporter.email"):
        assert field in _fields(err)
    with pytest.raises(ValidationError, match="aware_at"):
        report(datetime(2026, 11, 20, 9, 0))


def test_report_refuses_a_breach_that_occurred_after_awareness():
    with pytest.raises(ValidationError, match="occurred_at: cannot be after aware_at"):
        report(AWARE, occurred_at=AWARE + timedelta(hours=1))


def test_contain_names_the_stopped_system():
    with pytest.raises(ValidationError, match="stopped_systems"):
        c.Contain(actor=KP, measures="m", system_stopped=True)


def test_no_risk_needs_the_seed_003_documentation_and_recipient_details_when_data_reached_someone():
    with pytest.raises(ValidationError, match="seed 003 §2"):
        c.AssessNotification(actor=KP, level="no_risk", reasons="r")
    with pytest.raises(ValidationError, match="unauthorised_recipients, recipients_cannot_or_will_not_use"):
        NoRiskDocumentation(started_at=AWARE, ended_at=AWARE, scope="s", cause="c", reached_unauthorised=True)
    with pytest.raises(ValidationError, match="ended_at: cannot be before started_at"):
        NoRiskDocumentation(started_at=AWARE, ended_at=AWARE - timedelta(1), scope="s", cause="c",
                            reached_unauthorised=False)


def test_every_no_carries_a_reason():
    with pytest.raises(ValidationError, match="reason"):
        c.DecideCommunication(actor=KP, communicate=False)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="reason"):
        c.AssessBreach(actor=KP, is_breach=False, reason="")
    with pytest.raises(ValidationError, match="comments: a rejection must say what to change"):
        c.ReviewDraft(actor=KP, approve=False)


def test_art_34_3_exception_only_when_not_communicating():
    with pytest.raises(ValidationError, match="exception"):
        c.DecideCommunication(actor=KP, communicate=True, reason="r", exception="unintelligible")


def test_facts_refuse_unknown_keys_and_keep_unknown_values_as_none():
    with pytest.raises(ValidationError, match="encrpyted"):
        facts(encrpyted=True)
    known = BreachFacts(breach_types=["availability"], data_categories=["contact"], subject_categories=["ansatte"])
    assert known.encrypted is None and known.approx_subjects is None


def test_supplier_names_are_unique_in_one_request():
    with pytest.raises(ValidationError, match="unique"):
        c.RequestSupplierAccounts(actor=KP, suppliers=[{"name": "A", "email": "a@a.dk"}, {"name": "A", "email": "b@a.dk"}])
