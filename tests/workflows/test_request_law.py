"""End to end with the real server and SMTP: verified addresses, encrypted exports, Art. 16, 19, 21(3), fees,
partial refusals and other persons' information in an export (Art. 15(4))."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import pyzipper
from temporalio.client import WorkflowUpdateFailedError

from domain.requests import model as d
from domain.kernel.model import Actor, Role
from app.temporal_client import failure_message
from scripts.example_school import DEMO_EMERGENCY_CONTACT
from tests.support import KEY_PERSON, MailBox, RequestDriver

KAREN = "karen.jensen@example.dk"
IMPOSTOR = "karen.jensen@falsk-skole.example"
NEW_SCHOOL = "modtagelse@ny-skole.example"


def _to(mailbox: MailBox, request_id: str, address: str) -> list:
    return [m for m in mailbox.for_case(request_id) if address in m["To"]]


def _text(mail) -> str:
    return mail.get_body(("plain",)).get_content()


async def test_an_impostors_typed_address_never_receives_the_answer_or_the_export(requests: RequestDriver,
                                                                                 mailbox: MailBox):
    handle = await requests.open("access", requester={"name": "Karen Jensen", "email": IMPOSTOR})
    await requests.verify(handle, verified_email=KAREN)  # the address in the school's own records
    await requests.wait_state(handle, "processing")
    await requests.complete_archive(handle)
    await requests.approve(handle)
    await handle.result()
    to_impostor = _to(mailbox, handle.id, IMPOSTOR)
    assert [m["Subject"] for m in to_impostor] == [f"[{handle.id}] Vi har modtaget din anmodning"]
    assert not any(m.is_multipart() for m in to_impostor)
    answer = next(m for m in _to(mailbox, handle.id, KAREN) if "Svar på din anmodning" in m["Subject"])
    assert next(answer.iter_attachments()).get_filename().endswith("-indsigt.zip")


async def test_an_unconfirmed_transfer_address_receives_nothing(requests: RequestDriver, mailbox: MailBox):
    handle = await requests.open("portability", transfer_to=NEW_SCHOOL)
    await requests.verify(handle)  # the new school's address was not confirmed
    await requests.approve(handle)
    await handle.result()
    assert _to(mailbox, handle.id, NEW_SCHOOL) == []
    answer = next(m for m in _to(mailbox, handle.id, KAREN) if "Svar på din anmodning" in m["Subject"])
    assert f"Vi har ikke overført oplysningerne til {NEW_SCHOOL}" in _text(answer)


async def test_the_export_opens_only_with_its_password_which_is_in_no_payload_and_not_in_the_answer(
        requests: RequestDriver, mailbox: MailBox, tmp_path: Path):
    handle = await requests.open("access")
    await requests.verify(handle, verified_phone="+45 20 30 40 50")
    await requests.wait_state(handle, "processing")
    await requests.complete_archive(handle)
    await requests.approve(handle)
    await handle.result()
    answer = next(m for m in mailbox.for_case(handle.id) if "Svar på din anmodning" in m["Subject"])
    archive_path = tmp_path / "bilag.zip"
    archive_path.write_bytes(next(answer.iter_attachments()).get_content())
    password_mail = await _password_mail(mailbox, handle.id)
    assert password_mail["To"] == requests.settings.key_person.email and not password_mail.is_multipart()
    password = re.search(r"Adgangskode til \S+: (\S+)", _text(password_mail)).group(1)

    with pyzipper.AESZipFile(archive_path) as archive, pytest.raises(RuntimeError, match="requires a password"):
        archive.read(f"{handle.id}-indsigt.json")
    with pyzipper.AESZipFile(archive_path) as archive, pytest.raises(RuntimeError, match="Bad password"):
        archive.setpassword(b"forkert")
        archive.read(f"{handle.id}-indsigt.json")
    with pyzipper.AESZipFile(archive_path) as archive:
        archive.setpassword(password.encode())
        export = json.loads(archive.read(f"{handle.id}-indsigt.json"))
    assert export["systems"]["elevadministration"]["tables"]["elever"][0]["navn"] == "Emil Jensen"

    assert password not in answer.as_string()
    converter = requests.env.client.data_converter
    payloads = [p for event in (await handle.fetch_history()).events for p in _payloads(event)]
    assert len(payloads) > 20  # inputs, updates, activity arguments and results
    decoded = json.dumps(await converter.decode(payloads), default=str, ensure_ascii=False)
    assert "Emil Jensen" in decoded  # the check can see personal data in the history (the export rows)
    assert password not in decoded


async def test_recipients_are_told_of_a_rectification_and_the_letter_names_them(requests: RequestDriver,
                                                                                mailbox: MailBox):
    handle = await requests.open("rectification", corrections=[
        {"system_id": "elevadministration", "table": "elever", "column": "adresse", "new_value": "Havnegade 3"}])
    await requests.verify(handle)
    await requests.approve(handle)
    await handle.result()
    stil = _to(mailbox, handle.id, "persondata@stil.example")
    assert len(stil) == 1 and "Havnegade 3" in _text(stil[0]) and "art. 19" in _text(stil[0])
    owner_task = next(m for m in _to(mailbox, handle.id, "sekretaer@eksempel-skole.dk")
                      if "underret Kommunens Pædagogisk Psykologisk Rådgivning" in m["Subject"])
    assert "Havnegade 3" in _text(owner_task)
    answer = next(m for m in _to(mailbox, handle.id, KAREN) if "Svar på din anmodning" in m["Subject"])
    assert "Vi har underrettet disse modtagere" in _text(answer) and "Styrelsen for It og Læring" in _text(answer)


async def test_a_supplementary_statement_waits_for_the_owner_and_changes_no_row(requests: RequestDriver,
                                                                               mailbox: MailBox):
    statement = "Fraværet i marts skyldtes en hospitalsindlæggelse"
    before = requests.rows("select * from elever where elevnummer='E1001'")
    handle = await requests.open("rectification", statements=[
        {"system_id": "elevadministration", "statement": statement}])
    await requests.verify(handle)
    view = await requests.wait_state(handle, "processing")
    assert view.systems_pending == ["elevadministration"]
    task = next(m for m in _to(mailbox, handle.id, "sekretaer@eksempel-skole.dk") if "Opgave i" in m["Subject"])
    assert statement in _text(task)
    await requests.act(handle, "complete_manual_task", d.CompleteManualTask(
        actor=Actor(name="Hanne Holm", role=Role.SYSTEM_OWNER), system_id="elevadministration",
        result="Erklæringen er tilføjet elevens journal"))
    await requests.approve(handle)
    await handle.result()
    assert requests.rows("select * from elever where elevnummer='E1001'") == before
    answer = next(m for m in _to(mailbox, handle.id, KAREN) if "Svar på din anmodning" in m["Subject"])
    assert statement in _text(answer)


async def test_refusing_an_objection_to_direct_marketing_is_refused_before_history(requests: RequestDriver):
    handle = await requests.open("objection", objection_processing="Tilbud fra skolefotografen",
                                 objection_direct_marketing=True)
    await requests.verify(handle)
    await requests.wait_state(handle, "objection_assessment")
    before = len((await handle.fetch_history()).events)
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update("decide_objection", d.DecideObjection(
            actor=KEY_PERSON, accept=False, reasons="Vi vil gerne fortsætte"))
    assert "direct marketing is absolute (Art. 21(3))" in failure_message(failure.value)
    assert len((await handle.fetch_history()).events) == before
    await handle.terminate("test done")  # `gdpr requests` elsewhere lists every open request on the server


async def _export(mailbox: MailBox, request_id: str, tmp_path: Path) -> dict:
    """The answer's attachment, opened with the password the key person received."""
    answer = next(m for m in mailbox.for_case(request_id) if "Svar på din anmodning" in m["Subject"])
    archive_path = tmp_path / f"{request_id}.zip"
    archive_path.write_bytes(next(answer.iter_attachments()).get_content())
    password = re.search(r"Adgangskode til \S+: (\S+)", _text(await _password_mail(mailbox, request_id))).group(1)
    with pyzipper.AESZipFile(archive_path) as archive:
        archive.setpassword(password.encode())
        return json.loads(archive.read(f"{request_id}-indsigt.json"))


