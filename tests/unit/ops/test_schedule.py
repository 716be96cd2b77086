"""The run date of the automated daily run, from the NYSE calendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tasks.commands.schedule import run_date_at

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(("now", "expected"), [
    # Monday evening, bars settled: Monday's session.
    (dt.datetime(2025, 10, 6, 18, 30, tzinfo=NEW_YORK), dt.date(2025, 10, 6)),
    # Monday 16:30, bars not settled yet: Friday's session.
    (dt.datetime(2025, 10, 6, 16, 30, tzinfo=NEW_YORK), dt.date(2025, 10, 3)),
    # A timer that missed Tuesday evening, caught up Wednesday morning: Tuesday.
    (dt.datetime(2025, 10, 8, 8, 0, tzinfo=NEW_YORK), dt.date(2025, 10, 7)),
    # Saturday: Friday's session (already done: a no-op).
    (dt.datetime(2025, 10, 11, 18, 30, tzinfo=NEW_YORK), dt.date(2025, 10, 10)),
    # Good Friday, a holiday: Thursday.
    (dt.datetime(2025, 4, 18, 18, 30, tzinfo=NEW_YORK), dt.date(2025, 4, 17)),
    # The day after Thanksgiving closes at 13:00: settled by 14:30.
    (dt.datetime(2025, 11, 28, 14, 30, tzinfo=NEW_YORK), dt.date(2025, 11, 28)),
    # 23:30 UTC is 18:30 in New York (summer time): the same Monday.
    (dt.datetime(2025, 10, 6, 22, 30, tzinfo=dt.timezone.utc), dt.date(2025, 10, 6)),
])
def test_run_date_when_run_at_a_moment_then_latest_settled_session(now, expected):
    assert run_date_at(now) == expected
