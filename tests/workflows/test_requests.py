"""Every request type end to end against the example school database, with real SMTP."""

from __future__ import annotations

import json
import os
import re
from email.message import EmailMessage
from pathlib import Path

import pyzipper

from temporalio.worker import Replayer

from domain.requests import model as d
from app.cli.crypto import decrypted
from scripts.example_school import TEST_FAMILIES
from tests.support import DPO, KEY_PERSON, MailBox, RequestDriver
from tests.workflows.support import REQUEST_FIXTURE as FIXTURE
from workflows.request import DataSubjectRequestWorkflow


E = "E1001"
EMAIL = "karen.jensen@example.dk"


def _answer_mail(mailbox: MailBox, request_id: str):
    return next(m for m in mailbox.for_case(request_id) if "Svar på din anmodning" in m["Subject"])


def _password(mailbox: MailBox, request_id: str) -> str:
    mail = next(m for m in mailbox.for_case(request_id) if "Adgangskode til bilaget" in m["Subject"])
    return re.search(r"Adgangskode til \S+: (\S+)", mail.get_body(("plain",)).get_content()).group(1)


def _open_attachment(mail: EmailMessage, password: str, tmp_path: Path) -> pyzipper.AESZipFile:
    path = tmp_path / "bilag.zip"
    path.write_bytes(next(mail.iter_attachments()).get_content())
    archive = pyzipper.AESZipFile(path)
    archive.setpassword(password.encode())
    return archive


async def test_access_collects_every_system_and_sends_letter_and_json_export(requests: RequestDriver, mailbox: MailBox,
                                                                             tmp_path: Path):
    handle = await requests.open("access")
    await requests.verify(handle)
    view = await requests.wait_state(handle, "processing")
    assert view.systems_pending == ["papirarkiv"]  # the manual system waits for its owner
    await requests.complete_archive(handle, result="Én mappe: indskrivningsblanket fra 2020")
    await requests.approve(handle)
    result = await handle.result()
    assert result.state == "closed" and result.in_time

    mail = _answer_mail(mailbox, handle.id)
    letter = mail.get_body(("plain",)).get_content()
    assert "elever: 1 registrering(er)" in letter and "indskrivningsblanket" in letter
    assert "Emil Jensen" not in letter and "klassefoto-6B.jpg" not in letter  # values only in the encrypted export
    assert "Mailudbyder (databehandler) (tredjeland: USA" in letter and "Datatilsynet" in letter
    with _open_attachment(mail, _password(mailbox, handle.id), tmp_path) as archive:
        export = json.loads(archive.read(f"{handle.id}-indsigt.json"))
    assert export["systems"]["elevadministration"]["tables"]["karakterer"][0]["fag"] == "Dansk"
    assert export["systems"]["foto"]["tables"]["foto_samtykke"][0]["billede"] == "klassefoto-6B.jpg"
    assert requests.rows("select count(*) from elever where elevnummer=?", E) == [(1,)]  # nothing changed


async def test_erasure_deletes_what_may_go_and_keeps_and_names_what_must_stay(requests: RequestDriver, mailbox: MailBox):
    handle = await requests.open("erasure")
    await requests.verify(handle)
    await requests.act(handle, "assess_erasure", d.AssessErasure(
        actor=KEY_PERSON, purpose_no_longer_present=True, no_outstanding_obligations=True,
        reasons="Familien er fraflyttet; intet udestående"))
    await requests.wait_state(handle, "processing")
    await requests.complete_archive(handle, result="Mappe makuleret", kept_reason=None)
    await requests.approve(handle)
    await handle.result()

    assert requests.rows("select count(*) from foto_samtykke where elevnummer=?", E) == [(0,)]  # consent
    assert requests.rows("select count(*) from nyhedsbrev where email=?", EMAIL) == [(0,)]
    assert requests.rows("select count(*) from fravaer where elevnummer=?", E) == [(0,)]
    assert requests.rows("select count(*) from karakterer where elevnummer=?", E) == [(2,)]  # archive law
    assert requests.rows("select count(*) from betalinger where foraelder_email=?", EMAIL) == [(1,)]  # bookkeeping
    assert requests.rows("select count(*) from elever where elevnummer != ?", E)[0][0] == 29 + len(TEST_FAMILIES)  # others untouched
    letter = _answer_mail(mailbox, handle.id).get_body(("plain",)).get_content()
    assert "Bogføringsloven § 10" in letter and "arkivloven" in letter and "Mappe makuleret" in letter
    assert "Vi har underrettet disse modtagere af dine oplysninger om ændringen" in letter

    history = await handle.fetch_history()
    await Replayer(workflows=[DataSubjectRequestWorkflow], data_converter=requests.env.client.data_converter).replay_workflow(history)
    if os.environ.get("GDPR_WRITE_FIXTURES"):
        codec = requests.env.client.data_converter.payload_codec
        assert codec is not None
        plain = await decrypted(history, codec)  # fixtures replay under any key
        FIXTURE.write_text(json.dumps(plain.to_json_dict(), indent=1))


async def test_erasure_while_the_purpose_remains_still_erases_consent_based_data(requests: RequestDriver):
    handle = await requests.open("erasure")
    await requests.verify(handle)
    await requests.act(handle, "assess_erasure", d.AssessErasure(
        actor=KEY_PERSON, purpose_no_longer_present=False, no_outstanding_obligations=True,
        reasons="Emil går stadig på skolen"))
    await requests.wait_state(handle, "processing")
    assert requests.rows("select count(*) from foto_samtykke where elevnummer=?", E) == [(0,)]
    assert requests.rows("select count(*) from fravaer where elevnummer=?", E) == [(1,)]


