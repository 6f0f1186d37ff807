"""Deadlines of a breach case, counted as the law counts them.

Art. 33(1): 72 hours from the moment the first person in the organisation became
aware (seed 002 step 1), counted in hours: no weekend or holiday roll-over. A
processor notifies the controller "without undue delay" (Art. 33(2), seed 004); the
organisation sets what that means in hours (default 24).

Times are stored in UTC and shown in Europe/Copenhagen, so DST changes never shift
a deadline: 72 hours are 72 real hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from domain.model import BreachReport, CasePolicy, OrgRole

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
AUTHORITY_HOURS = 72

_MONTHS_DA = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
              "september", "oktober", "november", "december"]


def authority_deadline(report: BreachReport, policy: CasePolicy) -> datetime:
    hours = policy.processor_deadline_hours if report.org_role is OrgRole.PROCESSOR else AUTHORITY_HOURS
    return report.aware_at.astimezone(timezone.utc) + timedelta(hours=hours)


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
