"""Breach deadlines: 72 real hours from awareness, across DST; processor default; reminder points."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.kernel.deadlines import COPENHAGEN, format_da, format_duration, reminder_schedule
from domain.breach.deadlines import authority_deadline
from tests.support import report
from tests.unit.cases import POLICY


@pytest.mark.parametrize("aware,due_local", [
    # 72 h are 72 real hours: across the spring DST change (29 March 2026) the wall clock moves +1 h
    ("2026-03-27T14:20:00+01:00", "2026-03-30T15:20:00+02:00"),
    # and across the autumn change (25 October 2026) it moves -1 h
    ("2026-10-23T14:20:00+02:00", "2026-10-26T13:20:00+01:00"),
    # no weekend roll-over: Friday evening + 72 h is Monday evening
    ("2026-11-20T18:00:00+01:00", "2026-11-23T18:00:00+01:00"),
    # across New Year
    ("2026-12-30T23:30:00+01:00", "2027-01-02T23:30:00+01:00"),
])
def test_authority_deadline_is_72_real_hours_after_awareness(aware: str, due_local: str):
    due = authority_deadline(report(datetime.fromisoformat(aware)), POLICY)
    assert due == datetime.fromisoformat(due_local)
    assert due.astimezone(COPENHAGEN).isoformat() == due_local
    assert due.tzinfo == timezone.utc


def test_processor_deadline_is_the_configured_hours_to_the_controller():
    aware = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    rep = report(aware, org_role="processor", controller={"name": "K", "email": "k@k.dk"})
    assert authority_deadline(rep, POLICY) == aware + timedelta(hours=24)
    assert authority_deadline(rep, POLICY.model_copy(update={"processor_deadline_hours": 12})) == aware + timedelta(hours=12)


def test_reminders_are_ordered_and_those_already_passed_are_skipped():
    deadline = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
    points = reminder_schedule(deadline, [2, 24, 12], now=deadline - timedelta(hours=30))
    assert [(r.hours_before, r.at) for r in points] == [
        (24, deadline - timedelta(hours=24)), (12, deadline - timedelta(hours=12)), (2, deadline - timedelta(hours=2))]
    assert [r.hours_before for r in reminder_schedule(deadline, [24, 12, 2], now=deadline - timedelta(hours=2))] == []
    assert [r.hours_before for r in reminder_schedule(deadline, [24, 12, 2], now=deadline - timedelta(hours=13))] == [12, 2]


def test_danish_formatting_of_times_and_durations():
    assert format_da(datetime(2026, 3, 30, 13, 20, tzinfo=timezone.utc)) == "30. marts 2026 kl. 15:20"
    assert format_duration(timedelta(days=1, hours=3, minutes=20)) == "1 d 3 t 20 min"
    assert format_duration(timedelta(minutes=-90)) == "-1 t 30 min"
