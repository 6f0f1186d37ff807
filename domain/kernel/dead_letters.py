"""Dead letters: side effects that failed for good, set aside so the case goes on.

A dead letter names the effect by kind and key only (never its content), so the list an
operator reads holds no personal data. The effect itself stays in the case's workflow,
which re-runs it when an operator retries the letter.
"""

from __future__ import annotations

import enum
from datetime import datetime

from pydantic import EmailStr, Field

from domain.kernel.deadlines import format_da
from domain.kernel.mail import OutgoingMail, workspace_link
from domain.kernel.model import Actor, ShortText, Strict


class EffectKind(str, enum.Enum):
    REGISTER = "register"
    MAIL = "mail"
    SYSTEM_ACTION = "system_action"
    EXPORTS = "exports"


KIND_DA = {
    EffectKind.REGISTER: "registrering af et sagsskridt i registeret",
    EffectKind.MAIL: "afsendelse af en mail",
    EffectKind.SYSTEM_ACTION: "en handling i et af organisationens systemer",
    EffectKind.EXPORTS: "dannelse af udtræk til svaret",
}


class LetterStatus(str, enum.Enum):
    OPEN = "open"
    RETRYING = "retrying"
    RESOLVED = "resolved"
    DISCARDED = "discarded"


class DeadLetter(Strict):
    """One failed effect as the register database keeps it (`letter_id` is "<case id>/<number>")."""

    letter_id: str = Field(min_length=3, max_length=60)
    case_id: str = Field(min_length=1, max_length=40)
    effect_kind: EffectKind
    effect_key: str = Field(min_length=1, max_length=200)
    error_type: str = Field(max_length=100)
    error_message: str = Field(max_length=300)
    failed_at: datetime
    failures: int = Field(ge=1)
    permanent: bool


class LetterStatusChange(Strict):
    letter_id: str = Field(min_length=3, max_length=60)
    status: LetterStatus
    at: datetime
    actor_name: str | None = None
    reason: str | None = Field(default=None, max_length=2000)


class RetryDeadLetter(Strict):
    """Operator update: run the effect again (after the cause is fixed)."""

    actor: Actor
    number: int = Field(ge=1, le=100_000)


class DiscardDeadLetter(Strict):
    """Operator update: give the effect up for good, with the reason (kept in the register database)."""

    actor: Actor
    number: int = Field(ge=1, le=100_000)
    reason: ShortText = Field(min_length=3)


class DeadLetterView(Strict):
    letter_id: str
    number: int
    effect_kind: EffectKind
    effect_key: str
    error_type: str
    error_message: str
    failures: int
    status: LetterStatus


def letter_id(case_id: str, number: int) -> str:
    return f"{case_id}/{number}"


def parse_letter_id(value: str) -> tuple[str, int]:
    """("breach-2026-0001", 3) from "breach-2026-0001/3"; ValueError if it is not such an id."""
    case_id, sep, number = value.strip().rpartition("/")
    if not sep or not case_id or not number.isdigit() or int(number) < 1:
        raise ValueError(f"not a dead-letter id (expected CASE/NUMBER, e.g. breach-2026-0001/1): {value!r}")
    return case_id, int(number)


def operator_alert(letter: DeadLetter, operator_email: EmailStr, workspace_url: str | None = None) -> OutgoingMail:
    """The mail that tells the operator an effect was set aside; plain Danish, no personal data.

    With `workspace_url`, it ends with a link to the operations page, where the letter is retried or discarded.
    """
    why = ("Fejlen er varig: værdien eller forespørgslen blev afvist, så nye forsøg hjælper ikke."
           if letter.permanent else
           "Fejlen varede ved, selv om handlingen blev forsøgt igen i et døgn.")
    body = (
        f"En automatisk handling i sag {letter.case_id} kunne ikke udføres og er sat til side.\n\n"
        f"Handling: {KIND_DA[letter.effect_kind]}\n"
        f"Fejlnummer: {letter.letter_id}\n"
        f"Tidspunkt: {format_da(letter.failed_at)}\n"
        f"Antal mislykkede forløb: {letter.failures}\n\n"
        f"{why}\n\n"
        f"Sagen fortsætter, og frister og påmindelser sendes som normalt. Ret årsagen, og gentag "
        f"derefter handlingen, eller afvis den med en begrundelse. Indtil da bliver sagen stående "
        f"åben hos driften, også hvis den ellers er afsluttet.\n"
    )
    if workspace_url:
        body = body.rstrip("\n") + workspace_link(workspace_url, "/drift", "driftssiden") + "\n"
    return OutgoingMail(
        key=f"{letter.case_id}.deadletter.{letter.letter_id.rpartition('/')[2]}.{letter.failures}",
        case_id=letter.case_id, to=[operator_email],
        subject=f"[{letter.case_id}] En automatisk handling fejlede og er sat til side", body=body)
