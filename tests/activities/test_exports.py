"""Encrypted exports and their password mail, against real SQLite and a real SMTP server."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import pyzipper
from sqlalchemy import Engine, select
from temporalio.testing import ActivityEnvironment

from activities.db import make_engine
from activities.exports import ExportActivities, ExportRequest, export_passwords
from activities.mail import MailActivities, SmtpSettings
from domain.requests.case import ExportPassword
from domain.requests.model import SystemResult, TableOutcome
from domain.kernel.mail import OutgoingMail
from tests.support import MailBox

ROWS = [SystemResult(system_id="elevadministration", tables=[TableOutcome(
    table="elever", rows=[{"navn": "Emil Jensen", "cpr": "010112-1234"}])])]


def _exports(tmp_path: Path, smtp, database_url: str | None = None) -> tuple[ExportActivities, Engine]:
    engine = make_engine(database_url or f"sqlite:///{tmp_path}/r.db")
    mail = MailActivities(SmtpSettings(host="127.0.0.1", port=smtp[0], sender="gdpr@skole.dk"), engine)
    return ExportActivities(tmp_path / "exports", engine, mail), engine


def _stored(engine, request_id: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(export_passwords.c.password)
                                 .where(export_passwords.c.request_id == request_id)).scalars())


def _password_mail(request_id: str) -> ExportPassword:
    mail = OutgoingMail(key=f"{request_id}.export-password", case_id=request_id, to=["kp@skole.dk"],
                        subject=f"[{request_id}] Adgangskode", body="Giv den videre.\n\n-- \nSkole\n")
    return ExportPassword(mail=mail, files=[f"/x/{request_id}-indsigt.zip"])


def test_an_access_export_is_an_aes_zip_whose_password_is_not_returned_and_a_retry_reuses_it(
        tmp_path: Path, smtp, database_url: str):
    exports, engine = _exports(tmp_path, smtp, database_url)
    request_id = f"dsr-2026-{uuid.uuid4().int % 10**8:08d}"
    req = ExportRequest(request_id=request_id, type="access", systems=ROWS)
    first = ActivityEnvironment().run(exports.write_exports, req)
    second = ActivityEnvironment().run(exports.write_exports, req)  # a retry after a lost result
    [password] = _stored(engine, request_id)
    assert first == second and password not in json.dumps(first)
    raw = Path(first[0]).read_bytes()
    assert b"010112-1234" not in raw and b"Emil" not in raw
    with pyzipper.AESZipFile(first[0]) as archive:
        with pytest.raises(RuntimeError, match="requires a password"):
            archive.read(f"{request_id}-indsigt.json")
        archive.setpassword(password.encode())
        assert json.loads(archive.read(f"{request_id}-indsigt.json"))["systems"]["elevadministration"]


def test_the_password_mail_is_sent_once_and_the_stored_password_is_then_forgotten(tmp_path: Path, smtp,
                                                                                  mailbox: MailBox):
    exports, engine = _exports(tmp_path, smtp)
    request_id = f"dsr-2026-{uuid.uuid4().int % 10**8:08d}"
    ActivityEnvironment().run(exports.write_exports, ExportRequest(request_id=request_id, type="access", systems=ROWS))
    [password] = _stored(engine, request_id)
    with engine.connect() as conn:  # as SQLite does on its own now and then: the row moves into the main file
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    ActivityEnvironment().run(exports.send_export_password, _password_mail(request_id))
    ActivityEnvironment().run(exports.send_export_password, _password_mail(request_id))  # a retry
    mails = mailbox.for_case(request_id)
    assert len(mails) == 1 and f"Adgangskode til {request_id}-indsigt.zip: {password}" in mails[0].get_content()
    assert password in mails[0].get_content().split("-- ")[0]  # above the signature
    assert _stored(engine, request_id) == []
    for path in tmp_path.glob("r.db*"):  # not left in a free page or the write-ahead log either
        assert password.encode() not in path.read_bytes(), path.name


def test_a_missing_password_is_said_in_the_mail_instead_of_failing_the_case(tmp_path: Path, smtp, mailbox: MailBox,
                                                                           database_url: str):
    exports, _ = _exports(tmp_path, smtp, database_url)
    request_id = f"dsr-2026-{uuid.uuid4().int % 10**8:08d}"
    ActivityEnvironment().run(exports.send_export_password, _password_mail(request_id))
    assert "findes ikke længere" in mailbox.for_case(request_id)[0].get_content()
