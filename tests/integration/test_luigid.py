"""A real central scheduler: scripts/luigid.sh on a free loopback port, DailyPipeline
run against it by one worker with two processes, checked through luigid's HTTP API
and its task-history database."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tasks.base import BATCH_SEPARATOR
from tests.conftest import REAL_OHLCV, REPO, run_cli

RUN_DATE = "2025-10-08"
TICKERS = "AAPL,MSFT,TSLA"
#: RangeDaily's stop is exclusive: the days 2025-10-07 and RUN_DATE.
BACKFILL_START, BACKFILL_STOP = "2025-10-07", "2025-10-09"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Luigid:
    process: subprocess.Popen
    port: int
    root: Path

    def api(self, method: str, **data: object) -> dict:
        query = urllib.parse.urlencode({"data": json.dumps(data)})
        url = f"http://127.0.0.1:{self.port}/api/{method}?{query}"
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)["response"]

    def tasks(self, status: str) -> dict[str, dict]:
        return self.api("task_list", status=status, upstream_status="", search="")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # luigid saves its state on SIGTERM
            self.process.wait(timeout=30)


def start_luigid(root: Path, *flags: str) -> Luigid:
    """luigid started as documented (scripts/luigid.sh) for ``root``, once it answers."""
    port = free_port()
    process = subprocess.Popen(
        ["bash", str(REPO / "scripts" / "luigid.sh"), "--port", str(port), *flags, str(root)],
        env={**os.environ, "PYTHON": sys.executable},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    luigid = Luigid(process, port, root)
    deadline = time.monotonic() + 60
    while True:
        try:
            luigid.tasks("DONE")
            return luigid
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() > deadline:
                luigid.stop()
                pytest.fail(f"luigid did not answer on port {port}: {process.stderr.read()}")
            time.sleep(0.2)


@dataclass
class ScheduledRun:
    luigid: Luigid
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def scheduled_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScheduledRun]:
    """luigid started as documented, and one DailyPipeline run (sample data) against it."""
    root = tmp_path_factory.mktemp("luigid") / "var"
    luigid = start_luigid(root)
    try:
        result = run_cli("DailyPipeline", "--workers", "2", "--scheduler-host", "127.0.0.1",
                         "--scheduler-port", str(luigid.port), "--paths-root", str(root),
                         "--universe-tickers", TICKERS, "--date", RUN_DATE)
        assert result.returncode == 0, result.stderr[-4000:]
        yield ScheduledRun(luigid, result)
    finally:
        luigid.stop()


def is_batch(task: dict) -> bool:
    """A batch of per-ticker tasks that ran in one process (luigid lists it beside them)."""
    return BATCH_SEPARATOR in task["params"].get("ticker", "")


def test_luigid_when_daily_pipeline_ran_then_every_task_is_done(scheduled_run):
    luigid = scheduled_run.luigid
    done = luigid.tasks("DONE")
    families = {task["name"] for task in done.values()}
    assert {"DailyPipeline", "FetchPrices", "ValidatePrices"} <= families
    for status in ("PENDING", "RUNNING", "FAILED", "DISABLED"):
        assert luigid.tasks(status) == {}, f"tasks left {status}"
    tickers = {*TICKERS.split(","), "SPY"}  # and the benchmark
    validated = [task for task in done.values() if task["name"] == "ValidatePrices"]
    assert sorted(t["params"]["ticker"] for t in validated if not is_batch(t)) == sorted(tickers)
    batched = [t["params"]["ticker"].split(BATCH_SEPARATOR) for t in validated if is_batch(t)]
    assert batched and all(set(batch) <= tickers for batch in batched)


def test_luigid_when_two_worker_processes_ran_then_independent_tasks_overlapped(scheduled_run):
    done = scheduled_run.luigid.tasks("DONE").values()
    spans = sorted((task["time_running"], task["last_updated"], task["display_name"])
                   for task in done if task["time_running"])
    overlapping = [(first[2], second[2]) for i, first in enumerate(spans)
                   for second in spans[i + 1:] if second[0] < first[1]]
    assert overlapping, f"no two tasks ran at the same time: {spans}"


def test_task_history_when_recorded_then_each_done_task_ran_once(scheduled_run):
    luigid = scheduled_run.luigid
    done = luigid.tasks("DONE")
    with sqlite3.connect(luigid.root / "luigid" / "task-history.db") as history:
        events = history.execute(
            "SELECT tasks.task_id, task_events.event_name FROM tasks "
            "JOIN task_events ON task_events.task_id = tasks.id").fetchall()
    runs = {task_id: [name for tid, name in events if tid == task_id] for task_id in done}
    ran_in_batches = {(task["name"], ticker) for task in done.values() if is_batch(task)
                      for ticker in task["params"]["ticker"].split(BATCH_SEPARATOR)}
    for task_id, names in runs.items():
        task = done[task_id]
        if (task["name"], task["params"].get("ticker")) in ran_in_batches:
            # luigid records a batch's run on the batch; its tickers only turn DONE with it
            assert "RUNNING" not in names, (task_id, names)
        else:
            assert names.count("RUNNING") == 1 and names.count("DONE") == 1, (task_id, names)
    assert ran_in_batches  # and each batch, a task of luigid's, ran once (above)


def test_console_when_tasks_finished_then_each_stage_says_it_is_done_once(scheduled_run):
    done = scheduled_run.luigid.tasks("DONE").values()
    validated = sum(task["name"] == "ValidatePrices" and not is_batch(task) for task in done)
    ends = re.findall(r"^ValidatePrices (\d+)/(\d+) done in [\d.]+ s$",
                      scheduled_run.result.stderr, re.MULTILINE)
    assert ends == [(str(validated), str(validated))]


@dataclass
class Backfill:
    result: subprocess.CompletedProcess[str]
    run_date_report: Path
    run_date_report_stamp: int


@pytest.fixture(scope="module")
def backfill(scheduled_run: ScheduledRun) -> Backfill:
    """The README's backfill over two days, the second of them already run above."""
    luigid = scheduled_run.luigid
    report = luigid.root / "reports" / RUN_DATE / "final_analysis_report.pdf"
    stamp = report.stat().st_mtime_ns
    result = run_cli("RangeDaily", "--of", "DailyPipeline", "--param-name", "date",
                     "--start", BACKFILL_START, "--stop", BACKFILL_STOP, "--days-back", "36500",
                     "--workers", "2", "--scheduler-host", "127.0.0.1",
                     "--scheduler-port", str(luigid.port), "--paths-root", str(luigid.root),
                     "--universe-tickers", TICKERS)
    assert result.returncode == 0, result.stderr[-4000:]
    return Backfill(result, report, stamp)


