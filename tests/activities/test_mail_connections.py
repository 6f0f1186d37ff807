"""Mail over kept SMTP connections: one connection for many mails, a new one when the server closed it; and
messages built as the standard library builds them."""

from __future__ import annotations

import email.policy
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from temporalio.testing import ActivityEnvironment

from activities import mail as mail_module
from activities.db import make_engine, outbox
from activities.mail import MailActivities, SmtpSettings, build_message, message_id_for
from domain.kernel.mail import OutgoingMail
from app.mailsink import KeepingHandler, free_port

CASE = "breach-2026-0077"


class PeerHandler(KeepingHandler):
    """Keeps each message and the client end (address, port) of the connection it came on."""

    def __init__(self) -> None:
        super().__init__()
        self.peers: list[tuple[str, int]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd API
        self.peers.append(session.peer)
        return await super().handle_DATA(server, session, envelope)


def _mail(n: int) -> OutgoingMail:
    return OutgoingMail(key=f"{CASE}.step-{n}", case_id=CASE, to=["dpo@skole.dk"], subject=f"Emne {n}", body="Tekst")


def _start(handler: PeerHandler, port: int) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def test_mails_one_after_another_share_one_connection_and_each_keeps_its_message_id(tmp_path: Path):
    port, handler = free_port(), PeerHandler()
    controller = _start(handler, port)
    activities = MailActivities(SmtpSettings(host="127.0.0.1", port=port, sender="gdpr@skole.dk"),
                                make_engine(f"sqlite:///{tmp_path}/r.db"))
    try:
        sent = [ActivityEnvironment().run(activities.send_mail, _mail(n)) for n in range(3)]
    finally:
        activities.close()
        controller.stop()
    assert sent == [message_id_for(f"{CASE}.step-{n}") for n in range(3)]
    assert [m["Message-ID"] for m in handler.snapshot()] == sent
    assert len(set(handler.peers)) == 1


def test_a_connection_the_server_closed_is_replaced_and_the_mail_goes_in_the_same_attempt(tmp_path: Path):
    port, first = free_port(), PeerHandler()
    controller = _start(first, port)
    engine = make_engine(f"sqlite:///{tmp_path}/r.db")
    activities = MailActivities(SmtpSettings(host="127.0.0.1", port=port, sender="gdpr@skole.dk"), engine)
    ActivityEnvironment().run(activities.send_mail, _mail(1))
    controller.stop()  # the server goes away (a restart): the kept connection is dead
    second = PeerHandler()
    controller = _start(second, port)
    try:
        assert ActivityEnvironment().run(activities.send_mail, _mail(2)) == message_id_for(f"{CASE}.step-2")
    finally:
        activities.close()
        controller.stop()
    assert [m["Message-ID"] for m in second.snapshot()] == [message_id_for(f"{CASE}.step-2")]
    with engine.connect() as conn:
        row = conn.execute(select(outbox).where(outbox.c.mail_key == f"{CASE}.step-2")).mappings().one()
    assert row["status"] == "sent" and row["attempts"] == 1


def test_a_connection_idle_too_long_is_not_used_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(mail_module, "SMTP_IDLE_SECONDS", 0.0)
    port, handler = free_port(), PeerHandler()
    controller = _start(handler, port)
    activities = MailActivities(SmtpSettings(host="127.0.0.1", port=port, sender="gdpr@skole.dk"),
                                make_engine(f"sqlite:///{tmp_path}/r.db"))
    try:
        for n in range(2):
            ActivityEnvironment().run(activities.send_mail, _mail(n))
    finally:
        activities.close()
        controller.stop()
    assert len(handler.snapshot()) == 2 and len(set(handler.peers)) == 2


def test_a_refused_mail_drops_its_connection_and_the_next_mail_goes_on_a_new_one(tmp_path: Path):
    class RefusingOnce(PeerHandler):
        refused = False

        async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd API
            if not self.refused:
                self.refused = True
                self.peers.append(session.peer)
                return "451 Try again later"
            return await super().handle_DATA(server, session, envelope)

    port, handler = free_port(), RefusingOnce()
    controller = _start(handler, port)
    activities = MailActivities(SmtpSettings(host="127.0.0.1", port=port, sender="gdpr@skole.dk"),
                                make_engine(f"sqlite:///{tmp_path}/r.db"))
    try:
        with pytest.raises(Exception, match="SMTP 451"):
            ActivityEnvironment().run(activities.send_mail, _mail(1))
        ActivityEnvironment().run(activities.send_mail, _mail(1))  # the activity's retry
    finally:
        activities.close()
        controller.stop()
    assert [m["Message-ID"] for m in handler.snapshot()] == [message_id_for(f"{CASE}.step-1")]
    assert len(set(handler.peers)) == 2


def test_a_message_is_byte_for_byte_the_one_the_standard_policy_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    attachment = tmp_path / "bilag.pdf"
    attachment.write_bytes(b"%PDF-1.4 bilag")
    mail = OutgoingMail(key=f"{CASE}.opened", case_id=CASE, to=["dpo@skole.dk", "Leder <leder@skole.dk>"],
                        subject="Nyt muligt brud på persondatasikkerheden – æøå " + "lang emnelinje " * 6,
                        body="Hej\n\nÅbn sagen i arbejdsrummet.\n" * 20, attachments=[str(attachment)])
    now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    def built() -> bytes:  # the multipart boundary is random: the same one for both
        return re.sub(rb"=+\d+==", b"BOUNDARY", build_message(mail, "gdpr-sager@skole.dk", now).as_bytes())

    ours = built()
    monkeypatch.setattr(mail_module, "MAIL_POLICY", email.policy.default)
    assert b"BOUNDARY" in ours and ours == built()
