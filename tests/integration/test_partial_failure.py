"""One bad ticker never stops the day: the real S&P 100 with three tickers broken in
different ways still gives signals, a backtest, a metrics-log row and a PDF for the
other 98, names the three everywhere, and takes a fixed ticker back on the next run.
A broken benchmark fails the day clearly."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from luigi.execution_summary import LuigiStatusCode

from momentum_pipeline.operations.alerts import alerts_of_run
from momentum_pipeline.foundation.frames import read_parquet
from tasks.pipeline import DailyPipeline
from tasks.signals import GenerateSignals
from tests.conftest import REAL_OHLCV, run_tasks
from tests.integration.test_fetch_validate import configured

RUN_DATE = dt.date(2025, 10, 8)
START = "2013-01-02"
#: Broken ticker -> (the stage that excludes it, words of the reason).
BROKEN = {
    "XOM": ("ValidatePrices", "column 'open': not readable as float64"),
    "KO": ("FetchPrices", "no CSV file for ticker KO"),
    "JPM": ("ValidatePrices", "extreme_jumps"),
}

pytestmark = pytest.mark.slow


def linked_folder(folder: Path, skip: tuple[str, ...] = ()) -> Path:
    """A csv folder whose files link to the real ones (read in place, never copied)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in REAL_OHLCV.glob("*.csv"):
        if path.stem not in skip:
            (folder / path.name).symlink_to(path)
    return folder


