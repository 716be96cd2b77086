"""The NYSE calendar: sessions and the last session of a run date.

Expected sessions are the exchange's published closures (holidays, national days
of mourning, Hurricane Sandy), written out here, not taken from the code.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from momentum_pipeline.calendar import last_session_on_or_before, sessions


def days(*iso: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(d) for d in iso]


def test_sessions_when_christmas_week_then_weekend_and_holiday_left_out():
    assert list(sessions(dt.date(2024, 12, 21), dt.date(2024, 12, 31))) == days(
        "2024-12-23", "2024-12-24", "2024-12-26", "2024-12-27", "2024-12-30", "2024-12-31")


@pytest.mark.parametrize("closed", ["2012-10-29", "2012-10-30",  # Hurricane Sandy
                                    "2018-12-05",  # President Bush's funeral
                                    "2025-01-09",  # President Carter's funeral
                                    "2025-04-18",  # Good Friday
                                    "2024-01-15"])  # Martin Luther King Jr. Day
def test_sessions_when_exchange_closed_on_a_weekday_then_day_is_not_a_session(closed):
    day = pd.Timestamp(closed)
    window = sessions(day - pd.Timedelta(days=7), day + pd.Timedelta(days=7))
    assert day not in window
    assert len(window) >= 7  # the days around it are sessions


def test_sessions_when_returned_then_tz_naive_midnights_named_date_ascending():
    window = sessions(pd.Timestamp("2025-10-01 15:30"), dt.date(2025, 10, 8))
    assert window.name == "date" and window.tz is None
    assert list(window) == days("2025-10-01", "2025-10-02", "2025-10-03", "2025-10-06",
                                "2025-10-07", "2025-10-08")


def test_sessions_when_start_after_end_then_empty():
    assert len(sessions(dt.date(2025, 10, 8), dt.date(2025, 10, 1))) == 0


@pytest.mark.parametrize(("day", "expected"), [
    ("2025-10-08", "2025-10-08"),  # a session: itself
    ("2025-10-11", "2025-10-10"),  # Saturday: the Friday before
    ("2025-04-18", "2025-04-17"),  # Good Friday: the Thursday before
    ("2025-01-01", "2024-12-31"),  # New Year's Day
])
def test_last_session_when_day_given_then_session_on_or_before_it(day, expected):
    assert last_session_on_or_before(dt.date.fromisoformat(day)) == pd.Timestamp(expected)


def test_last_session_when_day_outside_calendar_then_error_names_the_day():
    with pytest.raises(ValueError, match="1980-01-02 is outside the NYSE calendar"):
        last_session_on_or_before(dt.date(1980, 1, 2))
