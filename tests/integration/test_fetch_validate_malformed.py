"""Malformed CSV files exclude their own ticker with a clear error; the rest of the run
goes on, and each excluded ticker's ``ConfirmTicker`` fails with one alert.

The files are in tests/resources/ohlcv: AAA, BBB and BRK.B are clean, DEFECTS has
one repairable defect per cleaning rule, the others are broken (see each case).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from luigi.execution_summary import LuigiStatusCode

from momentum_pipeline.operations.alerts import alerts_of_run
from momentum_pipeline.foundation.frames import read_parquet
from tasks.pipeline import ConfirmTicker
from tests.conftest import RESOURCES, run_tasks
from tests.integration.test_fetch_validate import configured

OHLCV = RESOURCES / "ohlcv"
RUN_DATE = dt.date(2024, 3, 28)
CLEAN = ("AAA", "BBB", "BRK-B", "DEFECTS")
#: Broken ticker -> (the stage that excludes it, what its error must say besides the file).
BROKEN = {
    "NOCLOSE": ("FetchPrices", "no close column: the header (line 1) has Date, Open, High, Low, "
                               "Volume; expected Date,Open,High,Low,Close,Volume"),
    "TEXTNUM": ("ValidatePrices", "column 'close': not readable as float64 at row 3 (51.O6)"),
    "UNSORTED": ("ValidatePrices", "dates not in ascending order at row 4 (2024-01-04)"),
    "DUPDATE": ("ValidatePrices", "one date with two different bars at rows 2 (2024-01-03), "
                                  "3 (2024-01-03)"),
    "NEGATIVE": ("ValidatePrices", "column 'close' failed greater_than(0) at row 3 (-51.06)"),
    "BADDATE": ("ValidatePrices", "column 'date': not readable as datetime64[ns] at row 2 "
                                  "(2024-01-32)"),
    "EMPTY": ("FetchPrices", "empty file, expected a header Date,Open,High,Low,Close,Volume"),
    "HEADERONLY": ("FetchPrices", "header but no rows for ticker HEADERONLY"),
    "RAGGED": ("FetchPrices", "not a readable CSV file for ticker RAGGED: the header has 6 "
                              "fields, row 2 (7 fields)"),
    "NOSUCH": ("FetchPrices", "no CSV file for ticker NOSUCH"),
}


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("malformed") / "var"
    with configured(root, csv_dir=OHLCV, start="2024-01-01"):
        result = run_tasks(*(ConfirmTicker(date=RUN_DATE, ticker=t) for t in (*CLEAN, *BROKEN)),
                           workers=2)
    return root, result


def cleaned(root: Path, ticker: str, suffix: str = ".parquet") -> Path:
    return root / "data" / "cleaned" / RUN_DATE.isoformat() / f"{ticker}{suffix}"


def test_malformed_when_mixed_with_clean_files_then_clean_tickers_complete(mixed_run):
    root, result = mixed_run
    assert result.status == LuigiStatusCode.FAILED
    for ticker in CLEAN:
        assert read_parquet(cleaned(root, ticker)).index[-1].date() <= RUN_DATE
        assert cleaned(root, ticker, ".quality.json").is_file()


@pytest.mark.parametrize("ticker", sorted(BROKEN))
def test_malformed_when_file_broken_then_one_alert_naming_stage_file_and_problem_and_no_output(
        mixed_run, ticker):
    root, _ = mixed_run
    stage, problem = BROKEN[ticker]
    alerts = [a for a in alerts_of_run(root / "logs" / "alerts.log", RUN_DATE)
              if a.parameters.get("ticker") == ticker]
    assert [a.family for a in alerts] == ["ConfirmTicker"]  # one failure, not retried
    error = alerts[0].error
    assert f"{ticker} is excluded from {RUN_DATE} at {stage}: " in error
    assert str(OHLCV / ticker) in error and problem in error
    assert not cleaned(root, ticker).exists() and not cleaned(root, ticker, ".quality.json").exists()
    raw = root / "data" / "raw" / RUN_DATE.isoformat() / f"{ticker}.parquet"
    assert raw.exists() == (stage == "ValidatePrices")


def test_malformed_when_a_schema_mismatch_then_error_type_says_so(mixed_run):
    root, _ = mixed_run
    [alert] = [a for a in alerts_of_run(root / "logs" / "alerts.log", RUN_DATE)
               if a.parameters.get("ticker") == "TEXTNUM"]
    assert alert.error.startswith("TickerExcluded: TEXTNUM is excluded")
    assert "ValidatePrices: " in alert.error and "does not match the raw prices schema" in alert.error


def test_malformed_when_run_failed_then_no_temporary_or_partial_file_left(mixed_run):
    root, _ = mixed_run
    assert [p for p in root.rglob(".*") if p.is_file()] == []
    for path in root.rglob("*.parquet"):
        read_parquet(path)
    for path in root.rglob("*.json"):
        json.loads(path.read_text())


#: The planted defects of DEFECTS.csv, one per rule, by rule (the run date is 2024-03-28).
DEFECTS = {
    "missing_values": ["2024-01-09"],  # high missing
    "duplicate_rows": ["2024-01-17"],  # the row twice
    "non_trading_days": ["2024-01-06", "2024-01-15"],  # a Saturday, MLK day
    "ohlc_repaired": ["2024-01-10"],  # high 99.90 below the close 100.20
    "missing_sessions": ["2024-01-09", "2024-01-11"],  # the dropped row, an absent row
    "sparse_history": [],
    "zero_volume": ["2024-01-19"],
    "flat_bars": ["2024-01-19"],
    "thin_volume": ["2024-01-25"],  # 15,000 shares against about a million
    "suspicious_jumps": ["2024-02-02"],  # opens at 150 after closing at 100
    "extreme_jumps": [],
    "stale_last_session": ["2024-02-09"],  # ends seven weeks before the run date
}


def test_defects_when_one_per_rule_then_record_lists_each_and_bars_are_repaired(mixed_run):
    root, _ = mixed_run
    rules = json.loads(cleaned(root, "DEFECTS", ".quality.json").read_text())["rules"]
    assert {rule: found["dates"] for rule, found in rules.items()} == DEFECTS
    bars = read_parquet(cleaned(root, "DEFECTS"))
    assert bars.loc["2024-01-10", "high"] == 100.20
    assert bars.loc["2024-01-11", "filled"] and bars.loc["2024-01-11", "close"] == 100.20
    assert bars.index[-1].isoformat()[:10] == "2024-02-09" and bars.index.is_unique
    log = (root / "logs" / "ValidatePrices.log").read_text()
    assert "DEFECTS: rule ohlc_repaired (warn) repaired 1 rows (first: 2024-01-10)" in log
    assert "DEFECTS: 30 rows in, 28 sessions out, prices as delivered; missing_values dropped 1" in log
