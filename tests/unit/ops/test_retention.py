"""The retention policy: the last dates, each month's last run, and every date with
executions are kept; everything else may go."""

from __future__ import annotations

import datetime as dt

import pytest

from momentum_pipeline.operations.retention import RetentionPolicy, dates_to_keep


def weekdays(start: dt.date, end: dt.date) -> set[dt.date]:
    days = (start + dt.timedelta(n) for n in range((end - start).days + 1))
    return {day for day in days if day.weekday() < 5}


def test_dates_to_keep_when_a_year_of_runs_then_last_days_month_ends_and_executions():
    dates = weekdays(dt.date(2024, 10, 1), dt.date(2025, 10, 8))
    executed = {dt.date(2024, 11, 13)}
    kept = dates_to_keep(dates, executed, RetentionPolicy(keep_last=5, keep_month_ends=6))
    latest = sorted(dates)[-5:]
    month_ends = [dt.date(2025, 5, 30), dt.date(2025, 6, 30), dt.date(2025, 7, 31),
                  dt.date(2025, 8, 29), dt.date(2025, 9, 30)]  # 2025-10's is among the last 5
    assert sorted(kept) == sorted([dt.date(2024, 11, 13), *month_ends, *latest])
    assert kept[dt.date(2024, 11, 13)] == "orders were executed"
    assert kept[dt.date(2025, 7, 31)] == "the last run of its month"
    assert kept[dt.date(2025, 10, 8)] == "one of the last 5"


def test_dates_to_keep_when_fewer_dates_than_kept_then_all_stay():
    dates = {dt.date(2025, 10, 6), dt.date(2025, 10, 7)}
    assert set(dates_to_keep(dates, set(), RetentionPolicy())) == dates
    assert dates_to_keep(set(), set(), RetentionPolicy()) == {}


def test_retention_policy_when_it_would_keep_nothing_then_refused():
    with pytest.raises(ValueError, match="at least the latest"):
        RetentionPolicy(keep_last=0)
    with pytest.raises(ValueError, match="negative"):
        RetentionPolicy(keep_month_ends=-1)
