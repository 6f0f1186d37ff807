"""How effects fail: classified (retry or not), scrubbed of personal data, and never sent twice by accident.

Real SQLite, real SMTP servers (aiosmtpd), a real process killed with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.db import breach_register, make_engine, outbox
from activities.failures import as_application_error, safe_text
from activities.mail import MailActivities, SmtpSettings, message_id_for
from activities.register import RegisterActivities, StepRecord
from domain.breach import case as domain_case
from domain.breach.machine import Trigger
from domain.breach.commands import AssessBreach
from domain.kernel.dead_letters import DeadLetter, EffectKind, operator_alert, parse_letter_id
from domain.kernel.mail import OutgoingMail
from domain.breach.register import build_register_entry
from app.mailsink import KeepingHandler, free_port
from tests.support import KEY_PERSON
from tests.unit.cases import NOW, new_case

ROOT = Path(__file__).resolve().parents[2]
CASE = "breach-2026-0098"


def _mail(key: str) -> OutgoingMail:
    return OutgoingMail(key=key, case_id=CASE, to=["dpo@skole.dk"], subject="Emne", body="Tekst")


class KillingHandler(KeepingHandler):
    """Keeps the message, then kills the sending process before it hears "250": a crash mid-send."""

    victim: int | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd API
        reply = await super().handle_DATA(server, session, envelope)
        if self.victim is not None:
            os.kill(self.victim, signal.SIGKILL)
            self.victim = None
        return reply


SEND_IN_CHILD = """
import sys
from temporalio.testing import ActivityEnvironment
from activities.db import make_engine
from activities.mail import MailActivities, SmtpSettings
from domain.breach.mail_texts import OutgoingMail
url, port, key = sys.argv[1], int(sys.argv[2]), sys.argv[3]
mail = MailActivities(SmtpSettings(host="127.0.0.1", port=port, sender="gdpr@skole.dk"), make_engine(url))
ActivityEnvironment().run(mail.send_mail, OutgoingMail(key=key, case_id=key.split(".")[0], to=["dpo@skole.dk"],
                                                       subject="Emne", body="Tekst"))
