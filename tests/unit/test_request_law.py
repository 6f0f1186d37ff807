"""The law, not a promise: verified addresses, Art. 16, 18(1), 19, 20 and 21(3), fees (Art. 12(5), 15(3)),
partial refusals and other persons' information (Art. 15(4)) in the request domain."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from activities.inventory_file import load_inventory
from domain.requests import model as d
from domain.requests.case import ExportPassword, SystemAction, act, open_request, record_system_result
from domain.requests.machine import RequestTrigger
from domain.kernel.mail import OutgoingMail
from domain.kernel.model import Actor, Role
from domain.kernel.procedure import Rejection
from app.settings import Settings, request_policy
from tests.unit.cases import DPO, KP

ROOT = Path(__file__).parents[2]
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
T = RequestTrigger
ENGINE = Actor(name="engine", role=Role.SYSTEM)
KAREN = "karen.jensen@example.dk"
IMPOSTOR = "karen.jensen@falsk.example"


def _input(**overrides: Any) -> d.RequestInput:
    fields: dict[str, Any] = dict(
        request_id="dsr-2026-0001", type="access", channel="email", received_at=NOW,
        requester={"name": "Karen Jensen", "email": IMPOSTOR}, subject_name="Karen Jensen",
        identifiers={"email": KAREN}, policy=request_policy(Settings(_env_file=None)),
        inventory=load_inventory(ROOT / "examples" / "inventory.yaml"))
    fields.update(overrides)
    return d.RequestInput.receive(fields)


def _verify(**extra: Any) -> d.VerifyIdentity:
    fields: dict[str, Any] = dict(actor=KP, method="registered_address", details="Adressen i elevadministrationen")
    fields.update(extra)
    return d.VerifyIdentity(**fields)


def _finish_systems(case: d.RequestCase, tables: dict[str, list[d.TableOutcome]]) -> list:
    """Report every sql system with the given outcomes, complete manual tasks, and reach the answer."""
    for slot in case.systems:
        if slot.manual:
            act(case, T.COMPLETE_MANUAL_TASK, d.CompleteManualTask(
                actor=KP, system_id=slot.system_id, result="Udført"), NOW)
        else:
            record_system_result(case, d.SystemResult(system_id=slot.system_id,
                                                      tables=tables.get(slot.system_id, [])), NOW)
    return act(case, T.SYSTEMS_DONE, d.SystemsDone(actor=ENGINE), NOW)


def _mails(effects: list) -> list[OutgoingMail]:
    return [e for e in effects if isinstance(e, OutgoingMail)]


# --- verified address ------------------------------------------------------------------------


def test_verification_must_record_the_address_it_proved():
    case, _ = open_request(_input(), NOW)
    with pytest.raises(Rejection, match="verified_email"):
        act(case, T.VERIFY_IDENTITY, _verify(), NOW)
    assert case.verified_at is None and case.state == "received"


def test_the_answer_and_its_export_go_to_the_verified_address_not_the_typed_one():
    case, _ = open_request(_input(), NOW)
    act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN), NOW)
    review = next(m for m in _mails(_finish_systems(case, {})) if m.key.endswith("-review"))
    assert f"Sendes som e-mail til {KAREN}" in review.body  # the DPO sees where it goes before approving
    case.export_files = ["/exports/dsr-2026-0001/dsr-2026-0001-indsigt.zip"]
    effects = act(case, T.REVIEW_ANSWER, d.ReviewAnswer(actor=DPO, approve=True), NOW)
    answer = next(m for m in _mails(effects) if m.key.endswith(".answer"))
    assert answer.to == [KAREN] and answer.attachments == case.export_files
    assert all(IMPOSTOR not in m.to for m in _mails(effects))


def test_a_different_reply_address_needs_a_reason_and_is_then_used():
    with pytest.raises(ValidationError, match="reply_to_reason"):
        _verify(verified_email=KAREN, reply_to="karen.arbejde@example.dk")
    case, _ = open_request(_input(type="rectification", statements=[
        {"system_id": "papirarkiv", "statement": "Min adresse var midlertidig i 2020"}]), NOW)
    act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN, reply_to="karen.arbejde@example.dk",
                                         reply_to_reason="Karen bad om det på mødet, hvor pas blev vist"), NOW)
    _finish_systems(case, {})
    effects = act(case, T.REVIEW_ANSWER, d.ReviewAnswer(actor=DPO, approve=True), NOW)
    assert next(m for m in _mails(effects) if m.key.endswith(".answer")).to == ["karen.arbejde@example.dk"]


def test_a_letter_answer_without_an_e_mail_goes_to_the_key_person_to_post_to_the_verified_address():
    case, _ = open_request(_input(channel="letter"), NOW)
    act(case, T.VERIFY_IDENTITY, _verify(verified_postal_address="Skolevej 12, 8000 Aarhus C"), NOW)
    _finish_systems(case, {})
    effects = act(case, T.REVIEW_ANSWER, d.ReviewAnswer(actor=DPO, approve=True), NOW)
    answer = next(m for m in _mails(effects) if m.key.endswith(".answer"))
    assert answer.to == [case.inp.policy.responsible.email]
    assert "SEND MED POST til den verificerede adresse: Skolevej 12, 8000 Aarhus C" in answer.body


def test_an_unconfirmed_transfer_address_gets_nothing_and_the_letter_says_why():
    case, _ = open_request(_input(type="portability", transfer_to="modtagelse@ny-skole.example"), NOW)
    act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN), NOW)
    _finish_systems(case, {})
    case.export_files = ["/exports/x.zip"]
    effects = act(case, T.REVIEW_ANSWER, d.ReviewAnswer(actor=DPO, approve=True), NOW)
    assert all("modtagelse@ny-skole.example" not in m.to for m in _mails(effects))
    assert "Vi har ikke overført oplysningerne til modtagelse@ny-skole.example" in case.answers[-1].text_da


def test_a_transfer_confirmation_must_name_the_address_in_the_request():
    case, _ = open_request(_input(type="portability", transfer_to="modtagelse@ny-skole.example"), NOW)
    with pytest.raises(Rejection, match="confirm_transfer_to must be the new controller's address"):
        act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN, confirm_transfer_to="andet@ny-skole.example",
                                             transfer_confirmation="telefon"), NOW)
    with pytest.raises(ValidationError, match="transfer_confirmation"):
        _verify(verified_email=KAREN, confirm_transfer_to="modtagelse@ny-skole.example")
    act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN, confirm_transfer_to="Modtagelse@ny-skole.example",
                                         transfer_confirmation="Ringet til skolens kontor"), NOW)
    _finish_systems(case, {})
    case.export_files = ["/exports/x.zip"]
    effects = act(case, T.REVIEW_ANSWER, d.ReviewAnswer(actor=DPO, approve=True), NOW)
    transfer = next(m for m in _mails(effects) if m.key.endswith(".transfer"))
    assert transfer.to == ["modtagelse@ny-skole.example"] and transfer.attachments == ["/exports/x.zip"]


def test_an_export_password_goes_to_the_key_person_and_the_letter_says_it_comes_separately():
    case, _ = open_request(_input(), NOW)
    act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN, verified_phone="+45 20 30 40 50"), NOW)
    _finish_systems(case, {})
    case.export_files = ["/exports/x.zip"]
    effects = act(case, T.REVIEW_ANSWER, d.ReviewAnswer(actor=DPO, approve=True), NOW)
    password = next(e for e in effects if isinstance(e, ExportPassword))
    assert password.mail.to == [case.inp.policy.responsible.email] and password.files == ["/exports/x.zip"]
    assert "+45 20 30 40 50" in password.mail.body and "aldrig pr. e-mail" in password.mail.body
    assert "Adgangskoden sender vi ikke pr. e-mail" in case.answers[-1].text_da


def test_a_case_opened_by_older_code_keeps_answering_the_typed_address_so_its_history_replays():
    case, _ = open_request(_input(), NOW)
    case.legacy = True
    act(case, T.VERIFY_IDENTITY, _verify(), NOW)  # older commands carry no proved address
    _finish_systems(case, {})
    effects = act(case, T.REVIEW_ANSWER, d.ReviewAnswer(actor=DPO, approve=True), NOW)
    assert [m.to for m in _mails(effects)] == [[IMPOSTOR]]


def test_a_case_opened_by_older_code_that_exports_after_the_change_still_sends_the_password():
    case, _ = open_request(_input(), NOW)
    case.legacy = True
    act(case, T.VERIFY_IDENTITY, _verify(), NOW)
    _finish_systems(case, {})
    case.export_files, case.exports_encrypted = ["/x/dsr-2026-0001-indsigt.zip"], True  # set by the workflow
    effects = act(case, T.REVIEW_ANSWER, d.ReviewAnswer(actor=DPO, approve=True), NOW)
    assert [e.files for e in effects if isinstance(e, ExportPassword)] == [["/x/dsr-2026-0001-indsigt.zip"]]


# --- Art. 16, 18(1), 19, 20, 21(3) --------------------------------------------------------------


def test_a_supplementary_statement_is_a_task_for_the_system_owner_and_named_in_the_letter():
    statement = "Fraværet i marts 2026 skyldtes hospitalsindlæggelse"
    case, _ = open_request(_input(type="rectification", statements=[
        {"system_id": "elevadministration", "statement": statement}]), NOW)
    effects = act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN), NOW)
    assert [(s.system_id, s.manual) for s in case.systems] == [("elevadministration", True)]
    assert not [e for e in effects if isinstance(e, SystemAction)]  # nothing is changed automatically
    task = next(m for m in _mails(effects) if m.key.endswith(".task-elevadministration"))
    assert task.to == ["sekretaer@eksempel-skole.dk"] and statement in task.body
    _finish_systems(case, {})
    assert "Din supplerende erklæring" in case.answers[-1].text_da and statement in case.answers[-1].text_da


def test_a_statement_for_a_system_that_is_also_corrected_is_a_separate_task():
    case, _ = open_request(_input(type="rectification", corrections=[
        {"system_id": "elevadministration", "table": "elever", "column": "klasse", "new_value": "6.C"}], statements=[
        {"system_id": "elevadministration", "statement": "Klassen blev skiftet efter aftale"}]), NOW)
    effects = act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN), NOW)
    assert [e.action for e in effects if isinstance(e, SystemAction)] == ["rectify"]
    assert any(m.key.endswith(".statement-elevadministration") for m in _mails(effects))


def test_intake_refuses_statements_for_unknown_systems_and_restrictions_without_a_ground():
    with pytest.raises(ValidationError, match="unknown system 'crm'"):
        _input(type="rectification", statements=[{"system_id": "crm", "statement": "x"}])
    with pytest.raises(ValidationError, match="restriction_ground"):
        _input(type="restriction")
    with pytest.raises(ValidationError, match="restriction_ground: only a restriction request"):
        _input(type="access", restriction_ground="legal_claims")
    with pytest.raises(ValidationError, match="transfer_to: only a portability request"):
        _input(type="access", transfer_to="ny@skole.example")


def test_a_stored_restriction_without_a_ground_still_decodes_so_a_running_case_is_not_stopped():
    stored = _input(type="restriction", restriction_ground="legal_claims").model_dump(mode="json")
    stored["restriction_ground"] = None  # as written by the version before the ground existed
    assert d.RequestInput.model_validate(stored).restriction_ground is None


def test_the_restriction_ground_is_recorded_and_named_in_the_letter():
    case, _ = open_request(_input(type="restriction", restriction_ground="legal_claims"), NOW)
    act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN), NOW)
    _finish_systems(case, {})
    assert case.inp.restriction_ground is d.RestrictionGround.LEGAL_CLAIMS
    assert "art. 18, stk. 1, litra c" in case.answers[-1].text_da


def test_recipients_of_changed_data_are_told_and_the_person_is_told_who_they_are():
    case, _ = open_request(_input(type="rectification", corrections=[
        {"system_id": "elevadministration", "table": "elever", "column": "adresse", "new_value": "Havnegade 3"}]), NOW)
    act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN), NOW)
    change = d.TableOutcome(table="elever", changes=[{"column": "adresse", "before": "Skolevej 12",
                                                      "after": "Havnegade 3"}])
    effects = _finish_systems(case, {"elevadministration": [change]})
    notice = next(m for m in _mails(effects) if m.key.endswith(".art19-elevadministration-1"))
    assert notice.to == ["persondata@stil.example"] and "Havnegade 3" in notice.body
    task = next(m for m in _mails(effects) if m.key.endswith(".art19-elevadministration-2"))
    assert task.to == ["sekretaer@eksempel-skole.dk"] and "Pædagogisk Psykologisk Rådgivning" in task.body
    letter = case.answers[-1].text_da
    assert "Vi har underrettet disse modtagere" in letter
    assert "Styrelsen for It og Læring (STIL)" in letter and "Kommunens Pædagogisk Psykologisk Rådgivning" in letter


def test_recipients_of_a_system_where_nothing_changed_are_not_told():
    case, _ = open_request(_input(type="erasure"), NOW)
    act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN), NOW)
    act(case, T.ASSESS_ERASURE, d.AssessErasure(actor=KP, purpose_no_longer_present=True,
                                                no_outstanding_obligations=True, reasons="Fraflyttet"), NOW)
    effects = _finish_systems(case, {"foto": [d.TableOutcome(table="foto_samtykke", deleted=1)]})
    assert not [m for m in _mails(effects) if ".art19-" in m.key]  # foto has no recipients; the rest changed nothing
    assert "ingen at underrette (art. 19)" in case.answers[-1].text_da


def test_portability_covers_only_consent_or_contract_data_processed_by_automated_means():
    case, _ = open_request(_input(type="portability"), NOW)
    effects = act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN), NOW)
    assert [s.system_id for s in case.systems] == ["foto"]  # consent; the others are public task, law, paper
    assert [e.system_id for e in effects if isinstance(e, SystemAction)] == ["foto"]
    _finish_systems(case, {})
    letter = case.answers[-1].text_da
    assert "art. 20, stk. 3" in letter and "Elevadministration: behandles på grundlag af myndighedsudøvelse" in letter
    assert "Papirarkiv på kontoret: behandles ikke automatisk" in letter


def test_an_objection_to_direct_marketing_cannot_be_refused():
    case, _ = open_request(_input(type="objection", objection_processing="Tilbud fra skolefotografen",
                                  objection_direct_marketing=True), NOW)
    act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN), NOW)
    with pytest.raises(Rejection, match=r"direct marketing is absolute \(Art. 21\(3\)\)"):
        act(case, T.DECIDE_OBJECTION, d.DecideObjection(actor=KP, accept=False, reasons="Vi vil gerne"), NOW)
    assert case.state == "objection_assessment" and case.objection_decision is None
    act(case, T.DECIDE_OBJECTION, d.DecideObjection(actor=KP, accept=True, reasons="Art. 21, stk. 3"), NOW)
    assert case.state == "processing"


def test_an_objection_to_other_processing_may_still_be_refused_with_reasons():
    case, _ = open_request(_input(type="objection", objection_processing="Fraværsregistrering"), NOW)
    act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN), NOW)
    act(case, T.DECIDE_OBJECTION, d.DecideObjection(actor=KP, accept=False, reasons="Folkeskoleloven"), NOW)
    assert case.state == "answer_review"


# --- fees: Art. 12(5) and 15(3) ---------------------------------------------------------------


def _fee(ground: str, amount: str = "125.00") -> d.ChargeFee:
    return d.ChargeFee(actor=KP, ground=ground, amount_dkk=amount, reasons="Tredje kopi på to måneder",
                       cost_basis="20 minutters arbejde à 375 kr. i timen")


def test_answering_is_free_and_the_letter_says_so():
    case, _ = open_request(_input(), NOW)
    act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN), NOW)
    _finish_systems(case, {})
    assert case.fee is None
    assert "Det koster ikke noget at få dette svar (art. 12, stk. 5)." in case.answers[-1].text_da


def test_a_fee_on_a_first_copy_or_on_an_ordinary_erasure_is_refused():
    case, _ = open_request(_input(), NOW)  # an access request that names no earlier copy
    with pytest.raises(Rejection, match="does not name an earlier answered access request"):
        act(case, T.CHARGE_FEE, _fee("further_copy"), NOW)
    erasure, _ = open_request(_input(type="erasure"), NOW)
    with pytest.raises(Rejection, match=r"further copy applies to access requests only \(Art. 15\(3\)\)"):
        act(erasure, T.CHARGE_FEE, _fee("further_copy"), NOW)
    assert case.fee is None and erasure.fee is None
    with pytest.raises(ValidationError, match="amount_dkk"):
        _fee("excessive", amount="0")
    with pytest.raises(ValidationError, match="further_copy_of"):
        _input(type="erasure", further_copy_of="dsr-2026-0000")


def test_a_further_copy_may_cost_a_reasonable_fee_stated_with_the_regulations_words_and_the_amount():
    case, _ = open_request(_input(further_copy_of="dsr-2026-0000"), NOW)
    effects = act(case, T.CHARGE_FEE, _fee("further_copy", "1250.50"), NOW)
    notice = next(m for m in _mails(effects) if m.key.endswith(".fee"))
    assert "1.250,50 kr." in notice.body and "art. 15, stk. 3" in notice.body
    with pytest.raises(Rejection, match="already been decided"):
        act(case, T.CHARGE_FEE, _fee("further_copy"), NOW)
    act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN), NOW)
    _finish_systems(case, {})
    letter = case.answers[-1].text_da
    assert "Vi opkræver et gebyr på 1.250,50 kr." in letter
    assert ("For yderligere kopier, som den registrerede anmoder om, kan den dataansvarlige opkræve et rimeligt "
            "gebyr baseret på administrationsomkostningerne") in letter
    assert "20 minutters arbejde" in letter and "Det koster ikke noget" not in letter
    assert "further_copy" not in letter


def test_an_excessive_request_gets_a_fee_or_a_refusal_never_both():
    case, _ = open_request(_input(type="erasure"), NOW)
    act(case, T.CHARGE_FEE, _fee("excessive", "300"), NOW)
    with pytest.raises(Rejection, match="either a fee or a refusal"):
        act(case, T.REFUSE, d.Refuse(actor=KP, ground="excessive", reasons="Gentaget"), NOW)
    refused, _ = open_request(_input(type="erasure"), NOW)
    act(refused, T.REFUSE, d.Refuse(actor=KP, ground="manifestly_unfounded", reasons="Chikane"), NOW)
    act(refused, T.REVIEW_ANSWER, d.ReviewAnswer(actor=DPO, approve=False, comments="Uddyb"), NOW)
    with pytest.raises(Rejection, match="either a fee or a refusal"):
        act(refused, T.CHARGE_FEE, _fee("manifestly_unfounded"), NOW)
    assert "overdreven anmodning, art. 12, stk. 5, litra a" in case.timeline[-1].summary
    from domain.requests.register import build_request_entry
    entry = build_request_entry(case, NOW)
    assert entry.fee is not None and '"ground":"excessive"' in entry.fee and '"amount_dkk":"300"' in entry.fee


# --- partial refusal ---------------------------------------------------------------------------


def _part(system_id: str, basis: str, table: str | None = None, reasons: str = "Skal bevares") -> d.RefusePart:
    return d.RefusePart(actor=KP, system_id=system_id, table=table, basis=basis, reasons=reasons)


def test_a_partial_refusal_of_an_erasure_keeps_that_part_and_the_letter_gives_reason_basis_and_remedies():
    case, _ = open_request(_input(type="erasure"), NOW)
    act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN), NOW)
    act(case, T.REFUSE_PART, _part("sfo_betaling", "legal_obligation", reasons="Betalinger er regnskabsmateriale"), NOW)
    act(case, T.REFUSE_PART, _part("elevadministration", "archiving", table="fravaer",
                                   reasons="Fraværet indgår i elevens sag til arkivering"), NOW)
    effects = act(case, T.ASSESS_ERASURE, d.AssessErasure(actor=KP, purpose_no_longer_present=True,
                                                          no_outstanding_obligations=True, reasons="Fraflyttet"), NOW)
    planned = {e.system_id for e in effects if isinstance(e, SystemAction)}
    assert "sfo_betaling" not in planned and "elevadministration" in planned  # a refused system is not touched
    from domain.requests.case import system_for_action
    tables = [t.name for t in system_for_action(case, "elevadministration").connector.tables]
    assert "fravaer" not in tables and "elever" in tables  # the connector never sees the refused table
    _finish_systems(case, {"foto": [d.TableOutcome(table="foto_samtykke", deleted=1)]})
    letter = case.answers[-1].text_da
    assert "Vi har slettet (art. 17):" in letter and "samtykke til fotos: 1 registrering(er)" in letter
    assert "Vi har imødekommet din anmodning delvist" in letter
    assert "SFO-betalinger: Betalinger er regnskabsmateriale" in letter
    assert "art. 17, stk. 3, litra b" in letter and "art. 17, stk. 3, litra d" in letter
    assert "Elevadministration, fravær: Fraværet indgår" in letter
    assert "Du kan klage over afslaget til Datatilsynet og indbringe det for domstolene (art. 12, stk. 4)." in letter
    assert "legal_obligation" not in letter and "archiving" not in letter
    from domain.requests.register import build_request_entry
    assert "Betalinger er regnskabsmateriale" in build_request_entry(case, NOW).refused_parts


def test_a_partial_refusal_needs_a_fitting_basis_and_cannot_refuse_everything():
    with pytest.raises(ValidationError, match="basis"):
        d.RefusePart(actor=KP, system_id="papirarkiv", reasons="x")
    with pytest.raises(ValidationError, match="reasons"):
        d.RefusePart(actor=KP, system_id="papirarkiv", basis="dbl_22")
    case, _ = open_request(_input(type="erasure"), NOW)
    with pytest.raises(Rejection, match="does not limit this kind of request"):
        act(case, T.REFUSE_PART, _part("papirarkiv", "dbl_22"), NOW)  # § 22 limits access, not erasure
    with pytest.raises(Rejection, match="a system \\(and table\\) the request covers"):
        act(case, T.REFUSE_PART, _part("elevadministration", "legal_obligation", table="ukendt"), NOW)
    systems = [s.id for s in case.inp.inventory.systems]
    for system_id in systems[:-1]:
        act(case, T.REFUSE_PART, _part(system_id, "legal_obligation"), NOW)
    with pytest.raises(Rejection, match="would refuse everything .* use 'refuse'"):
        act(case, T.REFUSE_PART, _part(systems[-1], "legal_obligation"), NOW)
    with pytest.raises(Rejection, match="already refused"):
        act(case, T.REFUSE_PART, _part(systems[0], "legal_obligation", table="elever"), NOW)
    act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN), NOW)
    act(case, T.ASSESS_ERASURE, d.AssessErasure(actor=KP, purpose_no_longer_present=True,
                                                no_outstanding_obligations=True, reasons="r"), NOW)
    with pytest.raises(Rejection, match="too late to refuse a part"):
        act(case, T.REFUSE_PART, _part(systems[-1], "legal_obligation", reasons="For sent"), NOW)


def test_access_can_leave_out_an_exempt_system_while_collecting_and_the_rest_is_answered():
    case, _ = open_request(_input(), NOW)
    act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN), NOW)
    assert case.state == "processing" and case.result("papirarkiv").status is d.SystemStatus.PENDING
    act(case, T.REFUSE_PART, _part("papirarkiv", "dbl_22", reasons="Sagen om skolevejen er under efterforskning"),
        NOW)
    assert case.result("papirarkiv").status is d.SystemStatus.DONE  # the owner's task no longer holds the answer
    for slot in case.systems:
        if slot.status is d.SystemStatus.PENDING:
            record_system_result(case, d.SystemResult(system_id=slot.system_id), NOW)
    act(case, T.SYSTEMS_DONE, d.SystemsDone(actor=ENGINE), NOW)
    letter = case.answers[-1].text_da
    assert "Papirarkiv på kontoret:\n" not in letter  # not among what we give
    assert "Papirarkiv på kontoret: Sagen om skolevejen er under efterforskning" in letter
    assert "databeskyttelseslovens § 22" in letter
    from domain.requests.case import export_systems
    assert "papirarkiv" not in [r.system_id for r in export_systems(case)]


# --- information about other persons in an access answer: Art. 15(4) ----------------------------

EMERGENCY = "Morfar Jens Poulsen, 20 11 22 33"
PUPIL = d.TableOutcome(table="elever", rows=[{"elevnummer": "E1001", "navn": "Emil Jensen", "noedkontakt": EMERGENCY}])


def test_information_about_another_person_is_left_out_of_the_export_and_the_letter_says_why():
    from domain.requests.case import export_systems
    case, _ = open_request(_input(), NOW)
    act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN), NOW)
    _finish_systems(case, {"elevadministration": [PUPIL]})
    exported = next(r for r in export_systems(case) if r.system_id == "elevadministration").tables[0].rows[0]
    assert exported == {"elevnummer": "E1001", "navn": "Emil Jensen", "noedkontakt": d.THIRD_PARTY_REDACTED}
    letter = case.answers[-1].text_da
    assert "Oplysninger om andre personer er udeladt af bilaget" in letter and "art. 15, stk. 4" in letter
    assert "Elevadministration: nødkontakt (navn og telefonnummer på en anden person)" in letter
    assert EMERGENCY not in letter and "noedkontakt" not in letter


def test_information_about_another_person_is_given_after_a_reasoned_decision_named_in_the_letter():
    from domain.requests.case import export_systems
    case, _ = open_request(_input(), NOW)
    release = d.ReleaseThirdPartyData(actor=KP, system_id="elevadministration", table="elever", column="navn",
                                      ground="consent", reasons="x")
    with pytest.raises(Rejection, match="marks as holding information about other persons.*elever.noedkontakt"):
        act(case, T.RELEASE_THIRD_PARTY_DATA, release, NOW)
    act(case, T.RELEASE_THIRD_PARTY_DATA, release.model_copy(update={
        "column": "noedkontakt", "reasons": "Morfar har skriftligt givet samtykke 3. november"}), NOW)
    act(case, T.VERIFY_IDENTITY, _verify(verified_email=KAREN), NOW)
    _finish_systems(case, {"elevadministration": [PUPIL]})
    exported = next(r for r in export_systems(case) if r.system_id == "elevadministration").tables[0].rows[0]
    assert exported["noedkontakt"] == EMERGENCY
    letter = case.answers[-1].text_da
    assert "Bilaget indeholder også oplysninger om en anden person" in letter
    assert "den anden person har givet samtykke til, at du får oplysningen. Morfar har skriftligt" in letter
    assert "er udeladt af bilaget" not in letter
    with pytest.raises(Rejection, match="not possible in state 'answer_review'"):
        act(case, T.RELEASE_THIRD_PARTY_DATA, release.model_copy(update={"column": "noedkontakt"}), NOW)
    erasure, _ = open_request(_input(type="erasure"), NOW)
    with pytest.raises(Rejection, match="access or portability export"):
        act(erasure, T.RELEASE_THIRD_PARTY_DATA, release.model_copy(update={"column": "noedkontakt"}), NOW)


def test_the_inventory_marks_only_data_columns_as_about_other_persons():
    from domain.requests.inventory import SqlTable
    with pytest.raises(ValidationError, match="third_party"):
        SqlTable(name="elever", key="id", match={"elevnummer": "elevnummer"}, columns=["navn"],
                 third_party={"noedkontakt": "nødkontakt"})
