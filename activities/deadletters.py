"""Dead letters: effects that failed for good, recorded (kind, key, scrubbed error) and alerted.

The effect itself stays in its case's workflow; an operator retries or discards it through
the workflow (the operations page /drift, or `gdpr deadletters`), so the register database holds no content of it.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Engine, select, update
from temporalio import activity

from activities.db import dead_letters, upsert
from activities.failures import effect_errors, safe_text
from activities.mail import MailActivities
from domain.kernel.dead_letters import DeadLetter, LetterStatus, LetterStatusChange, operator_alert


class DeadLetterActivities:
    def __init__(self, engine: Engine, mail: MailActivities, operator_email: str,
                 workspace_url: str | None = None) -> None:
        self._engine = engine
        self._mail = mail
        self._operator_email = operator_email
        self._workspace_url = workspace_url

    @activity.defn(name="record_dead_letter")
    def record_dead_letter(self, letter: DeadLetter) -> None:
        """Idempotent by letter id: a repeated failure of the same letter updates its row."""
        values = letter.model_dump(exclude={"permanent"}) | {
            "status": LetterStatus.OPEN.value, "effect_kind": letter.effect_kind.value,
            "failed_at": letter.failed_at.astimezone(timezone.utc),  # SQLite keeps no offset: store UTC
            # Scrubbed again: a failure raised outside effect_errors (e.g. undecodable input) is not.
            "error_message": safe_text(letter.error_message)}
        with effect_errors(), self._engine.begin() as conn:
            upsert(conn, dead_letters, values)
        activity.logger.warning("effect dead-lettered", extra={
            "letter_id": letter.letter_id, "kind": letter.effect_kind.value, "error_type": letter.error_type})

    @activity.defn(name="alert_operator")
    def alert_operator(self, letter: DeadLetter) -> str:
        """Mail the operator (Message-ID from the letter and its failure count, so never twice)."""
        with effect_errors():
            return self._mail.send_mail(operator_alert(letter, self._operator_email, self._workspace_url))

    @activity.defn(name="set_dead_letter_status")
    def set_dead_letter_status(self, change: LetterStatusChange) -> None:
        with effect_errors(), self._engine.begin() as conn:
            values = {"status": change.status.value, "changed_at": change.at.astimezone(timezone.utc)}
            # "resolved" comes from the workflow itself: it keeps who retried the letter.
            values |= {k: v for k, v in (("changed_by", change.actor_name), ("reason", change.reason)) if v}
            conn.execute(update(dead_letters).where(dead_letters.c.letter_id == change.letter_id).values(**values))
        activity.logger.info("dead letter changed", extra={"letter_id": change.letter_id,
                                                           "status": change.status.value})


def list_dead_letters(engine: Engine, include_closed: bool = False) -> list[dict]:
    query = select(dead_letters).order_by(dead_letters.c.failed_at, dead_letters.c.letter_id)
    if not include_closed:
        query = query.where(dead_letters.c.status.in_([LetterStatus.OPEN.value, LetterStatus.RETRYING.value]))
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [{k: (v.replace(tzinfo=timezone.utc) if isinstance(v, datetime) and v.tzinfo is None else v)
             for k, v in row.items()} for row in rows]


def discard_without_case(engine: Engine, change: LetterStatusChange) -> bool:
    """Discard a letter whose case workflow no longer runs; False if no open letter has that id."""
    with engine.begin() as conn:
        result = conn.execute(update(dead_letters).where(
            dead_letters.c.letter_id == change.letter_id,
            dead_letters.c.status.in_([LetterStatus.OPEN.value, LetterStatus.RETRYING.value])).values(
            status=LetterStatus.DISCARDED.value, changed_at=change.at.astimezone(timezone.utc),
            changed_by=change.actor_name, reason=change.reason))
    return result.rowcount > 0
