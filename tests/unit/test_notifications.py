"""Drafts are complete by construction; unknowns are explicit; standard advice fits the data."""

from __future__ import annotations

from domain import commands as c
from domain.breach_machine import BreachState as S
from domain.model import NotificationDraft
from domain.notifications import (
    compose_communication, compose_notification, missing_notification_elements, render_notification_da,
)
from tests.support import facts
from tests.unit.cases import KP, case_in


def test_a_draft_takes_what_the_case_knows_and_says_what_is_not_yet_known():
    case = case_in(S.NOTIFICATION_DRAFTING)
    case.facts = facts(approx_subjects=None)
    draft = compose_notification(case, c.SubmitNotificationDraft(actor=KP, likely_consequences="k", measures_proposed="p"))
    assert draft.contact_point.startswith("Dorthe, dpo@skole.dk")
    assert draft.measures_taken == "m" and "CPR-numre" in draft.data_categories
    assert missing_notification_elements(draft) == []
    text = render_notification_da(case, draft, 1)
    assert "Antal berørte registrerede: Endnu ikke kendt – eftersendes" in text
    assert "Antal berørte registreringer: ca. 24" in text


def test_missing_art_33_3_elements_are_named():
    draft = NotificationDraft(nature="n", subject_categories=["s"], data_categories=["d"], contact_point="c",
                              likely_consequences="k", measures_taken="-", measures_proposed="p",
                              subjects_informed="i")
    assert missing_notification_elements(draft) == ["measures_taken", "still_unknown (numbers of persons/records are not known)"]


def test_communication_adds_the_standard_advice_for_cpr_numbers():
    case = case_in(S.COMMUNICATION_DRAFTING)
    draft = compose_communication(case, c.SubmitCommunicationDraft(
        actor=KP, affectedness="not_excluded", description="d", likely_consequences="k", measures_taken="m",
        channel="brev"))
    assert any("CPR-nummer" in a for a in draft.advice)
