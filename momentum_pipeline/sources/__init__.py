"""Sources of daily OHLCV bars: ``yahoo`` (yfinance), ``csv`` (a folder), ``sample``.

Every source returns :class:`FetchedPrices`: the bars as delivered, with lower-case
columns ``date, open, high, low, close, volume``, unchecked. Judging them is the
validation stage's job, so a fetch never rejects data it could store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

PRICE_COLUMNS = ("open", "high", "low", "close", "volume")


class SourceError(Exception):
    """The source cannot deliver bars for a ticker (missing or unreadable file, no data)."""


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


def within_dates(frame: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Rows dated in ``[start, end]``; rows whose date cannot be parsed are kept for
    validation to report, rows after ``end`` are dropped (no data from the future).

    Dates are delivered parsed (``datetime64``) when every one of them parses, else
    as given, so validation can quote the text that does not. The index keeps each
    row's position in the source (0 = first data row), so validation errors name
    the rows of the file, not of the slice.
    """
    if "date" not in frame.columns:
        return frame
    dates = pd.to_datetime(frame["date"], errors="coerce", cache=False)  # dates are unique
    keep = dates.isna() | ((dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end)))
    if not (dates.isna() & frame["date"].notna()).any():
        frame = frame.assign(date=dates)
    return frame.loc[keep]