async def test_rectification_changes_the_field_and_shows_before_and_after(requests: RequestDriver, mailbox: MailBox):
    handle = await requests.open("rectification", corrections=[
        {"system_id": "elevadministration", "table": "elever", "column": "adresse", "new_value": "Havnegade 3, 8000 Aarhus C"}])
    await requests.verify(handle)
    await requests.approve(handle)
    await handle.result()
    assert requests.rows("select adresse from elever where elevnummer=?", E) == [("Havnegade 3, 8000 Aarhus C",)]
    letter = _answer_mail(mailbox, handle.id).get_body(("plain",)).get_content()
    assert "'Skolevej 12, 8000 Aarhus C' → 'Havnegade 3, 8000 Aarhus C'" in letter
    assert "Styrelsen for It og Læring (STIL)" in letter  # Art. 19 recipients


async def test_restriction_marks_rows_keeps_a_register_and_is_lifted_by_a_decision(requests: RequestDriver,
                                                                                    mailbox: MailBox):
    handle = await requests.open("restriction")
    await requests.verify(handle)
    await requests.wait_state(handle, "processing")
    assert requests.rows("select begraenset from elever where elevnummer=?", E) == [(1,)]
    assert requests.rows("select begraenset from fravaer where elevnummer=?", E) == [(1,)]
    await requests.complete_archive(handle)
    view = await requests.approve(handle)
    assert view.state == "restricted"
    await requests.act(handle, "lift_restriction", d.LiftRestriction(actor=KEY_PERSON, reasons="Adressen er bekræftet"))
    await handle.result()
    assert requests.rows("select begraenset from elever where elevnummer=?", E) == [(0,)]
    subjects = [m["Subject"] for m in mailbox.for_case(handle.id)]
    assert any("Begrænsningen ophæves" in s for s in subjects)


async def test_portability_sends_an_archive_with_json_csv_and_manifest_and_transfers_it(
        requests: RequestDriver, mailbox: MailBox, tmp_path: Path):
    handle = await requests.open("portability", transfer_to="modtagelse@ny-skole.example")
    await requests.verify(handle, confirm_transfer_to="modtagelse@ny-skole.example",
                          transfer_confirmation="Bekræftet ved opringning til den nye skoles kontor")
    await requests.approve(handle)
    await handle.result()
    mail = _answer_mail(mailbox, handle.id)
    with _open_attachment(mail, _password(mailbox, handle.id), tmp_path) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        photos = json.loads(archive.read("foto/foto_samtykke.json"))
    assert {"foto/foto_samtykke.json", "foto/foto_samtykke.csv", "manifest.json"} == names
    assert {f["path"] for f in manifest["files"]} <= names and photos[0]["billede"] == "klassefoto-6B.jpg"
    letter = mail.get_body(("plain",)).get_content()
    assert "Elevadministration: behandles på grundlag af myndighedsudøvelse" in letter  # Art. 20(3), explained
    assert "Efter dit ønske er oplysningerne også overført" in letter
    transfer = next(m for m in mailbox.for_case(handle.id) if "modtagelse@ny-skole.example" in m["To"])
    assert next(transfer.iter_attachments()).get_filename().endswith(".zip")


async def test_objection_accepted_stops_the_processing(requests: RequestDriver):
    handle = await requests.open("objection", objection_processing="Nyhedsbrevet")
    await requests.verify(handle)
    await requests.act(handle, "decide_objection", d.DecideObjection(
        actor=KEY_PERSON, accept=True, reasons="Ingen vægtige grunde til at fortsætte"))
    await requests.wait_state(handle, "processing")
    await requests.complete_archive(handle)
    await requests.approve(handle)
    await handle.result()
    assert requests.rows("select frameldt from nyhedsbrev where email=?", EMAIL) == [(1,)]


async def test_objection_refused_is_answered_with_reasons(requests: RequestDriver, mailbox: MailBox):
    handle = await requests.open("objection", objection_processing="Fraværsregistrering")
    await requests.verify(handle)
    await requests.act(handle, "decide_objection", d.DecideObjection(
        actor=KEY_PERSON, accept=False, reasons="Fravær registreres efter folkeskoleloven"))
    await requests.approve(handle)
    await handle.result()
    letter = _answer_mail(mailbox, handle.id).get_body(("plain",)).get_content()
    assert "vægtige legitime grunde" in letter and "Fravær registreres efter folkeskoleloven" in letter
    assert requests.rows("select frameldt from nyhedsbrev where email=?", EMAIL) == [(0,)]


async def test_a_rejected_answer_is_revised_and_every_version_kept(requests: RequestDriver):
    handle = await requests.open("rectification", corrections=[
        {"system_id": "elevadministration", "table": "elever", "column": "klasse", "new_value": "6.C"}])
    await requests.verify(handle)
    await requests.wait_state(handle, "answer_review")
    await requests.act(handle, "review_answer", d.ReviewAnswer(actor=DPO, approve=False, comments="Nævn klasselæreren"))
    await requests.act(handle, "revise_answer", d.ReviseAnswer(actor=KEY_PERSON, note="Klasselæreren er orienteret."))
    await requests.approve(handle)
    details = await handle.query("details", result_type=d.RequestCase)
    assert [a.approved for a in details.answers] == [False, True]
    assert "Klasselæreren er orienteret." in details.answers[1].text_da
