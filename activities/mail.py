"""Mail activity: real SMTP, idempotent through an outbox keyed by Message-ID.

The Message-ID is derived from case id + step, so a retried activity never sends a
mail that is recorded as sent. If the process dies between the SMTP hand-off and the
outbox update, the retry resends with the *same* Message-ID, which mail systems (and
the local mail sink) treat as the same message.
"""

from __future__ import annotations

import hashlib
import mimetypes
import smtplib
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import Engine, insert, select, update
from temporalio import activity

from activities.db import outbox
from activities.failures import effect_errors
from domain.mail_texts import OutgoingMail


class SmtpSettings(BaseModel):
    host: str
    port: int
    sender: str
    timeout_seconds: float = 20.0


def message_id_for(key: str) -> str:
    # Short enough that the header is never folded (RFC 5322 line length).
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    case_id = key.split(".", 1)[0]
    return f"<{case_id}.{digest}@gdpr.local>"


def build_message(mail: OutgoingMail, sender: str, now: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(mail.to)
    msg["Subject"] = mail.subject
    msg["Message-ID"] = message_id_for(mail.key)
    msg["Date"] = format_datetime(now)
    msg["X-GDPR-Case"] = mail.case_id
    msg.set_content(mail.body, charset="utf-8")
    for path in map(Path, mail.attachments):
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        maintype, subtype = kind.split("/", 1)
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return msg


class MailActivities:
    def __init__(self, smtp: SmtpSettings, engine: Engine) -> None:
        self._smtp = smtp
        self._engine = engine

    @activity.defn(name="send_mail")
    def send_mail(self, mail: OutgoingMail) -> str:
        """Send once; returns the Message-ID. Already-sent mails are skipped.

        Failures leave as scrubbed ApplicationErrors: a 5xx reply or a missing attachment is
        permanent (dead letter), a closed port or a 4xx reply is retried.
        """
        message_id = message_id_for(mail.key)
        with effect_errors():
            if not self._claim(mail, message_id):
                activity.logger.info("mail already sent; skipped", extra={"message_id": message_id})
                return message_id
            msg = build_message(mail, self._smtp.sender, datetime.now(timezone.utc))
            with smtplib.SMTP(self._smtp.host, self._smtp.port, timeout=self._smtp.timeout_seconds) as smtp:
                smtp.send_message(msg)
            self._mark_sent(message_id)
        activity.logger.info("mail sent", extra={"message_id": message_id, "recipients": len(mail.to)})
        return message_id

    def _mark_sent(self, message_id: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.message_id == message_id)
                         .values(status="sent", sent_at=datetime.now(timezone.utc)))

    def _claim(self, mail: OutgoingMail, message_id: str) -> bool:
        """Record the attempt; False if this Message-ID was already sent."""
        with self._engine.begin() as conn:
            row = conn.execute(select(outbox.c.status, outbox.c.attempts)
                               .where(outbox.c.message_id == message_id)).first()
            if row is None:
                conn.execute(insert(outbox).values(
                    message_id=message_id, case_id=mail.case_id, mail_key=mail.key,
                    recipients=", ".join(mail.to), subject=mail.subject, status="sending", attempts=1))
                return True
            if row.status == "sent":
                return False
            conn.execute(update(outbox).where(outbox.c.message_id == message_id)
                         .values(attempts=row.attempts + 1))
            return True
