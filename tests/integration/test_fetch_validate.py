"""Fetch and validate the real S&P 100 and SPY (the csv source on ../shared/data/ohlcv).

The stage runs twice on the whole history (2005-10-10 to 2025-10-08), with two
workers and with one, into separate data roots. Expectations are computed here from
the CSV files with plain pandas and exchange-calendars, not by the pipeline's code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest
from luigi.execution_summary import LuigiStatusCode

from momentum_pipeline.foundation.frames import read_parquet, read_provenance
from momentum_pipeline.operations.root_lock import LOCK_FILE
from tasks.universe import benchmark_ticker, universe_tickers
from tasks.validate import ValidatePrices
from tests.conftest import REAL_OHLCV, PipelineConfig, run_cli, run_tasks

RUN_DATE = dt.date(2025, 10, 8)
START = "2005-01-01"


@contextlib.contextmanager
def configured(root: Path, csv_dir: Path = REAL_OHLCV, start: str = START,
               **settings: str) -> Iterator[PipelineConfig]:
    """Luigi configured for the csv source under ``root``; ``settings`` as section_option."""
    config = PipelineConfig()
    config.set("paths", "root", root)
    config.set("data", "source", "csv")
    config.set("data", "csv_dir", csv_dir)
    config.set("data", "start", start)
    for name, value in settings.items():
        config.set(*name.split("_", 1), value)
    try:
        yield config
    finally:
        config.restore()


def validate_universe(run_date: dt.date = RUN_DATE) -> list[ValidatePrices]:
    tickers = dict.fromkeys((*universe_tickers(), benchmark_ticker()))
    return [ValidatePrices(date=run_date, ticker=t) for t in tickers]


def data_files(root: Path) -> dict[str, bytes]:
    """Every file under ``<root>/data``, by path relative to the root."""
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted((root / "data").rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[int, tuple[Path, object]]:
    """Data root and Luigi result of the stage, by number of workers."""
    runs = {}
    for workers in (2, 1):
        root = tmp_path_factory.mktemp(f"workers{workers}") / "var"
        with configured(root):
            runs[workers] = (root, run_tasks(*validate_universe(), workers=workers))
    return runs


@pytest.fixture(scope="module")
def root(runs) -> Path:
    return runs[2][0]


@pytest.fixture(scope="module")
def csv_bars() -> dict[str, pd.DataFrame]:
    """The real bars of every ticker from START to RUN_DATE, read with plain pandas."""
    bars = {}
    for path in sorted(REAL_OHLCV.glob("*.csv")):
        # round_trip: each float exactly as written (the C parser's default may be off by
        # one unit in the last place).
        frame = pd.read_csv(path, parse_dates=["Date"], index_col="Date",
                            float_precision="round_trip")
        bars[path.stem] = frame.loc[START:RUN_DATE.isoformat()]
    return bars


def cleaned_dir(root: Path) -> Path:
    return root / "data" / "cleaned" / RUN_DATE.isoformat()


def record(root: Path, ticker: str) -> dict:
    return json.loads((cleaned_dir(root) / f"{ticker}.quality.json").read_text())


def test_stage_when_real_sp100_then_101_members_and_the_benchmark_cleaned(runs, root, csv_bars):
    assert runs[2][1].status == LuigiStatusCode.SUCCESS
    cleaned = sorted(p.stem for p in cleaned_dir(root).glob("*.parquet"))
    assert cleaned == sorted(csv_bars) and len(cleaned) == 102
    nyse = xcals.get_calendar("XNYS", start="2005-01-03", end="2025-12-31")
    for ticker, expected in csv_bars.items():
        bars = read_parquet(cleaned_dir(root) / f"{ticker}.parquet")
        sessions = nyse.sessions_in_range(expected.index[0], expected.index[-1])
        assert bars.index.equals(pd.DatetimeIndex(sessions, name="date")), ticker
        assert bars["close"].tolist() == expected["Close"].tolist(), ticker
        assert bars["volume"].tolist() == expected["Volume"].tolist(), ticker
        assert not bars["filled"].any(), ticker


def test_stage_when_outputs_written_then_provenance_says_real_csv_with_file_and_hash(root):
    raw = read_provenance(root / "data" / "raw" / RUN_DATE.isoformat() / "BRK-B.parquet")
    cleaned = read_provenance(cleaned_dir(root) / "BRK-B.parquet")
    assert (raw.source, raw.sample_data, cleaned.source, cleaned.sample_data) == (
        "csv", False, "csv", False)
    assert raw.inputs["file"] == str(REAL_OHLCV / "BRK-B.csv") and len(raw.inputs["sha256"]) == 64
    assert raw.parameters["start"] == START
    assert cleaned.parameters["jump_threshold"] == 0.4
    assert json.loads((root / "data" / "source.json").read_text()) == {"source": "csv"}


def test_stage_when_recomputed_with_one_worker_then_every_output_byte_identical(runs):
    two, one = data_files(runs[2][0]), data_files(runs[1][0])
    assert runs[1][1].status == LuigiStatusCode.SUCCESS
    outputs = {name.split(".parquet/")[0] for name in two}  # a frame stored as parts is one
    assert len(outputs) == 102 * 3 + 1  # raw and cleaned parquet, quality record; source marker
    assert sorted(two) == sorted(one)
    assert [name for name in two if two[name] != one[name]] == []


def written_times(root: Path) -> dict[Path, int]:
    """Modification time of every file under ``root`` but the root's lock, which each
    run rewrites with its own pid."""
    return {p: p.stat().st_mtime_ns for p in root.rglob("*")
            if p.is_file() and p != root / LOCK_FILE}


def test_stage_when_rerun_then_nothing_runs_and_no_file_changes(root):
    before = written_times(root)
    with configured(root):
        result = run_tasks(*validate_universe(), workers=2)
    assert result.status == LuigiStatusCode.SUCCESS
    assert written_times(root) == before


def test_stage_when_rerun_from_the_command_line_then_task_reported_complete(root):
    result = run_cli("ValidatePrices", "--ticker", "AAPL", "--local-scheduler",
                     "--date", RUN_DATE.isoformat(), "--paths-root", str(root),
                     "--data-source", "csv", "--data-csv-dir", str(REAL_OHLCV),
                     "--data-start", START)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr == (
        f"Summary: nothing to do: ValidatePrices(date={RUN_DATE}, ticker=AAPL) already done.\n")


def expected_findings(bars: pd.DataFrame) -> dict[str, list[str]]:
    """What the rules table of momentum_pipeline.validation says each rule must find."""
    open_, high, low, close, volume = (bars[c] for c in ("Open", "High", "Low", "Close",
                                                           "Volume"))
    nyse = xcals.get_calendar("XNYS", start="2005-01-03", end="2025-12-31")
    last_session = nyse.date_to_session(pd.Timestamp(RUN_DATE), direction="previous")
    usual = volume.shift(1).rolling(21, min_periods=10).median()
    found = {
        "zero_volume": volume == 0,
        "flat_bars": (open_ == high) & (high == low) & (low == close),
        "thin_volume": (volume > 0) & (volume < 0.05 * usual),
        "suspicious_jumps": (open_ / close.shift(1) - 1).abs() > 0.40,
    }
    findings = {rule: [d.date().isoformat() for d in bars.index[mask.to_numpy()]]
                for rule, mask in found.items()}
    stale = bars.index[-1] < last_session
    findings["stale_last_session"] = [bars.index[-1].date().isoformat()] if stale else []
    return findings


def test_quality_records_when_real_data_then_every_flag_as_computed_from_the_csv(root,
                                                                               csv_bars):
    for ticker, bars in csv_bars.items():
        rules = record(root, ticker)["rules"]
        for rule, dates in expected_findings(bars).items():
            assert rules[rule]["dates"] == dates, (ticker, rule)
            assert rules[rule]["count"] == len(dates), (ticker, rule)
        for rule in ("missing_values", "duplicate_rows", "non_trading_days", "ohlc_repaired",
                     "missing_sessions"):
            assert rules[rule]["count"] == 0, (ticker, rule)


@pytest.mark.parametrize(("ticker", "rule", "dates"), [
    ("AMD", "zero_volume", ["2015-01-02"]),  # a flat, zero-volume print
    ("AMD", "flat_bars", ["2015-01-02"]),
    ("SCHW", "flat_bars", ["2008-09-19"]),
    ("DHR", "suspicious_jumps", ["2016-07-05"]),  # +55%: Fortive spin-off mis-adjusted
    ("SPY", "stale_last_session", ["2025-10-07"]),  # no bar for 2025-10-08
    # Volume of a partial day (about 1% of usual) on 2008-09-19, quadruple witching.
    *((t, "thin_volume", ["2008-09-19"]) for t in ("AMAT", "AMGN", "BK", "CMCSA", "COST",
                                                    "CSCO", "SCHW")),
    ("BRK-B", "thin_volume", ["2021-03-16", "2021-03-17"]),
    # GOOG (class C) before its own listing on 2014-04-03: when-issued volume.
    ("GOOG", "thin_volume", ["2014-03-27", "2014-03-28", "2014-03-31", "2014-04-01",
                             "2014-04-02"]),
])
def test_quality_records_when_real_data_then_known_defects_found(root, ticker, rule, dates):
    assert record(root, ticker)["rules"][rule]["dates"] == dates


def test_quality_records_when_real_data_then_bars_of_a_known_defect_are_as_in_the_file(
        root, csv_bars):
    amd = read_parquet(cleaned_dir(root) / "AMD.parquet").loc["2015-01-02"]
    row = csv_bars["AMD"].loc["2015-01-02"]
    assert amd["volume"] == 0 and amd["close"] == row["Close"]  # flagged, not altered
    assert np.isclose(amd["open"], amd["high"]) and amd["low"] == amd["close"]
