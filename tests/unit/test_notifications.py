"""Drafts are complete by construction; unknowns are explicit; templates render in Danish and English."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import UndefinedError

from activities.drafts import DraftActivities
from domain.breach import commands as c
from domain.breach.machine import BreachState as S
from domain.breach.machine import Trigger as T
from domain.breach.case import act
from domain.breach.model import NotificationDraft
from domain.breach.notifications import compose_communication, compose_notification, missing_notification_elements
from tests.support import facts
from tests.unit.cases import KP, NOW, case_in, commands, new_case


def test_a_draft_takes_what_the_case_knows_and_says_what_is_not_yet_known():
    case = case_in(S.NOTIFICATION_DRAFTING)
    case.facts = facts(approx_subjects=None)
    act(case, T.SUBMIT_NOTIFICATION_DRAFT, c.SubmitNotificationDraft(
        actor=KP, likely_consequences="Identitetsmisbrug", measures_proposed="Undervisning"), NOW)
    draft = case.drafts[-1].notification
    assert draft is not None and draft.contact_point.startswith("Dorthe, dpo@skole.dk")
    assert draft.measures_taken == "m" and "CPR-numre" in draft.data_categories
    assert missing_notification_elements(draft) == []
    text_da = DraftActivities().render(case, len(case.drafts) - 1, "da")
    text_en = DraftActivities().render(case, len(case.drafts) - 1, "en")
    assert "Antal berørte personer: endnu ikke kendt – eftersendes" in text_da
    assert "Antal berørte registreringer: ca. 24" in text_da
    assert "Sikkerhedsforanstaltninger før bruddet: Ingen kryptering af vedhæftning" in text_da
    assert "Approximate number of persons: not yet known – will follow" in text_en
    assert "Eksempel Skole" in text_da and "Identitetsmisbrug" in text_da


def test_a_draft_on_facts_without_categories_uses_what_the_reporter_said_marked_preliminary():
    case = case_in(S.NOTIFICATION_DRAFTING)
    case.facts = facts(data_categories=[], subject_categories=[])
    act(case, T.SUBMIT_NOTIFICATION_DRAFT, c.SubmitNotificationDraft(
        actor=KP, likely_consequences="Identitetsmisbrug", measures_proposed="Undervisning"), NOW)
    draft = case.drafts[-1].notification
    assert draft is not None and missing_notification_elements(draft) == []
    assert draft.data_categories[0].startswith(case.report.affected_data) and "foreløbigt" in draft.data_categories[0]
    assert draft.subject_categories[0].startswith(case.report.affected_people)
    assert "eftersendes" in draft.subject_categories[0]


def test_a_late_draft_carries_the_reasons_for_delay():
    case = case_in(S.NOTIFICATION_DRAFTING)
    cmd = commands(T.SUBMIT_NOTIFICATION_DRAFT)[""].model_copy(update={"delay_reasons": "Weekend"})
    act(case, T.SUBMIT_NOTIFICATION_DRAFT, cmd, NOW)
    assert ("Begrundelse for, at anmeldelsen sker senere end 72 timer efter, at vi blev bekendt med bruddet "
            "(art. 33, stk. 1): Weekend") in DraftActivities().render(case, 0, "da")


def test_missing_art_33_3_elements_are_named():
    draft = NotificationDraft(nature="n", subject_categories=["s"], data_categories=["d"], contact_point="c",
                              likely_consequences="k", measures_taken="-", measures_proposed="p",
                              subjects_informed="i")
    assert missing_notification_elements(draft) == ["measures_taken", "still_unknown (numbers of persons/records are not known)"]


def test_communication_adds_the_standard_advice_and_states_how_certainly_the_person_is_affected():
    case = case_in(S.COMMUNICATION_DRAFTING)
    cmd = c.SubmitCommunicationDraft(actor=KP, affectedness="not_excluded", description="d", likely_consequences="k",
                                     measures_taken="m", channel="brev")
    assert any("CPR-nummer" in a for a in compose_communication(case, cmd).advice)
    act(case, T.SUBMIT_COMMUNICATION_DRAFT, cmd, NOW)
    index = len(case.drafts) - 1
    da, en = DraftActivities().render(case, index, "da"), DraftActivities().render(case, index, "en")
    assert "Kære forælder/værge" in da and "ikke med sikkerhed udelukke, at dit barn er berørt" in da
    assert "dit barns CPR-nummer" in da and "Your child's CPR number has become known" in en
    assert "cannot rule out with certainty that your child" in en


def test_the_processor_template_addresses_the_controller():
    case = new_case(org_role="processor", controller={"name": "Kommunen", "email": "k@kommune.dk"})
    for trigger, variant in [(T.ASSESS_BREACH, "yes"), (T.CONTAIN, ""), (T.INFORM_MANAGEMENT, ""), (T.RECORD_FACTS, ""),
                             (T.ASSESS_NOTIFICATION, "risk"), (T.SUBMIT_NOTIFICATION_DRAFT, "")]:
        act(case, trigger, commands(trigger)[variant], NOW)
    text = DraftActivities().render(case, 0, "da")
    assert "underretning af den dataansvarlige (Kommunen)" in text and "databehandler" in text


def test_an_organisation_can_override_a_template_and_a_wrong_field_fails_loudly(tmp_path: Path):
    case = case_in(S.NOTIFICATION_REVIEW)
    (tmp_path / "authority_notification.da.j2").write_text("{{ organisation }}: {{ d.nature }}\n")
    assert DraftActivities(tmp_path).render(case, 0, "da").startswith("Eksempel Skole: ")
    assert "Draft 1" in DraftActivities(tmp_path).render(case, 0, "en")  # not overridden: the default
    (tmp_path / "authority_notification.da.j2").write_text("{{ d.no_such_field }}\n")
    with pytest.raises(UndefinedError):
        DraftActivities(tmp_path).render(case, 0, "da")


def test_compose_uses_the_facts_for_unknown_numbers():
    case = case_in(S.NOTIFICATION_DRAFTING)
    case.facts = facts(approx_records=None)
    draft = compose_notification(case, commands(T.SUBMIT_NOTIFICATION_DRAFT)[""])
    assert "approx_records" in draft.unknown_fields and draft.approx_records is None
    assert missing_notification_elements(draft) == []
