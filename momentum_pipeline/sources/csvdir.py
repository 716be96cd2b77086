"""The ``csv`` source: a folder of ``<TICKER>.csv`` files in the layouts vendors export
(``Date,Open,High,Low,Close,Volume`` and the others :mod:`.csv_layout` reads)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from pathlib import Path

from momentum_pipeline.sources import FetchedPrices, within_dates
from momentum_pipeline.sources.csv_files import csv_path
from momentum_pipeline.sources.csv_layout import parse_prices


@functools.cache
def warm_up() -> None:
    """Read a one-line CSV once per process: the first read imports Arrow's CSV reader and
    compute functions; tasks preload this so Luigi's forked workers inherit it."""
    parse_prices(b"Date,Open,High,Low,Close,Volume\n2024-01-02,1.0,1.0,1.0,1.0,100\n",
                 "warm-up.csv", "WARMUP")


def fetch_csv(csv_dir: Path, ticker: str, start: dt.date, end: dt.date, *,
              resample_intraday: bool = False) -> FetchedPrices:
    """The bars of ``ticker`` dated in ``[start, end]``, read by its file's layout
    (intraday bars aggregated to daily only with ``resample_intraday``); the provenance
    names the file, its SHA-256 and the layout found (with every repair)."""
    path = csv_path(csv_dir, ticker)
    content = path.read_bytes()
    parsed = parse_prices(content, str(path), ticker, resample_intraday=resample_intraday)
    frame, after = within_dates(parsed.frame, start, end)
    return FetchedPrices(
        ticker=ticker,
        frame=frame,
        source="csv",
        details={"file": str(path), "sha256": hashlib.sha256(content).hexdigest(),
                 "rows_after_run_date": after,
                 "layout": {"date_format": parsed.date_format, "notes": list(parsed.notes),
                            "delimiter": parsed.delimiter}},
    )
