"""The NYSE trading calendar (exchange-calendars), the only calendar the pipeline uses.

Building the calendar costs about a second, so it is built once per process
(:func:`nyse`, cached) and tasks list ``momentum_pipeline.calendar:nyse`` in their
``preload`` so forked Luigi workers inherit it instead of building it per task.
"""

from __future__ import annotations

import datetime as dt
import functools

import exchange_calendars as xcals
import numpy as np
import pandas as pd

CALENDAR_NAME = "XNYS"
CALENDAR_START = "1990-01-02"


@functools.cache
def nyse() -> xcals.ExchangeCalendar:
    return xcals.get_calendar(CALENDAR_NAME, start=CALENDAR_START)


@functools.cache
def _session_days() -> np.ndarray:
    """Every session of the calendar as sorted ``datetime64[ns]`` midnights."""
    return nyse().sessions.to_numpy(dtype="datetime64[ns]")


def sessions(start: dt.date | pd.Timestamp, end: dt.date | pd.Timestamp) -> pd.DatetimeIndex:
    """NYSE sessions in ``[start, end]`` as tz-naive midnight timestamps."""
    days = _session_days()
    first = days.searchsorted(np.datetime64(pd.Timestamp(start).normalize()), "left")
    last = days.searchsorted(np.datetime64(pd.Timestamp(end).normalize()), "right")
    return pd.DatetimeIndex(days[first:max(first, last)], name="date")


def last_session_on_or_before(day: dt.date | pd.Timestamp) -> pd.Timestamp:
    """The session on ``day``, or the last one before it (a weekend or holiday)."""
    days = _session_days()
    stamp = pd.Timestamp(day).normalize()
    if not days[0] <= np.datetime64(stamp) <= days[-1]:
        raise ValueError(f"{stamp.date()} is outside the NYSE calendar "
                         f"({pd.Timestamp(days[0]).date()} to {pd.Timestamp(days[-1]).date()})")
    return pd.Timestamp(days[days.searchsorted(np.datetime64(stamp), "right") - 1])