async def test_another_persons_information_is_left_out_of_the_real_export_and_the_letter_says_so(
        requests: RequestDriver, mailbox: MailBox, tmp_path: Path):
    assert requests.rows("select noedkontakt from elever where elevnummer='E1001'") == [(DEMO_EMERGENCY_CONTACT,)]
    handle = await requests.open("access")
    await requests.verify(handle)
    await requests.wait_state(handle, "processing")
    await requests.complete_archive(handle)
    await requests.approve(handle)
    await handle.result()
    export = await _export(mailbox, handle.id, tmp_path)
    pupil = export["systems"]["elevadministration"]["tables"]["elever"][0]
    assert pupil["navn"] == "Emil Jensen" and pupil["noedkontakt"] == "[oplysning om en anden person udeladt]"
    assert DEMO_EMERGENCY_CONTACT not in json.dumps(export, ensure_ascii=False)
    letter = _text(next(m for m in _to(mailbox, handle.id, KAREN) if "Svar på din anmodning" in m["Subject"]))
    assert "Oplysninger om andre personer er udeladt af bilaget" in letter and "art. 15, stk. 4" in letter
    assert "Det koster ikke noget at få dette svar (art. 12, stk. 5)." in letter


async def test_a_released_column_and_a_refused_system_shape_the_real_export_and_the_letter(
        requests: RequestDriver, mailbox: MailBox, tmp_path: Path):
    handle = await requests.open("access")
    await requests.verify(handle)
    await requests.wait_state(handle, "processing")  # the paper archive's owner has not reported yet
    await requests.act(handle, "release_third_party_data", d.ReleaseThirdPartyData(
        actor=KEY_PERSON, system_id="elevadministration", table="elever", column="noedkontakt", ground="consent",
        reasons="Morfar har givet skriftligt samtykke"))
    await requests.act(handle, "refuse_part", d.RefusePart(
        actor=KEY_PERSON, system_id="papirarkiv", basis="dbl_22",
        reasons="Mappen indgår i en verserende politisag om skolevejen"))
    await requests.approve(handle)  # no archive task left to wait for
    await handle.result()
    export = await _export(mailbox, handle.id, tmp_path)
    assert export["systems"]["elevadministration"]["tables"]["elever"][0]["noedkontakt"] == DEMO_EMERGENCY_CONTACT
    assert "papirarkiv" not in export["systems"]
    letter = _text(next(m for m in _to(mailbox, handle.id, KAREN) if "Svar på din anmodning" in m["Subject"]))
    assert "Morfar har givet skriftligt samtykke" in letter and "er udeladt af bilaget" not in letter
    assert "Papirarkiv på kontoret: Mappen indgår i en verserende politisag" in letter
    assert "databeskyttelseslovens § 22" in letter and "(art. 12, stk. 4)" in letter
    row = requests.register_row(handle.id)
    assert "Morfar har givet skriftligt samtykke" in row["third_party_released"]
    assert "dbl_22" in row["refused_parts"]