def rewrite(folder: Path, ticker: str, change) -> None:
    """Replace the link of ``ticker`` by a changed copy of the real rows, in ``folder``."""
    with (REAL_OHLCV / f"{ticker}.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    target = folder / f"{ticker}.csv"
    target.unlink(missing_ok=True)
    with target.open("w", newline="") as handle:
        csv.writer(handle).writerows(change(rows))


def text_in_a_price(rows):
    row = next(i for i, r in enumerate(rows[1:], start=1) if r[0] >= "2020-03-02")
    rows[row][1] = "12.3x"
    return rows


def unapplied_split(rows):
    """Prices before 2019 left 20 times higher: a 20:1 split the file never applied."""
    return [rows[0]] + [[r[0], *(f"{float(v) * 20!r}" for v in r[1:5]), r[5]]
                        if r[0] < "2019-01-02" else r for r in rows[1:]]


def dated(root: Path, *parts: str) -> Path:
    return root.joinpath(*parts[:-1], RUN_DATE.isoformat(), parts[-1])


@pytest.fixture(scope="module")
def broken_day(tmp_path_factory):
    base = tmp_path_factory.mktemp("partial")
    folder = linked_folder(base / "ohlcv", skip=("KO",))
    rewrite(folder, "XOM", text_in_a_price)
    rewrite(folder, "JPM", unapplied_split)
    root = base / "var"
    with configured(root, csv_dir=folder, start=START):
        first = run_tasks(DailyPipeline(date=RUN_DATE))
        first_alerts = alerts_of_run(root / "logs" / "alerts.log", RUN_DATE)
        stamps = stamp_times(root)
        (folder / "XOM.csv").unlink()
        (folder / "XOM.csv").symlink_to(REAL_OHLCV / "XOM.csv")
        fixed = run_tasks(DailyPipeline(date=RUN_DATE))
        rerun_stamps = {p: t for p, t in stamp_times(root).items() if stamps.get(p) != t}
    return root, first, first_alerts, fixed, rerun_stamps


def stamp_times(root: Path) -> dict[str, int]:
    """Each task's stamp and when it was written: a task that ran rewrote its stamp."""
    return {p.name: p.stat().st_mtime_ns for p in (root / "state").rglob("*.json")}


def failures(alerts) -> set[tuple[str, str]]:
    return {(a.family, a.parameters.get("ticker", "")) for a in alerts if a.outcome == "failed"}


def test_broken_day_when_three_tickers_broken_then_only_their_confirmations_fail(broken_day):
    _, first, first_alerts, _, _ = broken_day
    assert first.status == LuigiStatusCode.FAILED
    assert failures(first_alerts) == {("ConfirmTicker", t) for t in BROKEN}


def test_broken_day_when_three_tickers_broken_then_signals_name_them_with_stage_and_reason(
        broken_day):
    root, *_ = broken_day
    excluded = {e["ticker"]: e for e in
                json.loads(dated(root, "signals", "excluded.json").read_text())["excluded_from_day"]}
    assert set(excluded) == {"KO", "JPM"}  # XOM is back after its fix
    for ticker in ("KO", "JPM"):
        stage, words = BROKEN[ticker]
        assert excluded[ticker]["stage"] == stage and words in excluded[ticker]["reason"]
    weights = read_parquet(dated(root, "signals", "target_weights.parquet"))
    assert len(weights.columns) == 99 and "XOM" in weights.columns
    assert not {"KO", "JPM"} & set(weights.columns)


def test_broken_day_when_run_then_backtest_performance_log_and_reports_come_out_naming_them(
        broken_day):
    root, *_ = broken_day
    summary = json.loads(dated(root, "backtest_results", "summary.json").read_text())
    assert summary["strategy_metrics"]["sharpe"] is not None
    with (root / "logs" / "metrics.csv").open(newline="") as handle:
        [row] = [r for r in csv.DictReader(handle) if r["run_date"] == RUN_DATE.isoformat()]
    assert row["excluded"] == "JPM (ValidatePrices); KO (FetchPrices)"  # universe order
    assert row["tickers"] == "99"
    assert dated(root, "reports", "final_analysis_report.pdf").stat().st_size > 10_000
    markdown = dated(root, "reports", "summary.md").read_text()
    assert "Excluded from this day (2;" in markdown
    assert "- JPM at ValidatePrices:" in markdown and "- KO at FetchPrices:" in markdown
    html = dated(root, "reports", "final_analysis_report.html").read_text()
    assert html.index("Excluded from this day") < html.index("<h2>Performance</h2>")


def test_broken_day_when_excluded_then_each_ticker_alerted_with_stage_and_reason(broken_day):
    _, _, first_alerts, _, _ = broken_day
    alerts = [a for a in first_alerts if a.family == "ConfirmTicker"]
    by_ticker = {}
    for alert in alerts:
        by_ticker.setdefault(alert.parameters["ticker"], []).append(alert.error)
    assert set(by_ticker) == set(BROKEN)
    for ticker, (stage, words) in BROKEN.items():
        assert any(f"{ticker} is excluded from {RUN_DATE} at {stage}" in e and words in e
                   for e in by_ticker[ticker])


def test_broken_day_when_file_fixed_then_rerun_brings_ticker_back_and_redoes_only_its_chain(
        broken_day):
    root, _, first_alerts, fixed, rerun_stamps = broken_day
    ran = {name.split("_2025_10_08")[0] + name.split("_2025_10_08")[1].rsplit("_", 1)[0]
           for name in rerun_stamps}
    # run again: XOM's own stages and the cross-sectional ones, nothing else
    assert ran == {"FetchPrices_XOM", "ValidatePrices_XOM", "BuildFeatures_XOM",
                   "CalculateMetrics_XOM", "ConfirmTicker_XOM", "GenerateSignals",
                   "IngestBundle", "BacktestStrategy", "LogPerformance", "GenerateReport_False"}
    # KO and JPM fail again the same way: alerted by the first run, not a second time.
    later = alerts_of_run(root / "logs" / "alerts.log", RUN_DATE)[len(first_alerts):]
    assert later == []
    assert {("ConfirmTicker", "KO"), ("ConfirmTicker", "JPM")} <= failures(first_alerts)


def test_day_when_benchmark_broken_then_signals_fail_naming_it(tmp_path):
    folder = linked_folder(tmp_path / "ohlcv")
    rewrite(folder, "SPY", text_in_a_price)
    root = tmp_path / "var"
    with configured(root, csv_dir=folder, start=START,
                    universe_tickers="AAPL,MSFT,NVDA,AMZN,TSLA"):
        result = run_tasks(GenerateSignals(date=RUN_DATE))
    assert result.status == LuigiStatusCode.FAILED
    [alert] = [a for a in alerts_of_run(root / "logs" / "alerts.log", RUN_DATE)
               if a.family == "GenerateSignals"]
    assert alert.error.startswith("DayFailed: the benchmark SPY is excluded")
    assert "ValidatePrices" in alert.error and "column 'open'" in alert.error
    assert not dated(root, "signals", "target_weights.parquet").exists()
