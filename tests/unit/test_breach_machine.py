"""The transition table: every allowed and every forbidden (state, action) pair, and the guards."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from domain.breach import commands as c
from domain.breach.machine import BreachState as S
from domain.breach.machine import Rejection, check, mermaid
from domain.breach.machine import Trigger as T
from domain.breach.case import act
from domain.kernel.model import Actor, Role
from tests.unit.cases import DPO, KP, NOW, case_in, commands, new_case

AFTER_NOTIFICATION = [S.SUBJECT_DECISION, S.COMMUNICATION_DRAFTING, S.COMMUNICATION_REVIEW,
                      S.COMMUNICATION_APPROVED, S.DOCUMENTATION, S.LESSONS_LEARNED]
AFTER_SUPPLIERS = [S.AWAITING_SUPPLIERS, S.NOTIFICATION_DRAFTING, S.NOTIFICATION_REVIEW,
                   S.NOTIFICATION_APPROVED, *AFTER_NOTIFICATION]

COMMUNICATION_PENDING = [S.SUBJECT_DECISION, S.COMMUNICATION_DRAFTING, S.COMMUNICATION_REVIEW,
                         S.COMMUNICATION_APPROVED]
PLANNABLE = [S.FACT_FINDING, S.AWAITING_SUPPLIERS, S.NOTIFICATION_DRAFTING, S.NOTIFICATION_REVIEW,
             S.NOTIFICATION_APPROVED, *COMMUNICATION_PENDING, S.COMMUNICATION_POSTPONED]

# The specification, written out by hand: (state, action, variant) -> next state.
ALLOWED: dict[tuple[S, T, str], S] = {
    (S.REPORTED, T.ASSESS_BREACH, "yes"): S.CONTAINMENT,
    (S.REPORTED, T.ASSESS_BREACH, "no"): S.NOT_BREACH_PROPOSED,
    (S.NOT_BREACH_PROPOSED, T.CO_DECIDE, "agree"): S.CLOSED,
    (S.NOT_BREACH_PROPOSED, T.CO_DECIDE, "disagree"): S.REPORTED,
    (S.NO_RISK_PROPOSED, T.CO_DECIDE, "agree"): S.SUBJECT_DECISION,
    (S.NO_RISK_PROPOSED, T.CO_DECIDE, "disagree"): S.FACT_FINDING,
    (S.CONTAINMENT, T.CONTAIN, ""): S.INFORMING,
    (S.INFORMING, T.INFORM_MANAGEMENT, ""): S.FACT_FINDING,
    (S.FACT_FINDING, T.RECORD_FACTS, ""): S.FACT_FINDING,
    (S.AWAITING_SUPPLIERS, T.RECORD_FACTS, ""): S.AWAITING_SUPPLIERS,
    (S.FACT_FINDING, T.REQUEST_SUPPLIER_ACCOUNTS, ""): S.AWAITING_SUPPLIERS,
    (S.AWAITING_SUPPLIERS, T.REQUEST_SUPPLIER_ACCOUNTS, ""): S.AWAITING_SUPPLIERS,
    **{(s, T.ASSESS_NOTIFICATION, "no_risk"): S.NO_RISK_PROPOSED for s in (S.FACT_FINDING, S.AWAITING_SUPPLIERS)},
    **{(s, T.ASSESS_NOTIFICATION, v): S.NOTIFICATION_DRAFTING
       for s in (S.FACT_FINDING, S.AWAITING_SUPPLIERS) for v in ("risk", "high_risk")},
    (S.NOTIFICATION_DRAFTING, T.SUBMIT_NOTIFICATION_DRAFT, ""): S.NOTIFICATION_REVIEW,
    (S.NOTIFICATION_REVIEW, T.REVIEW_DRAFT, "approve"): S.NOTIFICATION_APPROVED,
    (S.NOTIFICATION_REVIEW, T.REVIEW_DRAFT, "reject"): S.NOTIFICATION_DRAFTING,
    (S.NOTIFICATION_APPROVED, T.RECORD_SUBMISSION, ""): S.SUBJECT_DECISION,
    (S.SUBJECT_DECISION, T.DECIDE_COMMUNICATION, "yes"): S.COMMUNICATION_DRAFTING,
    (S.SUBJECT_DECISION, T.DECIDE_COMMUNICATION, "no"): S.DOCUMENTATION,
    (S.COMMUNICATION_DRAFTING, T.SUBMIT_COMMUNICATION_DRAFT, ""): S.COMMUNICATION_REVIEW,
    (S.COMMUNICATION_REVIEW, T.REVIEW_DRAFT, "approve"): S.COMMUNICATION_APPROVED,
    (S.COMMUNICATION_REVIEW, T.REVIEW_DRAFT, "reject"): S.COMMUNICATION_DRAFTING,
    (S.COMMUNICATION_APPROVED, T.RECORD_COMMUNICATION_SENT, ""): S.DOCUMENTATION,
    **{(s, T.RECORD_SUPPLIER_ACCOUNT, ""): s for s in AFTER_SUPPLIERS},
    **{(s, T.ADD_FOLLOW_UP, ""): s for s in [*AFTER_NOTIFICATION, S.COMMUNICATION_POSTPONED, S.CLOSED]},
    **{(s, T.POSTPONE_COMMUNICATION, ""): S.COMMUNICATION_POSTPONED for s in COMMUNICATION_PENDING},
    (S.COMMUNICATION_POSTPONED, T.REVIEW_POSTPONEMENT, "resume"): S.SUBJECT_DECISION,
    (S.COMMUNICATION_POSTPONED, T.REVIEW_POSTPONEMENT, "keep"): S.COMMUNICATION_POSTPONED,
    **{(s, T.PLAN_COMMUNICATION, ""): s for s in PLANNABLE},
    (S.CLOSED, T.REOPEN, ""): S.FACT_FINDING,
    (S.DOCUMENTATION, T.DOCUMENT, ""): S.LESSONS_LEARNED,
    (S.LESSONS_LEARNED, T.CLOSE, ""): S.CLOSED,
}

EVERY_PAIR = [(s, t, v) for s in S for t in T for v in commands(t)]


@pytest.mark.parametrize("state,trigger,variant", EVERY_PAIR, ids=lambda x: getattr(x, "value", x))
def test_every_state_and_action_is_allowed_or_refused_exactly_as_specified(state: S, trigger: T, variant: str):
    case = case_in(state)
    cmd = commands(trigger)[variant]
    expected = ALLOWED.get((state, trigger, variant))
    if expected is None:
        with pytest.raises(Rejection):
            check(case, trigger, cmd, NOW)
        return
    act(case, trigger, cmd, NOW)
    assert case.state == expected.value
    assert case.timeline[-1].action == trigger.value and case.timeline[-1].actor == cmd.actor


@pytest.mark.parametrize("trigger", list(T))
def test_a_reporter_or_management_can_never_advance_a_case(trigger: T):
    for role in (Role.REPORTER, Role.MANAGEMENT):
        cmd = next(iter(commands(trigger, Actor(name="X", role=role)).values()))
        with pytest.raises(Rejection, match="requires the role"):
            check(case_in(S.REPORTED), trigger, cmd, NOW)


def test_only_the_dpo_approves_and_submits():
    with pytest.raises(Rejection, match="requires the role dpo"):
        check(case_in(S.NOTIFICATION_REVIEW), T.REVIEW_DRAFT, c.ReviewDraft(actor=KP, approve=True), NOW)
    with pytest.raises(Rejection, match="requires the role dpo"):
        check(case_in(S.NOTIFICATION_APPROVED), T.RECORD_SUBMISSION, c.RecordSubmission(actor=KP), NOW)


def test_assessment_requires_recorded_facts():
    case = case_in(S.INFORMING)
    act(case, T.INFORM_MANAGEMENT, commands(T.INFORM_MANAGEMENT)[""], NOW)
    with pytest.raises(Rejection, match="record the facts"):
        check(case, T.ASSESS_NOTIFICATION, commands(T.ASSESS_NOTIFICATION)["risk"], NOW)


def test_late_notification_requires_reasons_for_delay_both_as_draft_and_as_submission():
    case = case_in(S.NOTIFICATION_DRAFTING)
    late = NOW + timedelta(hours=71)
    with pytest.raises(Rejection, match="reasons for the delay"):
        check(case, T.SUBMIT_NOTIFICATION_DRAFT, commands(T.SUBMIT_NOTIFICATION_DRAFT)[""], late)
    case = case_in(S.NOTIFICATION_APPROVED)
    with pytest.raises(Rejection, match="reasons for the delay"):
        check(case, T.RECORD_SUBMISSION, c.RecordSubmission(actor=DPO), late)
    act(case, T.RECORD_SUBMISSION, c.RecordSubmission(actor=DPO, delay_reasons="Ferie"), late)
    assert case.notification_delay_reasons == "Ferie" and case.authority_notified_at == late


def test_communication_without_notification_needs_an_override_by_the_dpo_not_the_key_person():
    case = case_in(S.NO_RISK_PROPOSED)
    act(case, T.CO_DECIDE, commands(T.CO_DECIDE)["agree"], NOW)
    by_key_person = c.DecideCommunication(actor=KP, communicate=True, reason="r", override_reason="o")
    with pytest.raises(Rejection, match="seed 003 activity 8"):
        check(case, T.DECIDE_COMMUNICATION, by_key_person, NOW)
    by_dpo = c.DecideCommunication(actor=DPO, communicate=True, reason="r", override_reason="o")
    assert check(case, T.DECIDE_COMMUNICATION, by_dpo, NOW) is S.COMMUNICATION_DRAFTING


def test_a_processor_may_not_decide_no_risk_nor_communicate_to_subjects():
    case = new_case(org_role="processor", controller={"name": "Kommunen", "email": "k@kommune.dk"})
    for trigger, variant in [(T.ASSESS_BREACH, "yes"), (T.CONTAIN, ""), (T.INFORM_MANAGEMENT, ""), (T.RECORD_FACTS, "")]:
        act(case, trigger, commands(trigger)[variant], NOW)
    with pytest.raises(Rejection, match="processor"):
        check(case, T.ASSESS_NOTIFICATION, commands(T.ASSESS_NOTIFICATION)["no_risk"], NOW)


def test_follow_up_to_subjects_only_after_they_were_told():
    case = case_in(S.SUBJECT_DECISION)
    with pytest.raises(Rejection, match="has not received a first notification"):
        check(case, T.ADD_FOLLOW_UP, c.AddFollowUp(actor=KP, recipient="subjects", new_facts="x"), NOW)


def test_a_supplier_account_needs_an_outstanding_request():
    case = case_in(S.AWAITING_SUPPLIERS)
    unknown = c.RecordSupplierAccount(actor=KP, supplier="Ukendt", account=commands(T.RECORD_SUPPLIER_ACCOUNT)[""].account)
    with pytest.raises(Rejection, match="no outstanding request"):
        check(case, T.RECORD_SUPPLIER_ACCOUNT, unknown, NOW)


def test_a_refused_action_changes_nothing():
    case = case_in(S.NOTIFICATION_REVIEW)
    before = case.model_dump()
    with pytest.raises(Rejection):
        act(case, T.REVIEW_DRAFT, c.ReviewDraft(actor=KP, approve=True), NOW)
    assert case.model_dump() == before


def test_the_documented_diagram_is_generated_from_the_table():
    doc = (Path(__file__).parents[2] / "docs" / "breach-states.md").read_text()
    assert mermaid() in doc, "docs/breach-states.md is stale: run `make docs`"


def test_a_no_proposed_by_the_key_person_counts_only_once_the_dpo_co_decides():
    case = case_in(S.NO_RISK_PROPOSED)
    assert not case.deadline_met()  # the 72 hours still run: a proposal alone discharges nothing
    with pytest.raises(Rejection, match="requires the role dpo"):
        check(case, T.CO_DECIDE, c.CoDecide(actor=KP, approve=True), NOW)
    act(case, T.CO_DECIDE, commands(T.CO_DECIDE)["agree"], NOW)
    assert case.deadline_met() and case.no_proposed_by == KP and case.no_co_decided_by == DPO
    assert "besluttet af" in case.timeline[-1].summary and KP.name in case.timeline[-1].summary


def test_the_dpo_cannot_co_decide_a_no_they_proposed_themselves():
    case = new_case()
    act(case, T.ASSESS_BREACH, c.AssessBreach(actor=DPO, is_breach=False, reason="Offentlige oplysninger"), NOW)
    with pytest.raises(Rejection, match="decided by two people"):
        check(case, T.CO_DECIDE, c.CoDecide(actor=DPO, approve=True), NOW)
    other_dpo = Actor(name="Anden DPO", role=Role.DPO)
    assert check(case, T.CO_DECIDE, c.CoDecide(actor=other_dpo, approve=True), NOW) is S.CLOSED


def test_a_dpo_who_disagrees_sends_the_case_back_and_the_no_is_forgotten():
    case = case_in(S.NOT_BREACH_PROPOSED)
    act(case, T.CO_DECIDE, commands(T.CO_DECIDE)["disagree"], NOW)
    assert case.state == S.REPORTED.value and case.is_breach is None and case.no_proposed_by is None
    assert not case.deadline_met()


def test_a_high_risk_case_is_not_closed_without_telling_the_subjects_or_a_documented_art34_ground():
    case = case_in(S.SUBJECT_DECISION)  # the path assessed high risk
    silent = c.DecideCommunication(actor=KP, communicate=False, reason="Vi vurderer det ikke nødvendigt")
    with pytest.raises(Rejection, match="Art. 34\\(3\\) ground"):
        check(case, T.DECIDE_COMMUNICATION, silent, NOW)
    def decide(**fields) -> c.DecideCommunication:
        return c.DecideCommunication.model_validate({**silent.model_dump(), **fields})

    no_evidence = decide(exception="risk_no_longer_likely")
    with pytest.raises(Rejection, match="evidence"):
        check(case, T.DECIDE_COMMUNICATION, no_evidence, NOW)
    with pytest.raises(Rejection, match="evidence"):
        check(case, T.DECIDE_COMMUNICATION, decide(exception="disproportionate_effort"), NOW)


def test_disproportionate_effort_means_a_public_notice_drafted_approved_by_the_dpo_and_its_publication_recorded():
    case = case_in(S.SUBJECT_DECISION)
    effort = c.DecideCommunication(actor=KP, communicate=False, reason="Ingen adresser",
                                   exception="disproportionate_effort",
                                   exception_evidence="3.000 tidligere elever uden kendt adresse")
    act(case, T.DECIDE_COMMUNICATION, effort, NOW)
    assert case.state == S.COMMUNICATION_DRAFTING.value and case.public_notice_required
    act(case, T.SUBMIT_COMMUNICATION_DRAFT, commands(T.SUBMIT_COMMUNICATION_DRAFT)[""], NOW)
    with pytest.raises(Rejection, match="requires the role dpo"):
        check(case, T.REVIEW_DRAFT, c.ReviewDraft(actor=KP, approve=True), NOW)
    act(case, T.REVIEW_DRAFT, c.ReviewDraft(actor=DPO, approve=True), NOW)
    with pytest.raises(Rejection, match="published_place"):
        check(case, T.RECORD_COMMUNICATION_SENT, c.RecordCommunicationSent(actor=KP), NOW)
    act(case, T.RECORD_COMMUNICATION_SENT, c.RecordCommunicationSent(
        actor=KP, sent_at=NOW, published_place="Skolens hjemmeside og Aula"), NOW)
    assert case.state == S.DOCUMENTATION.value and case.art34_public_notice.startswith("Skolens hjemmeside og Aula, ")


def test_a_postponement_under_section_22_is_reasoned_dated_reviewed_and_never_closes_the_case():
    case = case_in(S.COMMUNICATION_DRAFTING)
    too_late = c.PostponeCommunication.model_validate(
        {**commands(T.POSTPONE_COMMUNICATION)[""].model_dump(), "review_at": NOW + timedelta(days=60)})
    with pytest.raises(Rejection, match="30 days"):
        check(case, T.POSTPONE_COMMUNICATION, too_late, NOW)
    by_key_person = c.PostponeCommunication.model_validate(
        {**commands(T.POSTPONE_COMMUNICATION)[""].model_dump(), "actor": KP.model_dump()})
    with pytest.raises(Rejection, match="requires the role dpo"):
        check(case, T.POSTPONE_COMMUNICATION, by_key_person, NOW)
    act(case, T.POSTPONE_COMMUNICATION, commands(T.POSTPONE_COMMUNICATION)[""], NOW)
    postponement = case.postponed()
    assert postponement is not None and postponement.decided_by == DPO and postponement.requested_by
    for trigger in (T.DOCUMENT, T.CLOSE, T.RECORD_COMMUNICATION_SENT):
        with pytest.raises(Rejection):
            check(case, trigger, next(iter(commands(trigger).values())), NOW)
    from domain.breach.case import postponement_review_due
    assert postponement_review_due(case, NOW + timedelta(days=6)) == []
    due = postponement_review_due(case, NOW + timedelta(days=7))
    assert due and "vurderes igen" in due[0].body and "§ 22" in due[0].body
    act(case, T.REVIEW_POSTPONEMENT, commands(T.REVIEW_POSTPONEMENT)["resume"], NOW + timedelta(days=7))
    assert case.state == S.SUBJECT_DECISION.value and case.postponed() is None and postponement.reviews


def test_the_communication_plan_goes_out_with_its_notification_with_one_message_for_everyone():
    case = case_in(S.COMMUNICATION_APPROVED)
    plan = commands(T.PLAN_COMMUNICATION)[""]
    press = c.PlanCommunication.model_validate({**plan.model_dump(), "items": [
        *plan.model_dump()["items"],
        {"audience": "press", "responsible": {"name": "Presse", "email": "presse@kommune.dk"},
         "channel": "pressemeddelelse"}]})
    act(case, T.PLAN_COMMUNICATION, press, NOW)
    mails = act(case, T.RECORD_COMMUNICATION_SENT, c.RecordCommunicationSent(actor=KP), NOW)
    released = [m for m in mails if "Udsend nu" in m.subject]
    assert {tuple(m.to) for m in released} == {("kontor@skole.dk",), ("presse@kommune.dk",)}
    assert all(plan.message in m.body for m in released)
    assert case.communication_plan.released_at == NOW
    with pytest.raises(Rejection, match="not possible"):
        check(case, T.PLAN_COMMUNICATION, plan, NOW)


def test_a_released_plan_is_not_replaced():
    case = case_in(S.NOTIFICATION_APPROVED)
    plan = c.PlanCommunication.model_validate(
        {**commands(T.PLAN_COMMUNICATION)[""].model_dump(), "release_with": "authority"})
    act(case, T.PLAN_COMMUNICATION, plan, NOW)
    mails = act(case, T.RECORD_SUBMISSION, c.RecordSubmission(actor=DPO), NOW)
    assert any("Udsend nu" in m.subject for m in mails)
    with pytest.raises(Rejection, match="already gone out"):
        check(case, T.PLAN_COMMUNICATION, commands(T.PLAN_COMMUNICATION)[""], NOW)


def test_a_plan_cannot_wait_for_a_notification_that_has_been_sent():
    case = case_in(S.SUBJECT_DECISION)  # Datatilsynet already notified
    with_authority = c.PlanCommunication.model_validate(
        {**commands(T.PLAN_COMMUNICATION)[""].model_dump(), "release_with": "authority"})
    with pytest.raises(Rejection, match="same time"):
        check(case, T.PLAN_COMMUNICATION, with_authority, NOW)


def test_a_reopened_notified_case_is_reassessed_and_its_new_notification_follows_up_the_first():
    case = case_in(S.CLOSED)
    first_notified = case.authority_notified_at
    later = NOW + timedelta(days=20)
    mails = act(case, T.REOPEN, commands(T.REOPEN)[""], later)
    assert case.state == S.FACT_FINDING.value and case.closed_at is None and case.reopenings[0].reason
    assert mails and "genåbnet" in mails[0].subject
    act(case, T.RECORD_FACTS, commands(T.RECORD_FACTS)[""], later)
    act(case, T.ASSESS_NOTIFICATION, commands(T.ASSESS_NOTIFICATION)["high_risk"], later)
    # 20 days after the deadline, and no delay reasons needed: this is a follow-up (Art. 33(4))
    act(case, T.SUBMIT_NOTIFICATION_DRAFT, commands(T.SUBMIT_NOTIFICATION_DRAFT)[""], later)
    assert case.drafts[-1].notification.follow_up  # the form's section 3: a follow-up to the first
    act(case, T.REVIEW_DRAFT, c.ReviewDraft(actor=DPO, approve=True), later)
    act(case, T.RECORD_SUBMISSION, c.RecordSubmission(actor=DPO), later)
    assert case.authority_notified_at == first_notified and case.follow_ups[-1].at == later
    assert "Opfølgende" in case.timeline[-1].summary


def test_a_follow_up_can_be_added_after_close_and_the_case_stays_closed():
    case = case_in(S.CLOSED)
    closed_at = case.closed_at
    act(case, T.ADD_FOLLOW_UP, commands(T.ADD_FOLLOW_UP)[""], NOW + timedelta(days=3))
    assert case.state == S.CLOSED.value and case.closed_at == closed_at and case.follow_ups


def test_reopening_a_case_closed_as_not_a_breach_asks_the_first_question_again_with_a_new_72_hours():
    case = case_in(S.NOT_BREACH_PROPOSED)
    act(case, T.CO_DECIDE, commands(T.CO_DECIDE)["agree"], NOW)
    assert case.state == S.CLOSED.value
    later = NOW + timedelta(days=10)
    act(case, T.REOPEN, commands(T.REOPEN)[""], later)
    assert case.state == S.REPORTED.value and case.is_breach is None and case.no_co_decided_by is None
    assert case.deadline == later + timedelta(hours=72) and not case.deadline_met()


def test_only_a_closed_case_can_be_reopened_and_only_with_a_reason():
    with pytest.raises(Rejection, match="not possible"):
        check(case_in(S.DOCUMENTATION), T.REOPEN, commands(T.REOPEN)[""], NOW)
    with pytest.raises(ValueError):
        c.ReopenCase(actor=KP, reason="  ")


def test_a_case_that_is_not_high_risk_may_decide_not_to_communicate_with_a_reason():
    case = case_in(S.FACT_FINDING)
    act(case, T.ASSESS_NOTIFICATION, commands(T.ASSESS_NOTIFICATION)["risk"], NOW)
    case.state, case.authority_notified_at = S.SUBJECT_DECISION.value, NOW  # notified; risk, not high risk
    assert check(case, T.DECIDE_COMMUNICATION, c.DecideCommunication(
        actor=KP, communicate=False, reason="Ikke høj risiko"), NOW) is S.DOCUMENTATION


def test_four_eyes_the_author_of_a_draft_cannot_approve_it_whatever_roles_they_hold():
    case = case_in(S.NOTIFICATION_DRAFTING)
    author = Actor(name="Dorthe", role=Role.DPO, login="dorthe@skole.dk")  # a DPO who also drafts
    act(case, T.SUBMIT_NOTIFICATION_DRAFT, c.SubmitNotificationDraft(
        actor=author, likely_consequences="k", measures_proposed="p"), NOW)
    with pytest.raises(Rejection, match="four eyes"):
        check(case, T.REVIEW_DRAFT, c.ReviewDraft(actor=author, approve=True), NOW)
    namesake = Actor(name="Dorthe", role=Role.DPO, login="dorthe.andersen@skole.dk")  # same name, other login
    assert check(case, T.REVIEW_DRAFT, c.ReviewDraft(actor=namesake, approve=True), NOW) is S.NOTIFICATION_APPROVED
    rejecting = c.ReviewDraft(actor=author, approve=False, comments="Jeg trækker det tilbage")
    assert check(case, T.REVIEW_DRAFT, rejecting, NOW) is S.NOTIFICATION_DRAFTING  # sending back is not approving


def test_every_guard_that_can_refuse_has_a_danish_reason():
    from domain.requests.machine import REQUEST
    from domain.breach.machine import BREACH
    from domain.kernel.refusals_da import GUARD_DA

    for procedure in (BREACH, REQUEST):
        refusing = {name for name, guard in procedure.guards.items() if guard.message is not None}
        assert refusing <= set(GUARD_DA), sorted(refusing - set(GUARD_DA))


def test_a_refusal_carries_its_danish_reason():
    case = case_in(S.NOTIFICATION_REVIEW)
    with pytest.raises(Rejection) as refused:
        check(case, T.REVIEW_DRAFT, c.ReviewDraft(actor=KP, approve=True), NOW)
    assert refused.value.da == "Du har ikke en rolle, der må udføre denne handling."
    with pytest.raises(Rejection) as refused:
        check(case_in(S.REPORTED), T.CLOSE, commands(T.CLOSE)[""], NOW)
    assert refused.value.da.startswith("Handlingen er ikke mulig nu. Sagen venter på: Vurdér")
