"""Sources of daily OHLCV bars: ``yahoo`` (yfinance), ``csv`` (a folder), ``sample``.

Every source returns :class:`FetchedPrices`: the bars as delivered, with lower-case
columns ``date, open, high, low, close, volume``, unchecked. Judging them is the
validation stage's job, so a fetch never rejects data it could store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat
from typing import TYPE_CHECKING, Any

from momentum_pipeline.foundation.exclusions import TickerDataError

if TYPE_CHECKING:  # pandas is imported where frames are made: deciding completeness needs none
    import pandas as pd

PRICE_COLUMNS = ("open", "high", "low", "close", "volume")


class SourceError(TickerDataError):
    """The source cannot deliver bars for a ticker (missing or unreadable file, no data)."""


class SourceUnavailable(SourceError):
    """The source could not be reached (rate limits, time-outs) even after the retries:
    worth another try on the next run."""

    transient = True


class LayoutError(SourceError):
    """A price file is laid out in a way that cannot be read as daily bars (weekly or
    intraday bars, ambiguous or mixed date formats, a missing column, a ragged row)."""


#: Rows quoted in an error or a note, before "and N more".
MAX_QUOTED_ROWS = 10


def quote_rows(rows: Iterable[Any], values: Iterable[object] | None = None,
               limit: int = MAX_QUOTED_ROWS, noun: str = "row") -> str:
    """``rows 3 (51.O6), 9 (abc)``: rows of a file counted from 1 (or other labels: dates),
    in order, each once with its own value (bare without ``values``); the first ``limit``,
    then how many more."""
    quoted: dict[Any, object] = {}
    for row, value in zip(rows, repeat(None) if values is None else values):
        quoted.setdefault(row, value)
    listed = [str(row) if values is None else f"{row} ({value})"
              for row, value in sorted(quoted.items())]
    more = f" and {len(listed) - limit} more" if len(listed) > limit else ""
    return f"{noun if len(listed) == 1 else noun + 's'} {', '.join(listed[:limit])}{more}"


@dataclass(frozen=True)
class FetchedPrices:
    """Bars for one ticker as delivered by a source, plus what provenance needs."""

    ticker: str
    frame: pd.DataFrame
    source: str
    details: dict[str, Any] = field(default_factory=dict)
    retrieved_at: str | None = None

    @property
    def sample_data(self) -> bool:
        return self.source == "sample"


def normalise_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Lower-case, snake-case column names (``Adj Close`` -> ``adj_close``)."""
    frame = frame.copy()
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    return frame


def within_dates(frame: pd.DataFrame, start: dt.date,
                 end: dt.date) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Rows dated in ``[start, end]``, and what was dropped after ``end`` (no data from the
    future): ``{"count": n, "first": date, "last": date}``, for the task to log and record.
    Rows whose date cannot be parsed are kept for validation to report.

    Dates are delivered parsed (``datetime64``) when every one of them parses, else
    as given, so validation can quote the text that does not. The index keeps each
    row's position in the source (0 = first data row), so validation errors name
    the rows of the file, not of the slice.
    """
    import pandas as pd

    if "date" not in frame.columns:
        return frame, {"count": 0}
    dates = pd.to_datetime(frame["date"], errors="coerce", cache=False)  # dates are unique
    keep = dates.isna() | ((dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end)))
    future = dates[dates > pd.Timestamp(end)]
    after: dict[str, Any] = {"count": len(future)}
    if len(future):
        after.update(first=future.min().date().isoformat(), last=future.max().date().isoformat())
    if not (dates.isna() & frame["date"].notna()).any():
        frame = frame.assign(date=dates)
    return frame.loc[keep], after
