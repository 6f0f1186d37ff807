"""Mail activity: real SMTP, idempotent through an outbox keyed by Message-ID.

The Message-ID is derived from case id + step, so a retried activity never sends a
mail that is recorded as sent. If the process dies between the SMTP hand-off and the
outbox update, the retry resends with the *same* Message-ID, which mail systems (and
the local mail sink) treat as the same message.

SMTP connections are kept open and reused for the next mail (`SmtpPool`): a case's mails
no longer each pay for a TCP connection, the greeting and EHLO. Every mail is still its own
transaction with its own Message-ID, so reuse changes nothing about what a retry may send.
"""

from __future__ import annotations

import email.policy
import hashlib
import mimetypes
import smtplib
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, bindparam, update
from temporalio import activity

from activities.db import dialect_insert, outbox, writing
from activities.failures import effect_errors
from domain.kernel.mail import OutgoingMail


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


class _HeaderClasses(HeaderRegistry):
    """The standard header registry, making each header's class once: the stock one makes a new class with
    type() for every header it parses, about half the cost of building a message. The same headers result."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        made = self._made.get(name.lower())
        if made is None:
            made = self._made[name.lower()] = super().__getitem__(name)
        return made


MAIL_POLICY = email.policy.default.clone(header_factory=_HeaderClasses())


def build_message(mail: OutgoingMail, sender: str, now: datetime) -> EmailMessage:
    msg = EmailMessage(policy=MAIL_POLICY)
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


# A kept connection idle for longer than this is closed rather than reused: servers end idle sessions
# (RFC 5321 4.5.3.2 gives them 5 minutes), and a connection a firewall dropped silently would hang a send
# until the timeout.
SMTP_IDLE_SECONDS = 30.0


@dataclass
class _Connection:
    smtp: smtplib.SMTP
    idle_since: float


class SmtpPool:
    """Open SMTP connections, reused one mail after another; one per sending thread at most.

    A connection is taken for one message and given back after it, so two threads never share one. If a
    kept connection turns out closed (the server ended the session, or the socket is gone), the message goes
    at once on a new one; had the server taken any of it, the resent message carries the same Message-ID.
    Any other failure drops the connection and leaves the mail to the activity's retry, as before.
    Connections are closed without a QUIT, which could wait out the timeout on a connection that is gone.
    """

    def __init__(self, smtp: SmtpSettings) -> None:
        self._settings = smtp
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()

    def send(self, msg: EmailMessage) -> None:
        kept = self._take()
        if kept is not None:
            try:
                kept.send_message(msg)
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                _close(kept)  # closed while it waited here: a new connection below
            except BaseException:
                _close(kept)
                raise
            else:
                self._give_back(kept)
                return
        fresh = smtplib.SMTP(self._settings.host, self._settings.port, timeout=self._settings.timeout_seconds)
        try:
            fresh.send_message(msg)
        except BaseException:
            _close(fresh)
            raise
        self._give_back(fresh)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            _close(connection.smtp)

    def _take(self) -> smtplib.SMTP | None:
        now = time.monotonic()
        stale: list[_Connection] = []
        taken = None
        with self._lock:
            while self._idle:
                connection = self._idle.pop()  # the most recently used first; older ones age out
                if now - connection.idle_since <= SMTP_IDLE_SECONDS:
                    taken = connection.smtp
                    break
                stale.append(connection)  # and so are all kept before it
        for connection in stale:
            _close(connection.smtp)
        return taken

    def _give_back(self, smtp: smtplib.SMTP) -> None:
        with self._lock:
            self._idle.append(_Connection(smtp, time.monotonic()))


def _close(smtp: smtplib.SMTP) -> None:
    smtp.close()


class MailActivities:
    def __init__(self, smtp: SmtpSettings, engine: Engine) -> None:
        self._smtp = smtp
        self._engine = engine
        self._connections = SmtpPool(smtp)

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
            self._connections.send(msg)
            self._mark_sent(message_id)
        activity.logger.info("mail sent", extra={"message_id": message_id, "recipients": len(mail.to)})
        return message_id

    def close(self) -> None:
        """Close the kept SMTP connections (the worker stops)."""
        self._connections.close()

    def _mark_sent(self, message_id: str) -> None:
        with writing(self._engine) as conn:
            conn.execute(_MARK_SENT, {"b_message_id": message_id, "status": "sent",
                                      "sent_at": datetime.now(timezone.utc)})

    def _claim(self, mail: OutgoingMail, message_id: str) -> bool:
        """Record the attempt, in one statement; False if this Message-ID was already sent."""
        with writing(self._engine) as conn:
            claimed = conn.execute(_claim_statement(conn.dialect.name), {
                "message_id": message_id, "case_id": mail.case_id, "mail_key": mail.key,
                "recipients": ", ".join(mail.to), "subject": mail.subject, "status": "sending", "attempts": 1,
            }).first()
        return claimed is not None


_MARK_SENT = update(outbox).where(outbox.c.message_id == bindparam("b_message_id"))


@lru_cache(maxsize=None)
def _claim_statement(dialect: str) -> Any:
    """INSERT the attempt, or count one more on a mail not yet sent; RETURNING a row only if claimed."""
    statement = dialect_insert(dialect)(outbox)
    return statement.on_conflict_do_update(
        index_elements=["message_id"], set_={"attempts": outbox.c.attempts + 1},
        where=outbox.c.status != "sent").returning(outbox.c.status)