async def test_a_partial_refusal_of_an_erasure_keeps_the_refused_rows_and_the_rest_is_erased(
        requests: RequestDriver, mailbox: MailBox):
    handle = await requests.open("erasure")
    await requests.verify(handle)
    await requests.act(handle, "refuse_part", d.RefusePart(
        actor=KEY_PERSON, system_id="elevadministration", table="fravaer", basis="legal_claims",
        reasons="Fraværet indgår i en verserende klagesag"))
    await requests.act(handle, "refuse_part", d.RefusePart(
        actor=KEY_PERSON, system_id="foto", basis="legal_claims", reasons="Billedet indgår i samme klagesag"))
    await requests.act(handle, "assess_erasure", d.AssessErasure(
        actor=KEY_PERSON, purpose_no_longer_present=True, no_outstanding_obligations=True, reasons="Fraflyttet"))
    await requests.wait_state(handle, "processing")
    await requests.complete_archive(handle, result="Mappe makuleret")
    await requests.approve(handle)
    await handle.result()
    assert requests.rows("select count(*) from fravaer where elevnummer='E1001'") == [(1,)]  # refused: kept
    assert requests.rows("select count(*) from foto_samtykke where elevnummer='E1001'") == [(1,)]  # refused: kept
    assert requests.rows("select count(*) from nyhedsbrev where email=?", KAREN) == [(0,)]  # the rest: erased
    letter = _text(next(m for m in _to(mailbox, handle.id, KAREN) if "Svar på din anmodning" in m["Subject"]))
    assert "Elevadministration, fravær: Fraværet indgår i en verserende klagesag" in letter
    assert "Fotosamtykker og klassebilleder: Billedet indgår i samme klagesag" in letter
    assert "art. 17, stk. 3, litra e" in letter and "(art. 12, stk. 4)" in letter


