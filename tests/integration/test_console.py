"""The console of a real command-line run with one bad ticker: a line per stage, the
alert, no traceback and none of Luigi's status lines, then a summary that names the
failure and the report; Luigi's detail is in logs/luigi.log, and on the console with
--console-verbose."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REAL_OHLCV, run_cli

RUN_DATE = "2025-10-08"
TICKERS = ("AAPL", "MSFT", "JPM")


def small_run(root: Path, folder: Path, *extra: str):
    return run_cli("DailyPipeline", "--local-scheduler", "--workers", "2", "--date", RUN_DATE,
                   "--paths-root", str(root), "--data-source", "csv",
                   "--data-csv-dir", str(folder), "--data-start", "2023-01-03",
                   "--backtest-start", "2024-01-02", "--universe-max-excluded-fraction", "0.5",
                   "--universe-tickers", ",".join((*TICKERS, "NOPE")), *extra, timeout=600)


@pytest.fixture(scope="module")
def failing_run(tmp_path_factory):
    """NOPE has no file: it fails alone, the day goes on."""
    base = tmp_path_factory.mktemp("console")
    folder = base / "ohlcv"
    folder.mkdir()
    for ticker in (*TICKERS, "SPY", "TSLA"):
        (folder / f"{ticker}.csv").symlink_to(REAL_OHLCV / f"{ticker}.csv")
    root = base / "var"
    return root, folder, small_run(root, folder)


def test_console_when_one_ticker_fails_then_summary_names_it_and_the_report(failing_run):
    root, _, run = failing_run
    assert run.returncode == 30, run.stderr[-3000:]
    summary = run.stderr[run.stderr.index("Summary: "):].splitlines()
    assert re.fullmatch(r"Summary: \d+ tasks ran in [\d.]+ s, 1 failed; 0 already done\.",
                        summary[0])
    assert summary[1].startswith(
        f"  FAILED ConfirmTicker(date={RUN_DATE}, ticker=NOPE): TickerExcluded: NOPE is "
        f"excluded from {RUN_DATE} at FetchPrices")
    assert summary[2:] == [f"  report: {root / 'reports' / RUN_DATE / 'final_analysis_report.pdf'}",
                           f"  why: {root / 'logs' / 'alerts.log'} and the task logs beside it"]


def test_console_when_run_then_a_line_per_stage_the_alert_and_no_luigi_detail(failing_run):
    root, _, run = failing_run
    for stage in ("FetchPrices", "ValidatePrices", "BuildFeatures", "GenerateSignals",
                  "BacktestStrategy", "GenerateReport"):
        assert len(re.findall(rf"^{stage} \d+/\d+ done.* in [\d.]+ s$", run.stderr,
                              re.MULTILINE)) == 1, stage
    assert "ALERT task ConfirmTicker failed" in run.stderr
    assert "Traceback" not in run.stderr
    assert "INFO:" not in run.stderr and "Luigi Execution Summary" not in run.stderr
    assert len(run.stderr.splitlines()) < 80
    detail = (root / "logs" / "luigi.log").read_text()
    assert "Luigi Execution Summary" in detail and "Traceback (most recent call last)" in detail


def test_console_when_verbose_then_luigi_detail_and_tracebacks_come_back(failing_run):
    root, folder, _ = failing_run
    rerun = small_run(root, folder, "--console-verbose")  # NOPE still fails
    assert rerun.returncode == 30
    assert "INFO: Informed scheduler that task" in rerun.stderr
    assert "Luigi Execution Summary" in rerun.stderr and "Traceback" in rerun.stderr
    assert "alerted at" in rerun.stderr and "not sent again" in rerun.stderr
