"""Deadlines as the law counts them, for breaches and for requests.

Art. 33(1): 72 hours from the moment the first person in the organisation became
aware (seed 002 step 1), counted in hours: no weekend or holiday roll-over. A
processor notifies the controller "without undue delay" (Art. 33(2), seed 004); the
organisation sets what that means in hours (default 24).

Data-subject requests: one month from receipt (Art. 12(3)), counted per Regulation
(EEC, Euratom) No 1182/71 by analogy: same date in the next month or that month's last
day; a last day on a Saturday, Sunday, public holiday or closing day rolls to the end of
the next working day. Extension: three months in all, decided within the first month.

Times are stored in UTC and shown in Europe/Copenhagen, so DST changes never shift
a deadline: 72 hours are 72 real hours.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from domain.kernel.holidays import Calendar

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
AUTHORITY_HOURS = 72

_MONTHS_DA = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
              "september", "oktober", "november", "december"]


@dataclass(frozen=True)
class Reminder:
    hours_before: int
    at: datetime


def reminder_schedule(deadline: datetime, hours_before: list[int], now: datetime) -> list[Reminder]:
    """Reminders still ahead of `now`, earliest first. Points already passed are skipped."""
    points = sorted(set(hours_before), reverse=True)
    reminders = [Reminder(h, deadline - timedelta(hours=h)) for h in points]
    return [r for r in reminders if r.at > now]


def format_da(moment: datetime) -> str:
    """'27. marts 2026 kl. 14:20' in Danish local time."""
    local = moment.astimezone(COPENHAGEN)
    return f"{local.day}. {_MONTHS_DA[local.month - 1]} {local.year} kl. {local:%H:%M}"


def format_duration(delta: timedelta) -> str:
    """'1 d 3 t 20 min' for time left; negative durations are prefixed with '-'."""
    sign = "-" if delta.total_seconds() < 0 else ""
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    parts = ([f"{days} d"] if days else []) + ([f"{hours} t"] if hours or days else []) + [f"{minutes} min"]
    return sign + " ".join(parts)


# --- data-subject requests: one month, Art. 12(3), counted per Regulation 1182/71 --------


@dataclass(frozen=True)
class LegalDeadline:
    due: datetime  # aware, Europe/Copenhagen
    rule: str
    rule_da: str
    rolled_from: date | None = None


def add_months(start: date, months: int) -> date:
    """The same date `months` later, or that month's last day if it has none (1182/71 Art. 3(2)(c))."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=COPENHAGEN)


def breach_deadline(aware_at: datetime, hours: int = AUTHORITY_HOURS) -> LegalDeadline:
    due = aware_at.astimezone(timezone.utc) + timedelta(hours=hours)
    return LegalDeadline(
        due=due.astimezone(COPENHAGEN),
        rule=f"{hours} hours from awareness (GDPR Art. 33(1)), counted in real hours: "
             "no roll-over for weekends or holidays (Regulation 1182/71 Art. 3(4) applies only to periods "
             "not expressed in hours)",
        rule_da=f"{hours} timer fra organisationen blev bekendt med bruddet (art. 33, stk. 1), "
                "regnet i faktiske timer uden forlængelse for weekender og helligdage",
    )


def request_deadline(received: datetime | date, extended: bool = False) -> LegalDeadline:
    """One month (three if extended) from receipt, ending at the end of the day (Art. 12(3); 1182/71).

    Only Saturdays, Sundays and Danish public holidays roll the last day (Regulation 1182/71 Art. 3(4)).
    An organisation's own closing days never move a legal deadline later; they move reminders earlier
    (`reminder_before`)."""
    cal = Calendar()
    received_day = received.astimezone(COPENHAGEN).date() if isinstance(received, datetime) else received
    months = 3 if extended else 1
    last = add_months(received_day, months)
    due_day = cal.next_working_day(last)
    period = "three months (one month extended by two, Art. 12(3))" if extended else "one month (Art. 12(3))"
    period_da = "tre måneder (en måned forlænget med to, art. 12, stk. 3)" if extended else "en måned (art. 12, stk. 3)"
    rule = (f"{period} from receipt on {received_day.isoformat()}: ends at the end of the day with the same date "
            f"in the last month, or that month's last day if it has none (Regulation 1182/71 Art. 3(2)(c))")
    rule_da = f"{period_da} fra modtagelsen {received_day.isoformat()}: udløber ved dagens slutning på samme dato"
    if due_day != last:
        rule += f"; {last.isoformat()} is a {cal.closed_reason_en(last)}, so it ends at the end of the next working day (Art. 3(4))"
        rule_da += f"; {last.isoformat()} er {cal.closed_reason(last)}, så fristen udløber næste arbejdsdag"
    return LegalDeadline(due=end_of_day(due_day), rule=rule, rule_da=rule_da,
                         rolled_from=last if due_day != last else None)


def extension_allowed(received: datetime | date, decided_at: datetime) -> bool:
    """Art. 12(3): the subject must be told of an extension within the first month."""
    return decided_at <= request_deadline(received, extended=False).due


def reminder_before(deadline: datetime, days: int, closing_days: tuple[str, ...]) -> datetime:
    """`days` before the deadline; a reminder that would fall on a day the organisation is closed (or a
    weekend or public holiday) comes on the working day before, so someone is there to act on it."""
    cal = Calendar(closing_days)
    moment = deadline - timedelta(days=days)
    while cal.closed_reason(moment.astimezone(COPENHAGEN).date()):
        moment -= timedelta(days=1)
    return moment
