"""Legal time arithmetic, hand-checked: holidays, month ends, leap years, roll-over, DST."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from domain.kernel.deadlines import add_months, breach_deadline, extension_allowed, reminder_before, request_deadline
from domain.kernel.holidays import easter_sunday, public_holidays


@pytest.mark.parametrize("year,easter", [
    (2019, date(2019, 4, 21)), (2020, date(2020, 4, 12)), (2021, date(2021, 4, 4)), (2022, date(2022, 4, 17)),
    (2023, date(2023, 4, 9)), (2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)),
    (2027, date(2027, 3, 28)), (2028, date(2028, 4, 16)), (2029, date(2029, 4, 1)), (2030, date(2030, 4, 21)),
    (2038, date(2038, 4, 25)),  # the latest possible date
    (2285, date(2285, 3, 22)),  # the earliest possible date
])
def test_easter_sunday(year: int, easter: date):
    assert easter_sunday(year) == easter


def test_holidays_of_2026_are_exactly_the_danish_public_holidays():
    assert sorted(public_holidays(2026).items()) == [
        (date(2026, 1, 1), "Nytårsdag"), (date(2026, 4, 2), "Skærtorsdag"), (date(2026, 4, 3), "Langfredag"),
        (date(2026, 4, 5), "Påskedag"), (date(2026, 4, 6), "2. påskedag"), (date(2026, 5, 14), "Kristi himmelfartsdag"),
        (date(2026, 5, 24), "Pinsedag"), (date(2026, 5, 25), "2. pinsedag"), (date(2026, 12, 25), "Juledag"),
        (date(2026, 12, 26), "2. juledag")]


def test_store_bededag_is_a_holiday_only_until_2023():
    assert public_holidays(2023)[date(2023, 5, 5)] == "Store bededag"
    assert date(2024, 4, 26) not in public_holidays(2024)


@pytest.mark.parametrize("start,months,expected", [
    (date(2026, 1, 15), 1, date(2026, 2, 15)),
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
    (date(2026, 12, 31), 1, date(2027, 1, 31)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2027, 11, 30), 3, date(2028, 2, 29)),
])
def test_a_month_ends_on_the_same_date_or_the_last_day_of_the_month(start: date, months: int, expected: date):
    assert add_months(start, months) == expected


@pytest.mark.parametrize("received,extended,due,rolled_from", [
    # plain month, a Monday
    ("2026-01-15", False, "2026-02-16T23:59:59+01:00", "2026-02-15"),  # 15 Feb 2026 is a Sunday
    ("2026-02-10", False, "2026-03-10T23:59:59+01:00", None),
    # 31 January -> 28 February 2026, a Saturday -> Monday 2 March
    ("2026-01-31", False, "2026-03-02T23:59:59+01:00", "2026-02-28"),
    # leap year: 31 January 2024 -> Thursday 29 February
    ("2024-01-31", False, "2024-02-29T23:59:59+01:00", None),
    # last day Maundy Thursday 2 April 2026 -> Good Friday, Easter Sat/Sun/Mon -> Tuesday 7 April
    ("2026-03-02", False, "2026-04-07T23:59:59+02:00", "2026-04-02"),
    # Ascension Day 2027 is 6 May -> Friday 7 May
    ("2027-04-06", False, "2027-05-07T23:59:59+02:00", "2027-05-06"),
    # Whit Monday 2026 is 25 May -> Tuesday 26 May
    ("2026-04-25", False, "2026-05-26T23:59:59+02:00", "2026-05-25"),
    # Store Bededag 2023 (5 May) rolled; 26 April 2024 (its old date) no longer does
    ("2023-04-05", False, "2023-05-08T23:59:59+02:00", "2023-05-05"),
    ("2024-03-26", False, "2024-04-26T23:59:59+02:00", None),
    # Christmas: 25 December 2026 is a Friday -> 26th Saturday... -> Monday 28 December
    ("2026-11-25", False, "2026-12-28T23:59:59+01:00", "2026-12-25"),
    # New Year's Day 2027 is a Friday -> Monday 4 January
    ("2026-12-01", False, "2027-01-04T23:59:59+01:00", "2027-01-01"),
    # DST: received just before the spring change, due after it: the offset follows the date
    ("2026-02-28", False, "2026-03-30T23:59:59+02:00", "2026-03-28"),
    # extension: three months from receipt, same rules
    ("2026-01-31", True, "2026-04-30T23:59:59+02:00", None),
    ("2026-11-30", True, "2027-03-01T23:59:59+01:00", "2027-02-28"),
])
def test_request_deadlines(received: str, extended: bool, due: str, rolled_from: str | None):
    result = request_deadline(date.fromisoformat(received), extended=extended)
    assert result.due.isoformat() == due
    assert result.rolled_from == (date.fromisoformat(rolled_from) if rolled_from else None)
    assert ("Art. 3(4)" in result.rule) == (rolled_from is not None)


def test_a_request_received_late_in_the_evening_counts_from_its_danish_date():
    late_evening = datetime.fromisoformat("2026-03-09T23:30:00+00:00")  # 10 March 00:30 in Copenhagen
    assert request_deadline(late_evening).due.isoformat() == "2026-04-10T23:59:59+02:00"


def test_organisation_closing_days_never_move_a_legal_deadline_later():
    # Grundlovsdag (5 June) and Christmas Eve are not public holidays; a school closed then still owes its answer.
    assert request_deadline(date(2026, 11, 24)).due.isoformat() == "2026-12-24T23:59:59+01:00"
    assert request_deadline(date(2026, 5, 5)).due.isoformat() == "2026-06-05T23:59:59+02:00"


def test_closing_days_bring_a_reminder_forward_to_a_day_someone_is_there():
    deadline = request_deadline(date(2026, 11, 24)).due  # Thursday 24 December 2026
    closing = ("12-21", "12-22", "12-23", "12-24")  # the school closes for Christmas on Monday 21 December
    assert reminder_before(deadline, 2, ()).date() == date(2026, 12, 22)
    assert reminder_before(deadline, 2, closing).date() == date(2026, 12, 18)  # Friday before the closure
    assert reminder_before(deadline, 7, closing).date() == date(2026, 12, 17)  # already a working day


def test_extension_only_within_the_first_month():
    received = date(2026, 1, 31)
    assert extension_allowed(received, datetime.fromisoformat("2026-03-02T23:00:00+01:00"))
    assert not extension_allowed(received, datetime.fromisoformat("2026-03-03T00:00:01+01:00"))


def test_breach_deadline_has_no_roll_over_and_keeps_real_hours_over_dst():
    result = breach_deadline(datetime.fromisoformat("2026-03-27T14:20+01:00"))
    assert result.due.isoformat() == "2026-03-30T15:20:00+02:00" and result.rolled_from is None
    assert "real hours" in result.rule


def test_the_rule_names_why_the_deadline_moved_in_english_and_danish():
    result = request_deadline(date(2026, 3, 2))
    assert "2026-04-02 is a public holiday (Skærtorsdag)" in result.rule
    assert "2026-04-02 er Skærtorsdag" in result.rule_da
