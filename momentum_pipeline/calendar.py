"""The NYSE trading calendar (exchange-calendars), the only calendar the pipeline uses."""

from __future__ import annotations

import datetime as dt
import functools

import exchange_calendars as xcals
import pandas as pd

CALENDAR_NAME = "XNYS"
CALENDAR_START = "1990-01-02"


@functools.cache
def nyse() -> xcals.ExchangeCalendar:
    return xcals.get_calendar(CALENDAR_NAME, start=CALENDAR_START)


def sessions(start: dt.date | pd.Timestamp, end: dt.date | pd.Timestamp) -> pd.DatetimeIndex:
    """NYSE sessions in ``[start, end]`` as tz-naive midnight timestamps."""
    calendar = nyse()
    start = max(pd.Timestamp(start), calendar.first_session)
    end = min(pd.Timestamp(end), calendar.last_session)
    if start > end:
        return pd.DatetimeIndex([], name="date")
    return pd.DatetimeIndex(calendar.sessions_in_range(start, end), name="date")


def last_session_on_or_before(day: dt.date) -> pd.Timestamp:
    return nyse().date_to_session(pd.Timestamp(day), direction="previous")