"""


def test_a_worker_killed_between_the_smtp_hand_off_and_the_record_resends_with_the_same_message_id(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/r.db"
    engine = make_engine(url)
    port = free_port()
    handler = KillingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    key = f"{CASE}.killed"
    try:
        child = subprocess.Popen([sys.executable, "-c", SEND_IN_CHILD, url, str(port), key], cwd=ROOT)
        handler.victim = child.pid
        assert child.wait(timeout=60) == -signal.SIGKILL
        with engine.connect() as conn:
            assert conn.execute(select(outbox.c.status).where(outbox.c.mail_key == key)).scalar() == "sending"
        # The retry (a new worker) sends again: the same Message-ID, so the receiver sees one message.
        mail = MailActivities(SmtpSettings(host="127.0.0.1", port=port, sender="gdpr@skole.dk"), engine)
        assert ActivityEnvironment().run(mail.send_mail, _mail(key)) == message_id_for(key)
    finally:
        controller.stop()
    ids = [m["Message-ID"] for m in handler.snapshot()]
    assert ids == [message_id_for(key), message_id_for(key)]
    with engine.connect() as conn:
        row = conn.execute(select(outbox).where(outbox.c.mail_key == key)).mappings().one()
    assert row["status"] == "sent" and row["attempts"] == 2


def _record(case, seq_event=None) -> StepRecord:
    return StepRecord(event=seq_event or case.timeline[-1], entry=build_register_entry(case, NOW))


def test_a_register_value_the_database_cannot_hold_fails_at_once_and_is_not_retried(database_url: str):
    register = RegisterActivities(make_engine(database_url))
    case = new_case()
    record = _record(case)
    too_big = record.model_copy(update={"entry": record.entry.model_copy(update={"approx_subjects": 2**64})})
    with pytest.raises(ApplicationError) as caught:
        ActivityEnvironment().run(register.record_step, too_big)
    # SQLite's driver cannot bind the value; PostgreSQL refuses it as out of range. Both are permanent.
    expected = "OverflowError" if database_url.startswith("sqlite") else "DataError"
    assert caught.value.non_retryable and caught.value.type == expected


def test_an_earlier_step_arriving_after_a_later_one_never_overwrites_the_register_row(database_url: str):
    engine = make_engine(database_url)
    register = RegisterActivities(engine)
    case = new_case()
    earlier = _record(case)
    domain_case.act(case, Trigger.ASSESS_BREACH, AssessBreach(actor=KEY_PERSON, is_breach=True, reason="Ja"), NOW)
    later = _record(case)
    env = ActivityEnvironment()
    env.run(register.record_step, later)
    env.run(register.record_step, earlier)  # effects run side by side: the older one may land last
    with engine.connect() as conn:
        row = conn.execute(select(breach_register.c.state, breach_register.c.last_seq)).one()
    assert tuple(row) == (case.state, later.event.seq) and later.event.seq > earlier.event.seq


def test_a_closed_mail_port_is_retried_and_a_refused_recipient_is_not(database_url: str):
    engine = make_engine(database_url)
    closed = MailActivities(SmtpSettings(host="127.0.0.1", port=free_port(), sender="gdpr@skole.dk"), engine)
    with pytest.raises(ApplicationError) as caught:
        ActivityEnvironment().run(closed.send_mail, _mail(f"{CASE}.closed-port"))
    assert not caught.value.non_retryable and caught.value.type == "ConnectionRefusedError"

    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802 - aiosmtpd API
            return "550 5.1.1 mailbox unknown"

    port = free_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        refusing = MailActivities(SmtpSettings(host="127.0.0.1", port=port, sender="gdpr@skole.dk"), engine)
        with pytest.raises(ApplicationError) as caught:
            ActivityEnvironment().run(refusing.send_mail, _mail(f"{CASE}.refused"))
    finally:
        controller.stop()
    assert caught.value.non_retryable and caught.value.type == "SMTPRecipientsRefused"
    assert "dpo@skole.dk" not in caught.value.message and "550" in caught.value.message


def test_error_texts_lose_sql_parameters_addresses_quoted_values_and_cpr_numbers():
    raw = ("(sqlite3.IntegrityError) NOT NULL constraint failed for 'Karen Jensen' karen.jensen@example.dk "
           "0101901234 and 010190-1234\n[SQL: INSERT INTO t (a) VALUES (?)]\n[parameters: ('Karen Jensen',)]")
    text = safe_text(raw)
    for personal in ("Karen", "Jensen", "karen.jensen@example.dk", "0101901234", "010190-1234", "parameters"):
        assert personal not in text
    assert text.startswith("(sqlite3.IntegrityError) NOT NULL constraint failed")
    wrapped = IntegrityError("INSERT INTO t VALUES (?)", ("Karen Jensen",), Exception("UNIQUE constraint failed: t.a"))
    assert as_application_error(wrapped).non_retryable
    assert as_application_error(wrapped).message == "Exception: UNIQUE constraint failed: t.a"
    locked = OperationalError("UPDATE t SET a = ?", ("Karen Jensen",), Exception("database is locked"))
    assert not as_application_error(locked).non_retryable and "Karen" not in as_application_error(locked).message
    assert not as_application_error(smtplib.SMTPServerDisconnected("gone")).non_retryable
    assert as_application_error(smtplib.SMTPDataError(554, b"rejected karen@example.dk")).message == "SMTP 554"


def test_the_operator_alert_is_plain_danish_without_personal_data_or_technical_codes():
    letter = DeadLetter(letter_id=f"{CASE}/2", case_id=CASE, effect_kind=EffectKind.REGISTER,
                        effect_key=f"{CASE}.step.3.contain", error_type="IntegrityError",
                        error_message="NOT NULL constraint failed", failed_at=NOW, failures=1, permanent=True)
    mail = operator_alert(letter, "drift@skole.dk")
    assert mail.to == ["drift@skole.dk"] and mail.case_id == CASE
    assert f"Fejlnummer: {CASE}/2" in mail.body and "registrering af et sagsskridt" in mail.body
    for code in ("IntegrityError", "constraint", "contain", "gdpr ", "register.", "seed", "issue"):
        assert code not in mail.body
    assert parse_letter_id(f" {CASE}/2 ") == (CASE, 2)
    for bad in ("", "2", f"{CASE}/", f"{CASE}/0", f"{CASE}/x", "/3"):
        with pytest.raises(ValueError):
            parse_letter_id(bad)

