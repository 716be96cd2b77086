"""The zipline data bundle of one run, ingested from the cleaned bars (never the network).

* It lives under the run's own ``ZIPLINE_ROOT`` (the caller passes a folder under
  the data root), never in ``~/.zipline``; its ingestion timestamp is the run date
  at midnight UTC, so it is found again deterministically.
* No splits, dividends or mergers are written: the cleaned prices are already
  split- and dividend-adjusted (yfinance ``auto_adjust``; the csv and sample
  sources deliver adjusted bars), and zipline would adjust them a second time.
* Our own ingest feeds zipline's daily bar writer from the cleaned frames: the
  csvdir bundle breaks on dotted file names (BRK.B) and on missing sessions. The
  cleaned bars use Yahoo tickers (BRK-B) and hold every NYSE session between a
  ticker's first and last bar (the cleaning stage fills gaps with the previous
  close and zero volume, so zipline fills no order on them).
* A ticker whose bars end before the others' (delisted, stale) is given an
  ``auto_close_date``: its last session, on whose close zipline closes a position.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from zipline.assets import AssetFinder
from zipline.data.bundles.core import (adjustment_db_path, asset_db_path, daily_equity_path,
                                       to_bundle_ingest_dirname)
from zipline.utils.calendar_utils import get_calendar

from momentum_pipeline.backtest.targets import ended_tickers
from momentum_pipeline.backtest.zipline_compat import InMemoryDailyBarReader, ingest_registered
from momentum_pipeline.foundation.calendar import CALENDAR_NAME
from momentum_pipeline.foundation.canonical_sqlite import canonicalize

BUNDLE_NAME = "momentum"
NO_ADJUSTMENTS = ("none: the cleaned prices are already split- and dividend-adjusted, "
                  "so zipline must not adjust them again")
#: zipline stores volumes as uint32; only the fill cap (volume_limit) reads them.
MAX_VOLUME = np.iinfo(np.uint32).max
MAX_LISTED = 5


def zipline_environ(zipline_root: str | Path) -> dict[str, str]:
    """The environment zipline reads: only its root folder."""
    return {"ZIPLINE_ROOT": str(zipline_root)}


def ingestion_timestamp(run_date: dt.date) -> pd.Timestamp:
    """The bundle's ingestion timestamp: the run date at midnight UTC."""
    return pd.Timestamp(run_date, tz="UTC")


def check_sessions(ticker: str, frame: pd.DataFrame) -> None:
    """Raise unless ``frame`` holds exactly the NYSE sessions between its first and last bar."""
    if frame.empty:
        raise ValueError(f"ticker {ticker}: no cleaned bars to put in the zipline bundle")
    expected = get_calendar(CALENDAR_NAME).sessions_in_range(frame.index[0], frame.index[-1])
    if frame.index.equals(expected):
        return
    missing = expected.difference(frame.index)
    extra = frame.index.difference(expected)
    listed = ", ".join(f"{name} {[d.date().isoformat() for d in dates[:MAX_LISTED]]}"
                       for name, dates in (("missing", missing), ("not sessions", extra))
                       if len(dates))
    raise ValueError(f"ticker {ticker}: cleaned bars are not aligned to the NYSE sessions "
                     f"between {frame.index[0].date()} and {frame.index[-1].date()} ({listed}); "
                     "expected one row per session, gaps filled by ValidatePrices")


def bundle_manifest(bars: Mapping[str, pd.DataFrame], run_date: dt.date) -> dict[str, Any]:
    """What the bundle holds: sids (tickers in sorted order), date ranges, why no adjustments."""
    return {
        "bundle": BUNDLE_NAME,
        "calendar": CALENDAR_NAME,
        "timestamp": ingestion_timestamp(run_date).isoformat(),
        "adjustments": NO_ADJUSTMENTS,
        "tickers": {
            ticker: {
                "sid": sid,
                "first_session": bars[ticker].index[0].date().isoformat(),
                "last_session": bars[ticker].index[-1].date().isoformat(),
                "filled_sessions": int(bars[ticker]["filled"].sum()),
            }
            for sid, ticker in enumerate(sorted(bars))
        },
    }


def bar_ranges(manifest: dict[str, Any]) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """(first, last) session of each ticker's bars in the bundle of ``manifest``."""
    return {ticker: (pd.Timestamp(entry["first_session"]), pd.Timestamp(entry["last_session"]))
            for ticker, entry in manifest["tickers"].items()}


