"""End to end with the real server and SMTP: verified addresses, encrypted exports, Art. 16, 19, 21(3)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import pyzipper
from temporalio.client import WorkflowUpdateFailedError

from domain import dsr_model as d
from domain.model import Actor, Role
from temporal_client import failure_message
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