def test_backfill_when_range_has_a_missing_day_then_only_that_day_runs(scheduled_run, backfill):
    done = scheduled_run.luigid.tasks("DONE").values()
    pipelines = sorted(task["params"]["date"] for task in done if task["name"] == "DailyPipeline")
    assert pipelines == [BACKFILL_START, RUN_DATE]
    root = scheduled_run.luigid.root
    assert (root / "reports" / BACKFILL_START / "final_analysis_report.pdf").is_file()
    assert backfill.run_date_report.stat().st_mtime_ns == backfill.run_date_report_stamp


def test_luigid_when_a_ticker_is_excluded_then_it_shows_failed_and_the_day_goes_on(
        scheduled_run, tmp_path):
    """One ticker of eleven without data: its ConfirmTicker is failed (and so disabled)
    in luigid's task list, not a clean DONE, while signals, backtest and report are DONE."""
    luigid, day = scheduled_run.luigid, "2025-10-03"
    folder = tmp_path / "ohlcv"
    folder.mkdir()
    tickers = ["AAPL", "MSFT", "NVDA", "AMZN", "META", "GOOGL", "JPM", "KO", "PEP", "TSLA"]
    for ticker in (*tickers, "SPY"):
        (folder / f"{ticker}.csv").symlink_to(REAL_OHLCV / f"{ticker}.csv")
    result = run_cli("DailyPipeline", "--scheduler-host", "127.0.0.1",
                     "--scheduler-port", str(luigid.port), "--paths-root", str(tmp_path / "var"),
                     "--data-source", "csv", "--data-csv-dir", str(folder),
                     "--data-start", "2023-01-03", "--backtest-start", "2024-01-02",
                     "--universe-tickers",
                     ",".join([*tickers, "NOPE"]), "--date", day)
    assert result.returncode == 30, result.stderr[-4000:]  # a task failed: someone looks
    # retry_count = 0: luigid disables a task at its first failure (README, Retry policy)
    failed = [t for status in ("FAILED", "DISABLED") for t in luigid.tasks(status).values()
              if t["params"].get("date") == day]
    assert [(t["name"], t["params"].get("ticker")) for t in failed] == [
        ("ConfirmTicker", "NOPE")], failed
    done = {t["name"] for t in luigid.tasks("DONE").values() if t["params"].get("date") == day}
    assert {"GenerateSignals", "BacktestStrategy", "LogPerformance", "GenerateReport"} <= done
    assert (tmp_path / "var" / "reports" / day / "final_analysis_report.pdf").is_file()


def test_luigid_when_stopped_then_state_and_log_are_under_the_data_root(scheduled_run):
    luigid = scheduled_run.luigid
    luigid.stop()
    assert (luigid.root / "luigid" / "state.pickle").stat().st_size > 0
    assert "Saved state" in (luigid.root / "luigid" / "logs" / "luigi-server.log").read_text()


def test_luigid_script_when_given_address_and_state_path_flags_then_it_uses_them(tmp_path):
    state = tmp_path / "elsewhere" / "scheduler.pickle"
    luigid = start_luigid(tmp_path / "var", "--address", "127.0.0.1", "--state-path", str(state))
    luigid.stop()
    assert state.stat().st_size > 0
    assert not (tmp_path / "var" / "luigid" / "state.pickle").exists()


def test_luigid_script_when_given_an_unknown_flag_then_it_says_so(tmp_path):
    refused = subprocess.run(["bash", str(REPO / "scripts" / "luigid.sh"), "--verbose"],
                             capture_output=True, text=True, timeout=30)
    assert refused.returncode == 2 and "unknown option --verbose" in refused.stderr
