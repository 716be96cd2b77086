"""The NYSE trading calendar (exchange-calendars), the only calendar the pipeline uses.

Building the calendar costs about a second, so its sessions are kept in a file
cache (``$XDG_CACHE_HOME/momentum-pipeline``, keyed by the exchange-calendars
version and the calendar's span) and, per process, in memory. Tasks list
``momentum_pipeline.foundation.calendar:session_days`` in their ``preload`` so forked Luigi
workers inherit the sessions instead of loading them per task.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import exchange_calendars as xcals
    import pandas as pd

CALENDAR_NAME = "XNYS"
CALENDAR_START = "1990-01-02"
#: Sessions in a year, to annualise daily figures (and to turn yearly rates into daily).
TRADING_DAYS = 252


def calendar_end() -> str:
    """The calendar runs to the end of next year: one span, and cache, per year."""
    return f"{dt.date.today().year + 1}-12-31"


@functools.cache
def nyse() -> xcals.ExchangeCalendar:
    """The full calendar (opens, closes, early closes); imported only when needed, as the
    sessions alone usually come from the file cache."""
    import exchange_calendars

    return exchange_calendars.get_calendar(CALENDAR_NAME, start=CALENDAR_START,
                                           end=calendar_end())


def session_cache_file() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    version = importlib.metadata.version("exchange_calendars")
    return (cache / "momentum-pipeline"
            / f"{CALENDAR_NAME}-{CALENDAR_START}-{calendar_end()}-xcals{version}.npy")


@functools.cache
def session_days() -> np.ndarray:
    """Every session of the calendar as sorted ``datetime64[ns]`` midnights.

    Read from the file cache, else built and cached; an unreadable cache file (a
    write cut short) is rebuilt, an unwritable cache folder only costs the time.
    """
    path = session_cache_file()
    try:
        days = np.load(path)
        if days.dtype == np.dtype("datetime64[ns]") and len(days) and days[0] >= np.datetime64(
                CALENDAR_START):
            return days
    except (OSError, ValueError):
        pass
    days = nyse().sessions.to_numpy(dtype="datetime64[ns]")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, days)
    except OSError:
        pass
    return days


def sessions(start: dt.date | pd.Timestamp, end: dt.date | pd.Timestamp) -> pd.DatetimeIndex:
    """NYSE sessions in ``[start, end]`` as tz-naive midnight timestamps."""
    import pandas as pd

    days = session_days()
    first = days.searchsorted(np.datetime64(pd.Timestamp(start).normalize()), "left")
    last = days.searchsorted(np.datetime64(pd.Timestamp(end).normalize()), "right")
    return pd.DatetimeIndex(days[first:max(first, last)], name="date")


def session_on_or_before(day: dt.date) -> dt.date:
    """The session on ``day``, or the last one before it (a weekend or holiday). Needs
    no pandas, so a run date is resolved without slowing a rerun with nothing to do."""
    days = session_days()
    stamp = np.datetime64(day, "ns")
    if not days[0] <= stamp <= days[-1]:
        raise ValueError(f"{day} is outside the NYSE calendar ({days[0].astype('M8[D]')} "
                         f"to {days[-1].astype('M8[D]')})")
    return days[days.searchsorted(stamp, "right") - 1].astype("M8[D]").item()


def last_session_on_or_before(day: dt.date | pd.Timestamp) -> pd.Timestamp:
    """:func:`session_on_or_before` as a timestamp."""
    import pandas as pd

    return pd.Timestamp(session_on_or_before(pd.Timestamp(day).date()))


def sessions_before(day: dt.date | pd.Timestamp, count: int) -> pd.DatetimeIndex:
    """The last ``count`` sessions up to and including ``day``."""
    import pandas as pd

    days = session_days()
    last = days.searchsorted(np.datetime64(pd.Timestamp(day).normalize()), "right")
    return pd.DatetimeIndex(days[max(0, last - count):last], name="date")
