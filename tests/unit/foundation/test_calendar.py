"""The NYSE calendar: sessions and the last session of a run date.

Expected sessions are the exchange's published closures (holidays, national days
of mourning, Hurricane Sandy), written out here, not taken from the code.
"""

from __future__ import annotations

import datetime as dt

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest

from momentum_pipeline.foundation import calendar
from momentum_pipeline.foundation.calendar import last_session_on_or_before, sessions


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


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    """An empty file cache; the in-process caches forgotten before and after."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calendar.session_days.cache_clear()
    yield tmp_path
    calendar.session_days.cache_clear()


def test_session_cache_when_empty_then_sessions_built_and_written_for_the_next_process(
        cache_home):
    days = calendar.session_days()
    cached = calendar.session_cache_file()
    assert cached.parent == cache_home / "momentum-pipeline"
    assert np.array_equal(np.load(cached), days)
    expected = xcals.get_calendar("XNYS", start="2024-01-01", end="2024-12-31").sessions
    assert list(calendar.sessions(dt.date(2024, 1, 1), dt.date(2024, 12, 31))) == list(expected)


def test_session_cache_when_file_cut_short_then_rebuilt(cache_home):
    full = calendar.session_days()
    cached = calendar.session_cache_file()
    cached.write_bytes(cached.read_bytes()[:-800])  # a write interrupted by a crash
    calendar.session_days.cache_clear()
    assert np.array_equal(calendar.session_days(), full)
    assert np.array_equal(np.load(cached), full)


def test_session_cache_when_folder_unwritable_then_sessions_still_built(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    calendar.session_days.cache_clear()
    try:
        assert pd.Timestamp("2025-10-08") in calendar.sessions(dt.date(2025, 10, 1),
                                                               dt.date(2025, 10, 31))
    finally:
        calendar.session_days.cache_clear()