def _equities(manifest: dict[str, Any]) -> pd.DataFrame:
    """The asset rows. A ticker whose bars end before the bundle's last session gets
    its last session as ``auto_close_date``: zipline then closes a position in it at
    that session's close, without commission; the others have none (NaT)."""
    ended = ended_tickers(bar_ranges(manifest))
    rows = {
        entry["sid"]: {
            "symbol": ticker, "asset_name": ticker, "exchange": "NYSE",
            "start_date": pd.Timestamp(entry["first_session"]),
            "end_date": pd.Timestamp(entry["last_session"]),
            "first_traded": pd.Timestamp(entry["first_session"]),
            "auto_close_date": ended.get(ticker, pd.NaT),
        }
        for ticker, entry in manifest["tickers"].items()
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def _daily_bars(frame: pd.DataFrame) -> pd.DataFrame:
    bars = frame[["open", "high", "low", "close", "volume"]].copy()
    bars["volume"] = bars["volume"].clip(upper=MAX_VOLUME)
    return bars


def ingest_bundle(bars: Mapping[str, pd.DataFrame], zipline_root: Path,
                  run_date: dt.date) -> dict[str, Any]:
    """Write ``bars`` (cleaned frames by ticker) as the bundle under ``zipline_root``.

    Returns the manifest (:func:`bundle_manifest`). zipline builds the bundle in a
    temporary folder and then copies it into place, so the caller builds
    ``zipline_root`` as a fresh folder and publishes it whole (IngestBundle). The
    SQLite files are rewritten canonically, so the same bars give the same bytes.
    """
    if not bars:
        raise ValueError("no tickers to put in the zipline bundle")
    for ticker, frame in bars.items():
        check_sessions(ticker, frame)
    manifest = bundle_manifest(bars, run_date)
    sids = {ticker: entry["sid"] for ticker, entry in manifest["tickers"].items()}

    def ingest(environ, asset_db_writer, minute_bar_writer, daily_bar_writer,
               adjustment_writer, calendar, start_session, end_session, cache,
               show_progress, output_dir):
        daily_bar_writer.write(((sids[t], _daily_bars(bars[t])) for t in sorted(bars)),
                               assets=set(sids.values()), invalid_data_behavior="raise")
        with warnings.catch_warnings():  # zipline's own groupby, deprecated in pandas 2
            warnings.filterwarnings("ignore", category=FutureWarning,
                                    module=r"zipline\.assets\.asset_writer")
            asset_db_writer.write(
                equities=_equities(manifest),
                exchanges=pd.DataFrame({"exchange": ["NYSE"], "canonical_name": ["NYSE"],
                                        "country_code": ["US"]}))
        adjustment_writer.write()  # empty splits, mergers and dividends: see NO_ADJUSTMENTS

    ingest_registered(BUNDLE_NAME, ingest, calendar_name=CALENDAR_NAME,
                      start_session=min(frame.index[0] for frame in bars.values()),
                      end_session=max(frame.index[-1] for frame in bars.values()),
                      environ=zipline_environ(zipline_root),
                      timestamp=ingestion_timestamp(run_date))
    for database in (asset_db_path, adjustment_db_path):
        canonicalize(ingestion_path(zipline_root, run_date, database))
    return manifest


@dataclass(frozen=True)
class BundleReaders:
    """What a daily backtest reads from the bundle (zipline's ``bundles.load`` also
    opens the minute bars, whose index over the whole calendar takes a second, and the
    adjustments, which are empty)."""

    asset_finder: AssetFinder
    daily_bars: InMemoryDailyBarReader


def ingestion_path(zipline_root: Path, run_date: dt.date, path_of) -> Path:
    """A file of the ingestion for ``run_date``: ``path_of`` is one of zipline's
    ``daily_equity_path``, ``asset_db_path``, ``adjustment_db_path``."""
    ingestion = to_bundle_ingest_dirname(ingestion_timestamp(run_date).tz_localize(None))
    return Path(path_of(BUNDLE_NAME, ingestion, environ=zipline_environ(zipline_root)))


def load_bundle(zipline_root: Path, run_date: dt.date) -> BundleReaders:
    """The readers of the bundle ingested for ``run_date`` under ``zipline_root``."""
    daily_bars = ingestion_path(zipline_root, run_date, daily_equity_path)
    if not daily_bars.is_dir():
        raise FileNotFoundError(f"{daily_bars}: no zipline bundle ingested for run date "
                                f"{run_date} under {zipline_root}")
    return BundleReaders(
        asset_finder=AssetFinder(str(ingestion_path(zipline_root, run_date, asset_db_path))),
        daily_bars=InMemoryDailyBarReader(str(daily_bars)),
    )