async def test_refusing_every_part_is_refused_before_history(requests: RequestDriver):
    handle = await requests.open("access")
    systems = [s.id for s in requests.inventory().systems]
    for system_id in systems[:-1]:
        await requests.act(handle, "refuse_part", d.RefusePart(
            actor=KEY_PERSON, system_id=system_id, basis="dbl_22", reasons="Undtaget"))
    await requests.wait_state(handle, "received")
    before = len((await handle.fetch_history()).events)
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update("refuse_part", d.RefusePart(
            actor=KEY_PERSON, system_id=systems[-1], basis="dbl_22", reasons="Undtaget"))
    assert "use 'refuse' with its ground" in failure_message(failure.value)
    assert len((await handle.fetch_history()).events) == before
    await handle.terminate("test done")


async def test_a_fee_is_only_for_a_further_copy_and_the_letter_states_it(requests: RequestDriver, mailbox: MailBox):
    erasure = await requests.open("erasure")
    await requests.wait_state(erasure, "received")  # the receipt and the register row are written
    before = len((await erasure.fetch_history()).events)
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await erasure.execute_update("charge_fee", d.ChargeFee(
            actor=KEY_PERSON, ground="further_copy", amount_dkk="100", reasons="Kopi", cost_basis="15 min."))
    assert "access requests only (Art. 15(3))" in failure_message(failure.value)
    assert len((await erasure.fetch_history()).events) == before
    await erasure.terminate("test done")

    handle = await requests.open("access", further_copy_of="dsr-2026-0001")
    await requests.act(handle, "charge_fee", d.ChargeFee(
        actor=KEY_PERSON, ground="further_copy", amount_dkk="150", reasons="Fjerde kopi i år",
        cost_basis="24 minutters arbejde à 375 kr. i timen"))
    await requests.verify(handle)
    await requests.wait_state(handle, "processing")
    await requests.complete_archive(handle)
    await requests.approve(handle)
    await handle.result()
    notice = next(m for m in _to(mailbox, handle.id, KAREN) if "Gebyr for din anmodning" in m["Subject"])
    assert "150,00 kr." in _text(notice)
    letter = _text(next(m for m in _to(mailbox, handle.id, KAREN) if "Svar på din anmodning" in m["Subject"]))
    assert "Vi opkræver et gebyr på 150,00 kr." in letter and "For yderligere kopier" in letter
    assert '"ground":"further_copy"' in requests.register_row(handle.id)["fee"]


async def _password_mail(mailbox: MailBox, request_id: str):
    for _ in range(100):
        found = [m for m in mailbox.for_case(request_id) if "Adgangskode til bilaget" in m["Subject"]]
        if found:
            return found[0]
        await mailbox.wait_for(request_id, len(mailbox.for_case(request_id)) + 1, timeout=0.2)
    raise AssertionError("no password mail")


def _payloads(message) -> list:
    """Every payload a history event carries, however deeply nested (inputs, results, update arguments)."""
    found = []
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if hasattr(value, "ListFields"):
            values = [value]
        elif hasattr(value, "values"):  # a map, e.g. memo fields or headers
            values = list(value.values())
        else:  # a repeated field
            values = list(value)
        for item in values:
            if field.message_type.name == "Payload":
                found.append(item)
            elif not isinstance(item, (str, bytes)) and hasattr(item, "ListFields"):
                found += _payloads(item)
    return found
