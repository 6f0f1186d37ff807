"""What every case shares, breach or request: bounded values a person may type, people and roles,
the timeline and what an action returns.

Pure pydantic. Strings that a person typed are kept verbatim; validators only refuse, never rewrite.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import Annotated, Callable, Protocol

from pydantic import (
    AfterValidator, AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, StringConstraints,
)

from domain.kernel.bounds import EARLIEST, LATEST  # the window of dates, kept there so the CLI checks one without the models

# --- bounded values: what a person may type ------------------------------------------
# Every input is bounded so one absurd value (2^64 people, Infinity hours, year 9999,
# a NUL byte) is refused at the door instead of failing a database write or a mail later.
# The domain cannot read the clock, so dates get a static window (EARLIEST, LATEST); "not more than
# a year ahead" is checked where `now` is known (domain/kernel/bounds.py, used by the procedure
# and the CLI).
MAX_COUNT = 1_000_000_000  # more people or records than any Danish organisation holds
MAX_HOURS = 24 * 366 * 10  # ten years
MAX_ITEMS = 200  # entries in any list a person fills in

# C0/C1 controls, lone surrogates, line/paragraph separators and bidi overrides (which
# can make a text read differently from what it says). Long texts keep tab and newlines.
_LINE_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_TEXT_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _free_of(pattern: re.Pattern[str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        found = pattern.search(value)
        if found:
            raise ValueError(f"contains a control character (U+{ord(found.group()):04X}); remove it")
        return value
    return check


def _within_years(value: datetime) -> datetime:
    if not EARLIEST <= value < LATEST:
        raise ValueError(f"must lie between {EARLIEST:%Y-%m-%d} and {LATEST.year - 1}-12-31")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000),
                 AfterValidator(_free_of(_TEXT_FORBIDDEN))]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
                      AfterValidator(_free_of(_LINE_FORBIDDEN))]
# A value written into a system's column (rectification): may be empty, one line.
FieldValue = Annotated[str, StringConstraints(max_length=2_000), AfterValidator(_free_of(_LINE_FORBIDDEN))]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Hours = Annotated[float, Field(ge=0, le=MAX_HOURS, allow_inf_nan=False)]
Moment = Annotated[AwareDatetime, AfterValidator(_within_years)]
# The workspace's address as mails print it: http(s), no whitespace, no trailing slash.
WorkspaceUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^\s/]+(/[^\s]*)?$", max_length=300),
                         AfterValidator(lambda url: url.rstrip("/"))]


class Strict(BaseModel):
    """Unknown keys are refused: a typo must not silently drop what a person wrote.

    A model's validator is built when it first validates, not when its module is imported: a command that
    uses a few models (`gdpr assess` only the facts) does not pay for all of them and the pydantic types
    they use (EmailStr loads email_validator). A class must therefore be defined after the classes its
    fields name, so its fields resolve when it is defined and not at its first use (issue 11).
    """

    model_config = ConfigDict(extra="forbid", frozen=False, defer_build=True)


# --- people -------------------------------------------------------------------------


class Role(str, enum.Enum):
    REPORTER = "reporter"
    KEY_PERSON = "key_person"  # nøgleperson / GDPR-ansvarlig
    DPO = "dpo"
    MANAGEMENT = "management"
    SYSTEM_OWNER = "system_owner"  # owner of a system in the data inventory (manual tasks)
    SYSTEM = "system"  # the engine itself: reminders, escalations
    # Operations: retries or discards dead letters; no procedure table lets this role act in a case.
    OPERATOR = "operator"


class Actor(Strict):
    """Who performs an action. Travels with every update into the timeline."""

    name: ShortText
    role: Role
    # The login that acted (its e-mail), set by the web workspace from the session: two people may share
    # a name, never a login. None for actions recorded before logins, and from the operator's host CLI.
    login: ShortText | None = None

    def same_person(self, other: Actor) -> bool:
        if self.login is not None and other.login is not None:
            return self.login == other.login
        return self.name == other.name


class Contact(Strict):
    name: ShortText
    email: EmailStr
    phone: ShortText | None = None


# --- the timeline ----------------------------------------------------------------------


class TimelineEvent(Strict):
    seq: int
    at: AwareDatetime
    actor: Actor
    action: str
    summary: str


class ActionResult(Strict):
    """What an action (a workflow update) returns: recorded as step `seq`, the case is now in `state`.

    The case's view is a query away (`view`). An update's result is stored in the case's history, so
    returning the whole view from every action stored it there again at every step.
    """

    case_id: str
    state: str
    seq: int


SYSTEM = Actor(name="GDPR-sagsmotoren", role=Role.SYSTEM)


class HasTimeline(Protocol):
    timeline: list[TimelineEvent]


def add_event(case: HasTimeline, now: datetime, actor: Actor, action: str, summary: str) -> TimelineEvent:
    """Append to a case's timeline (breach or request): who did what, when."""
    event = TimelineEvent(seq=len(case.timeline) + 1, at=now, actor=actor, action=action, summary=summary)
    case.timeline.append(event)
    return event

