"""Mails to the organisation's own people link to the case in the workspace; mails to anyone else carry
nothing internal: no link, no command to type, no state name."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from activities.inventory_file import load_inventory
from domain.requests import model as d
from domain.requests import resolution, texts
from domain.breach import mail_texts as m
from domain.breach.machine import BreachState
from domain.breach.case import open_case
from domain.kernel.dead_letters import DeadLetter, EffectKind, operator_alert
from domain.requests.case import open_request
from domain.requests.machine import RequestState
from domain.requests.inventory import Recipient
from domain.kernel.mail import OutgoingMail
from domain.kernel.model import Actor, Contact, Role
from domain.breach.model import BreachCaseInput, PlannedCommunication, Postponement, SupplierRequest
from app.settings import Settings, request_policy
from tests.support import report
from tests.unit.cases import NOW, POLICY

ROOT = Path(__file__).parents[2]
URL = "https://gdpr.skole.dk"
BREACH_ID = "breach-2026-0001"
REQUEST_ID = "dsr-2026-0001"
# Anything a person outside the organisation must never read in a mail from us.
INTERNAL_WORDS = ["gdpr ", "GDPR-sager", "/brud/", "/anmodning/", "/drift", URL, "seed", "issue"]
STATE_NAMES = [s.value for s in BreachState] + [s.value for s in RequestState]


def _breach(workspace_url: str | None = URL, processor: bool = False):
    extra = {"org_role": "processor", "controller": {"name": "Kommunen", "email": "dpo@kommune.dk"}} if processor else {}
    inp = BreachCaseInput(case_id=BREACH_ID, report=report(NOW - timedelta(hours=2), **extra),
                          policy=POLICY.model_copy(update={"workspace_url": workspace_url}))
    case = open_case(inp, NOW)[0]
    case.crisis_team, case.containment = ["Skoleleder"], "Beskeden trukket tilbage"
    return case


def _breach_mails(workspace_url: str | None = URL) -> tuple[list[OutgoingMail], list[OutgoingMail]]:
    case = _breach(workspace_url)
    item = PlannedCommunication(audience="staff", responsible=Contact(name="Kontoret", email="kontor@skole.dk"),
                                channel="intranettet")
    postponement = Postponement(legal_basis="Databeskyttelseslovens § 22", reason="Politiet efterforsker",
                                decided_by=Actor(name="Dorthe", role=Role.DPO), decided_at=NOW,
                                review_at=NOW + timedelta(days=7))
    supplier = SupplierRequest(name="Lev", email="lev@lev.dk", requested_at=NOW)
    internal = [
        m.case_opened(case), m.management_informed(case, "Mød op kl. 10"),
        m.draft_for_review(case, "anmeldelse", 1, "Udkast"), m.co_decision_requested(case, "ikke anmelde", "r", 1),
        m.co_decision_declined(case, "Nej"), m.draft_reviewed(case, "anmeldelse", 1, True, "Fint"),
        m.deadline_reminder(case, 24), m.deadline_escalation(case), m.follow_up(case, 1, "Nyt", "anmeldelsen"),
        m.reopened(case, "Nye oplysninger"), m.postponement_review_due(case, postponement, 1),
    ]
    external = [
        m.report_receipt(case), m.supplier_request(case, supplier), m.supplier_request(case, supplier, 1),
        m.controller_notification(_breach(workspace_url, processor=True), "Underretningen"),
        m.plan_release(case, item, "Budskabet", "anmeldelsen", 1),
    ]
    return internal, external


def _request(workspace_url: str | None = URL) -> d.RequestCase:
    policy = request_policy(Settings(_env_file=None)).model_copy(update={"workspace_url": workspace_url})
    inp = d.RequestInput.receive(dict(
        request_id=REQUEST_ID, type="erasure", channel="email", received_at=NOW,
        requester={"name": "Karen", "email": "karen@example.dk"}, subject_name="Karen",
        identifiers={"email": "karen@example.dk"}, policy=policy,
        inventory=load_inventory(ROOT / "examples" / "inventory.yaml")))
    case = open_request(inp, NOW)[0]
    case.extension_reasons = "Mange systemer"
    case.fee = d.FeeDecision(ground="excessive", amount_dkk=Decimal("250"), reasons="Gentaget", cost_basis="1 time",
                             decided_at=NOW, decided_by=Actor(name="Mille", role=Role.KEY_PERSON))
    return case


def _request_mails(workspace_url: str | None = URL) -> tuple[list[OutgoingMail], list[OutgoingMail]]:
    case = _request(workspace_url)
    system = case.inp.inventory.systems[0]
    result = d.SystemResult(system_id=system.id, manual_result="Slettet i hånden")
    recipient = Recipient(name="Kommunen", email="modtager@example.dk")
    internal = [
        texts.new_request(case), texts.owner_task(case, system), texts.owner_task(case, system, 1),
        texts.statement_task(case, system), texts.recipient_task(case, system, result, recipient, 1),
        texts.export_password(case), texts.answer_for_review(case, 1, "Svaret"),
        texts.answer_rejected(case, 1, "Ret det"), texts.deadline_reminder(case, 7),
        texts.escalation(case), resolution.review_task(case, system, ["Navnet passer ikke"], False),
        resolution.conflict_notice(case, [system.name]),
    ]
    transfer_case = case.model_copy(update={"inp": case.inp.model_copy(update={"transfer_to": "ny@dataansvarlig.dk"})})
    external = [
        texts.receipt(case), texts.information_request(case, "Dit elevnummer", 1),
        texts.recipient_notice(case, system, result, recipient, 1),
        texts.final_answer(case, texts.answer_letter(case), []), texts.transfer(transfer_case, []),
        texts.extension(case), texts.fee_notice(case), texts.restriction_lifted(case, "Afklaret"),
    ]
    return internal, external


@pytest.mark.parametrize("mails, path", [(_breach_mails, f"/brud/{BREACH_ID}"),
                                         (_request_mails, f"/anmodning/{REQUEST_ID}")])
def test_mails_to_our_own_people_end_with_a_link_to_the_case_in_the_workspace(mails, path):
    internal, _ = mails()
    for mail in internal:
        before_signature = mail.body.split("\n-- \n")[0]
        assert before_signature.rstrip().endswith(f"GDPR-sager: {URL}{path}"), mail.key
        assert "gdpr " not in mail.body.lower().replace("gdpr-sager", ""), mail.key


@pytest.mark.parametrize("mails", [_breach_mails, _request_mails])
def test_mails_to_anyone_else_carry_no_link_no_command_and_no_state_name(mails):
    _, external = mails()
    for mail in external:
        for word in INTERNAL_WORDS:
            assert word not in mail.body and word not in mail.subject, (mail.key, word)
        for state in STATE_NAMES:
            assert not re.search(rf"\b{state}\b", mail.body), (mail.key, state)


@pytest.mark.parametrize("mails", [_breach_mails, _request_mails])
def test_a_case_opened_before_the_workspace_mails_no_link(mails):
    internal, external = mails(workspace_url=None)
    for mail in internal + external:
        assert "GDPR-sager:" not in mail.body and "http" not in mail.body, mail.key


def test_old_policies_without_a_workspace_still_decode_and_new_ones_take_the_public_url():
    old = POLICY.model_dump(mode="json")
    old.pop("workspace_url")
    assert type(POLICY).model_validate(old).workspace_url is None
    settings = Settings(_env_file=None, public_url="https://gdpr.skole.dk/")
    assert settings.case_policy().workspace_url == "https://gdpr.skole.dk"
    assert request_policy(settings).workspace_url == "https://gdpr.skole.dk"


def test_the_operator_alert_links_to_the_operations_page():
    letter = DeadLetter(letter_id=f"{BREACH_ID}/1", case_id=BREACH_ID, effect_kind=EffectKind.MAIL,
                        effect_key=f"{BREACH_ID}.opened", error_type="SMTPDataError", error_message="SMTP 554",
                        failed_at=NOW, failures=1, permanent=True)
    assert f"{URL}/drift" in operator_alert(letter, "drift@skole.dk", URL).body
    assert "http" not in operator_alert(letter, "drift@skole.dk").body
