"""The time left as 'Mine opgaver' and the case page say it, and the colour it gets."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from web.routes.tasks import urgency

NOW = datetime(2026, 3, 27, 12, 0, tzinfo=timezone.utc)


def test_time_left_is_coloured_by_the_thresholds_and_said_in_hours_then_days():
    assert urgency(NOW + timedelta(hours=71, minutes=59), NOW, False) == ("over24", "2 dage 23 t")
    assert urgency(NOW + timedelta(hours=30, minutes=5), NOW, False) == ("over24", "30 t 5 min")
    assert urgency(NOW + timedelta(hours=23, minutes=59), NOW, False) == ("under24", "23 t 59 min")
    assert urgency(NOW + timedelta(minutes=119), NOW, False) == ("under2", "1 t 59 min")
    assert urgency(NOW - timedelta(minutes=1), NOW, False) == ("overdue", "overskredet")
    assert urgency(NOW - timedelta(days=3), NOW, True) == ("over24", "fristen er overholdt")
