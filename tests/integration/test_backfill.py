"""``python -m tasks.commands.backfill`` runs DailyPipeline for each session of a range,
oldest first, each date sharing the history of the one before; a failed date does not
stop the later ones, and the command exits with Luigi's code for it; a data root held by
another run, or Ctrl-C, stops it with what to do."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import REAL_OHLCV, REPO
from tests.integration.test_root_lock import ALREADY_RUNNING, start_holder

TICKERS = ("AAPL", "MSFT", "TSLA")


def backfill_command(root: Path, csv_dir: Path, start: str, end: str,
                     tickers: tuple[str, ...] = TICKERS, *flags: str) -> list[str]:
    return [sys.executable, "-m", "tasks.commands.backfill", "--start", start, "--end", end,
            "--local-scheduler", "--paths-root", str(root), "--universe-tickers",
            ",".join(tickers), "--data-source", "csv", "--data-csv-dir", str(csv_dir), *flags]


ENVIRONMENT = {**os.environ, "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg")}


def backfill(*args, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(backfill_command(*args, **kwargs), cwd=REPO, env=ENVIRONMENT,
                          capture_output=True, text=True, timeout=900)


def test_backfill_when_range_spans_a_weekend_then_sessions_run_oldest_first_sharing_history(tmp_path):
    root = tmp_path / "var"
    result = backfill(root, REAL_OHLCV, "2025-10-03", "2025-10-06")

    assert result.returncode == 0, result.stderr[-4000:]
    said = [line for line in result.stdout.splitlines() if line.startswith("backfill:")]
    assert said == ["backfill: 2025-10-03 (1/2)", "backfill: 2025-10-06 (2/2)",
                    "backfill: 2 of 2 sessions from 2025-10-03 to 2025-10-06 done"]
    assert sorted(p.name for p in (root / "reports").iterdir()) == ["2025-10-03", "2025-10-06"]
    assert (root / "reports" / "2025-10-06" / "final_analysis_report.pdf").is_file()
    # The Monday found Friday done: its closed years are Friday's file, hard-linked.
    closed_years = root / "features" / "2025-10-06" / "AAPL.parquet" / "2010-2024.parquet"
    assert closed_years.stat().st_nlink == 2

    again = backfill(root, REAL_OHLCV, "2025-10-03", "2025-10-06")
    assert again.returncode == 0, again.stderr[-4000:]
    assert "Summary: nothing to do: 2 tasks already done." in again.stderr


def test_backfill_when_a_date_fails_then_later_dates_run_and_it_exits_with_luigis_code(tmp_path):
    folder = tmp_path / "ohlcv"
    folder.mkdir()
    for ticker in (*TICKERS, "SPY"):
        (folder / f"{ticker}.csv").symlink_to(REAL_OHLCV / f"{ticker}.csv")
    # KO with a negative close on 2025-10-06: a schema mismatch from that run date on.
    lines = (REAL_OHLCV / "KO.csv").read_text().splitlines()
    header = lines[0].split(",")
    broken = []
    for line in lines:
        fields = line.split(",")
        if fields[0].startswith("2025-10-06"):
            fields[header.index("Close")] = "-1.0"
        broken.append(",".join(fields))
    (folder / "KO.csv").write_text("\n".join(broken) + "\n")
    root = tmp_path / "var"

    # One ticker of four excluded is 25 %: allowed, so each day goes on without it.
    result = backfill(root, folder, "2025-10-03", "2025-10-07", (*TICKERS, "KO"),
                      "--universe-max-excluded-fraction", "0.5")

    assert result.returncode == 30, result.stderr[-4000:]  # luigi.cfg [retcode] task_failed
    assert result.stdout.splitlines()[-1] == (
        "backfill: 1 of 3 sessions from 2025-10-03 to 2025-10-07 done; "
        "2025-10-06 failed (exit 30); 2025-10-07 failed (exit 30)")
    assert "KO.csv" in result.stderr and "close" in result.stderr
    # Each failed date went on without KO (the flag reached every date's run), and the
    # date after the first failure ran.
    for day in ("2025-10-03", "2025-10-06", "2025-10-07"):
        assert (root / "reports" / day / "final_analysis_report.pdf").is_file()


def test_backfill_when_another_run_holds_the_root_then_it_stops_at_the_first_date(tmp_path):
    root = tmp_path / "var"
    holder = start_holder(root)
    try:
        result = backfill(root, REAL_OHLCV, "2025-10-03", "2025-10-07")
    finally:
        holder.communicate()
    assert result.returncode == ALREADY_RUNNING, result.stderr[-4000:]
    assert "is in use by" in result.stderr
    assert result.stdout.splitlines()[-1] == (
        f"backfill: 0 of 3 sessions from 2025-10-03 to 2025-10-07 done; 2025-10-03 failed "
        f"(exit {ALREADY_RUNNING}); 2 not run (from 2025-10-06): the data root is in use")
    assert not (root / "reports").exists()


def test_backfill_when_interrupted_then_it_says_how_to_go_on(tmp_path):
    run = subprocess.Popen(backfill_command(tmp_path / "var", REAL_OHLCV, "2025-10-03",
                                            "2025-10-06"),
                           cwd=REPO, env=ENVIRONMENT, text=True, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    for line in run.stderr:  # the first date's tasks are running
        if line.startswith("FetchPrices"):
            break
    run.send_signal(signal.SIGINT)
    stdout, _ = run.communicate(timeout=120)
    assert run.returncode == 130
    assert stdout.splitlines()[-1] == (
        "backfill: interrupted during 2025-10-03; run the same command again to go on "
        "(the dates done are skipped, and so are the tasks done of this one)")
