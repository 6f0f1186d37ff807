"""Build breach cases in any state with the pure domain (no server), and valid request actions and register
entries for the tests that need one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from domain.breach import commands as c
from domain.breach.machine import BreachState as S
from domain.breach.machine import Trigger as T
from domain.breach.case import act, open_case
from domain.requests.register import RequestRegisterEntry
from domain.kernel.model import Actor, Contact, Role
from domain.breach.model import BreachCase, BreachCaseInput, CasePolicy
from tests.support import facts, report

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
KP = Actor(name="Mille", role=Role.KEY_PERSON)
DPO = Actor(name="Dorthe", role=Role.DPO)
POLICY = CasePolicy(organisation_name="Eksempel Skole", key_person=Contact(name="Mille", email="kp@skole.dk"),
                    dpo=Contact(name="Dorthe", email="dpo@skole.dk"), management_emails=["ledelse@skole.dk"])
NO_RISK_DOC = {"started_at": NOW - timedelta(hours=3), "ended_at": NOW - timedelta(hours=2), "scope": "1 mail",
               "cause": "Fejl", "reached_unauthorised": False}


def commands(trigger: T, actor: Actor = KP) -> dict[str, c.Command]:
    """Valid commands for a trigger, one per way the decision can go."""
    dpo = actor if actor is not KP else DPO
    variants: dict[T, dict[str, c.Command]] = {
        T.ASSESS_BREACH: {"yes": c.AssessBreach(actor=actor, is_breach=True, reason="r"),
                          "no": c.AssessBreach(actor=actor, is_breach=False, reason="r")},
        T.CONTAIN: {"": c.Contain(actor=actor, measures="m", system_stopped=False)},
        T.INFORM_MANAGEMENT: {"": c.InformManagement(actor=actor, crisis_team=["Leder"])},
        T.RECORD_FACTS: {"": c.RecordFacts(actor=actor, facts=facts())},
        T.REQUEST_SUPPLIER_ACCOUNTS: {"": c.RequestSupplierAccounts(
            actor=actor, suppliers=[c.SupplierContact(name="Ny leverandør", email="ny@lev.dk")])},
        T.RECORD_SUPPLIER_ACCOUNT: {"": c.RecordSupplierAccount(actor=actor, supplier="Lev", account={
            "timeline": "t", "cause": "c", "consequences": "k", "fix": "f", "prevention": "p"})},
        T.ASSESS_NOTIFICATION: {
            "no_risk": c.AssessNotification(actor=actor, level="no_risk", deviation_reason="Afviger bevidst fra forslaget i testen", reasons="r", no_risk_documentation=NO_RISK_DOC),
            "risk": c.AssessNotification(actor=actor, level="risk", deviation_reason="Afviger bevidst fra forslaget i testen", reasons="r"),
            "high_risk": c.AssessNotification(actor=actor, level="high_risk", reasons="r")},
        T.SUBMIT_NOTIFICATION_DRAFT: {"": c.SubmitNotificationDraft(actor=actor, likely_consequences="k",
                                                                    measures_proposed="p")},
        T.REVIEW_DRAFT: {"approve": c.ReviewDraft(actor=dpo, approve=True),
                         "reject": c.ReviewDraft(actor=dpo, approve=False, comments="ret")},
        T.RECORD_SUBMISSION: {"": c.RecordSubmission(actor=dpo)},
        T.DECIDE_COMMUNICATION: {"yes": c.DecideCommunication(actor=actor, communicate=True, reason="r"),
                                 "no": c.DecideCommunication(actor=actor, communicate=False, reason="r",
                                                             exception="unintelligible",
                                                             exception_evidence="AES-256, nøglen ikke kompromitteret")},
        T.SUBMIT_COMMUNICATION_DRAFT: {"": c.SubmitCommunicationDraft(
            actor=actor, affectedness="presumably", description="d", likely_consequences="k", measures_taken="m",
            channel="brev")},
        T.RECORD_COMMUNICATION_SENT: {"": c.RecordCommunicationSent(actor=actor)},
        T.ADD_FOLLOW_UP: {"": c.AddFollowUp(actor=actor, new_facts="nyt")},
        T.DOCUMENT: {"": c.Document(actor=actor, summary="s")},
        T.CLOSE: {"": c.Close(actor=actor, lessons_learned="l")},
        T.CO_DECIDE: {"agree": c.CoDecide(actor=dpo, approve=True),
                      "disagree": c.CoDecide(actor=dpo, approve=False, comments="Vurdér igen")},
        T.POSTPONE_COMMUNICATION: {"": c.PostponeCommunication(
            actor=dpo, legal_basis="Databeskyttelseslovens § 22, stk. 1", reason="Politiet efterforsker sagen",
            requested_by="Østjyllands Politi", review_at=NOW + timedelta(days=7))},
        T.REVIEW_POSTPONEMENT: {
            "resume": c.ReviewPostponement(actor=actor, resume=True, reason="Politiet har givet lov"),
            "keep": c.ReviewPostponement(actor=actor, resume=False, reason="Efterforskningen fortsætter",
                                         next_review_at=NOW + timedelta(days=14))},
        T.PLAN_COMMUNICATION: {"": c.PlanCommunication(
            actor=actor, message="Skolen har haft et brud på persondatasikkerheden; de berørte er underrettet.",
            items=[{"audience": "staff", "responsible": {"name": "Kontoret", "email": "kontor@skole.dk"},
                    "channel": "intranettet"}])},
        T.REOPEN: {"": c.ReopenCase(actor=actor, reason="Leverandøren har fundet flere berørte")},
    }
    return variants[trigger]


# The happy path that reaches every state; AWAITING_SUPPLIERS leaves supplier "Lev" outstanding.
PATH: list[tuple[T, str, S]] = [
    (T.ASSESS_BREACH, "yes", S.CONTAINMENT),
    (T.CONTAIN, "", S.INFORMING),
    (T.INFORM_MANAGEMENT, "", S.FACT_FINDING),
    (T.RECORD_FACTS, "", S.FACT_FINDING),
    (T.REQUEST_SUPPLIER_ACCOUNTS, "", S.AWAITING_SUPPLIERS),
    (T.ASSESS_NOTIFICATION, "high_risk", S.NOTIFICATION_DRAFTING),
    (T.SUBMIT_NOTIFICATION_DRAFT, "", S.NOTIFICATION_REVIEW),
    (T.REVIEW_DRAFT, "approve", S.NOTIFICATION_APPROVED),
    (T.RECORD_SUBMISSION, "", S.SUBJECT_DECISION),
    (T.DECIDE_COMMUNICATION, "yes", S.COMMUNICATION_DRAFTING),
    (T.SUBMIT_COMMUNICATION_DRAFT, "", S.COMMUNICATION_REVIEW),
    (T.REVIEW_DRAFT, "approve", S.COMMUNICATION_APPROVED),
    (T.RECORD_COMMUNICATION_SENT, "", S.DOCUMENTATION),
    (T.DOCUMENT, "", S.LESSONS_LEARNED),
    (T.CLOSE, "", S.CLOSED),
]


def new_case(aware_hours_ago: float = 2, **overrides) -> BreachCase:
    inp = BreachCaseInput(case_id="breach-2026-0001", report=report(NOW - timedelta(hours=aware_hours_ago), **overrides),
                          policy=POLICY)
    return open_case(inp, NOW)[0]


def case_in(state: S) -> BreachCase:
    if state is S.NOT_BREACH_PROPOSED:  # off the happy path: a proposed "no" awaiting the DPO
        case = new_case()
        act(case, T.ASSESS_BREACH, commands(T.ASSESS_BREACH)["no"], NOW)
        return case
    if state is S.COMMUNICATION_POSTPONED:
        case = case_in(S.SUBJECT_DECISION)
        act(case, T.POSTPONE_COMMUNICATION, commands(T.POSTPONE_COMMUNICATION)[""], NOW)
        return case
    if state is S.NO_RISK_PROPOSED:
        case = case_in(S.FACT_FINDING)
        act(case, T.ASSESS_NOTIFICATION, commands(T.ASSESS_NOTIFICATION)["no_risk"], NOW)
        return case
    case = new_case()
    for trigger, variant, reached in PATH:
        if case.state == state.value and not (state is S.FACT_FINDING and case.facts is None):
            return case
        cmd = commands(trigger)[variant]
        if trigger is T.REQUEST_SUPPLIER_ACCOUNTS:
            cmd = c.RequestSupplierAccounts(actor=KP, suppliers=[c.SupplierContact(name="Lev", email="lev@lev.dk")])
        act(case, trigger, cmd, NOW)
        assert case.state == reached.value
    assert case.state == state.value
    return case


# --- requests ---------------------------------------------------------------------------------------

SYSTEM = {"name": "engine", "role": "system"}
OWNER = {"name": "Hanne", "role": "system_owner"}
# The fields of a valid command for every request action (all but the actor, which each test sets), by trigger.
REQUEST_BASELINES: dict[str, dict[str, Any]] = {
    "verify_identity": {"method": "id_document", "details": "Pas set", "maturity_assessment": None},
    "request_information": {"needed": "Kopi af legitimation"},
    "record_information": {"answer": "Modtaget"},
    "refuse": {"ground": "excessive", "reasons": "Tredje anmodning på en uge"},
    "assess_erasure": {"purpose_no_longer_present": True, "no_outstanding_obligations": True, "reasons": "r"},
    "decide_objection": {"accept": True, "reasons": "r"},
    "complete_manual_task": {"actor": OWNER, "system_id": "papirarkiv", "result": "Intet fundet", "kept_reason": None},
    "systems_done": {"actor": SYSTEM},
    "review_answer": {"actor": DPO.model_dump(mode="json"), "approve": False, "comments": "Ret"},
    "revise_answer": {"note": "Tilføjet"},
    "extend": {"reasons": "Mange systemer"},
    "lift_restriction": {"reasons": "Berigtiget"},
    "charge_fee": {"ground": "further_copy", "amount_dkk": "125.00", "reasons": "Tredje kopi",
                   "cost_basis": "20 minutter à 375 kr. i timen"},
    "refuse_part": {"system_id": "papirarkiv", "table": None, "basis": "dbl_22", "reasons": "Politiets efterforskning"},
    "release_third_party_data": {"system_id": "elevadministration", "table": "elever", "column": "noedkontakt",
                                 "ground": "consent", "reasons": "Morfar har givet samtykke"},
}


def request_entry(state: str = "received", **overrides: Any) -> RequestRegisterEntry:
    """A request's register entry, as the register writes it, in `state`."""
    values: dict[str, Any] = dict(
        request_id="dsr-2026-0001", type="erasure", channel="email", state=state, received_at=NOW - timedelta(days=2),
        deadline=NOW + timedelta(days=28), extended=False, extension_reasons=None, on_behalf=None,
        identity_method=None, verified_at=None, refusal_ground=None, refusal_reasons=None, systems="{}",
        identifiers='{"elevnummer": "E1001"}', answered_at=None, in_time=None, overdue=False, closed_at=None,
        updated_at=NOW)
    return RequestRegisterEntry(**(values | overrides))
