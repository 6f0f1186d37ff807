"""Danish public holidays, computed (not listed by hand), plus organisation closing days.

Holidays that can move a deadline (Regulation 1182/71 Art. 3(4), by analogy): New
Year's Day, Maundy Thursday, Good Friday, Easter Sunday and Monday, Store Bededag
(4th Friday after Easter, abolished from 2024 by lov nr. 131 af 28.2.2023), Ascension
Day, Whit Sunday and Monday, Christmas Day and Boxing Day. Constitution Day, Christmas
Eve and New Year's Eve are not public holidays; an organisation closed on them can
configure them as closing days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

STORE_BEDEDAG_LAST_YEAR = 2023


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the 'anonymous Gregorian algorithm', Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=256)
def public_holidays(year: int) -> dict[date, str]:
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1): "Nytårsdag",
        easter - timedelta(days=3): "Skærtorsdag",
        easter - timedelta(days=2): "Langfredag",
        easter: "Påskedag",
        easter + timedelta(days=1): "2. påskedag",
        easter + timedelta(days=39): "Kristi himmelfartsdag",
        easter + timedelta(days=49): "Pinsedag",
        easter + timedelta(days=50): "2. pinsedag",
        date(year, 12, 25): "Juledag",
        date(year, 12, 26): "2. juledag",
    }
    if year <= STORE_BEDEDAG_LAST_YEAR:
        days[easter + timedelta(days=26)] = "Store bededag"
    return days


@dataclass(frozen=True)
class Calendar:
    """Public holidays and the organisation's own closing days ('12-24', '06-05' or '2026-12-31')."""

    closing_days: tuple[str, ...] = field(default_factory=tuple)

    def closed_reason(self, day: date) -> str | None:
        if day.weekday() == 5:
            return "lørdag"
        if day.weekday() == 6:
            return "søndag"
        holiday = public_holidays(day.year).get(day)
        if holiday:
            return holiday
        if day.isoformat() in self.closing_days or day.strftime("%m-%d") in self.closing_days:
            return "lukkedag"
        return None

    def closed_reason_en(self, day: date) -> str | None:
        reason = self.closed_reason(day)
        english = {"lørdag": "Saturday", "søndag": "Sunday", "lukkedag": "closing day of the organisation"}
        return None if reason is None else english.get(reason, f"public holiday ({reason})")

    def next_working_day(self, day: date) -> date:
        while self.closed_reason(day):
            day += timedelta(days=1)
        return day
