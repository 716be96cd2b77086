"""One writer per data root, with real processes: of two runs on one root only one
works, the other fails at once naming the holder (and leaves the holder's tasks in
luigid alone), and a killed holder's lock is gone."""

from __future__ import annotations

import json
import os
import re
import socket
import signal
import subprocess
import sys
import time
from pathlib import Path

from momentum_pipeline.operations.alerts import parse_alert_log
from momentum_pipeline.operations.root_lock import LOCK_FILE
from tests.conftest import REPO, cli_command, run_cli
from tests.integration.test_luigid import start_luigid

RUN_DATE = "2024-12-31"
#: Exit code of a run refused because another holds its root (luigi.cfg, [retcode]).
ALREADY_RUNNING = 10
#: A process that takes the root's lock, says so, and holds it until its stdin closes.
HOLDER = """
import sys
from momentum_pipeline.operations.root_lock import hold_root
hold_root(sys.argv[1])
print("held", flush=True)
sys.stdin.read()
"""


def confirm_ticker(root: Path, ticker: str) -> tuple[str, ...]:
    """A ConfirmTicker run of ``ticker`` on the sample market (a year of bars)."""
    return ("ConfirmTicker", "--ticker", ticker, "--local-scheduler", "--workers", "2",
            "--date", RUN_DATE, "--paths-root", str(root), "--data-start", "2024-01-01")


def start_holder(root: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(root)], cwd=REPO,
                              env={**os.environ, "PYTHONPATH": str(REPO)}, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout.readline() == "held\n"
    return holder


def test_root_lock_when_two_runs_start_at_once_then_one_runs_and_the_other_names_the_holder(
        tmp_path):
    root = tmp_path / "var"
    command, environment = cli_command(*confirm_ticker(root, "AAPL"))
    runs = [subprocess.Popen(command, cwd=REPO, env=environment, text=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for _ in range(2)]
    errors = [run.communicate(timeout=300)[1] for run in runs]

    assert sorted(run.returncode for run in runs) == [0, ALREADY_RUNNING], errors
    winner = next(run for run in runs if run.returncode == 0)
    refusal = next(error for run, error in zip(runs, errors) if run.returncode != 0)
    named = re.search(r"data root (\S+) is in use by host (\S+), pid (\d+), started (\S+) ",
                      refusal)
    assert named, refusal[-2000:]
    assert (named[1], named[2], int(named[3])) == (str(root), socket.gethostname(), winner.pid)
    assert (root / "data" / "processed" / RUN_DATE / "AAPL_metrics.json").is_file()
    assert (root / LOCK_FILE).read_text() == ""  # the winner ended normally: record cleared
    assert not (root / "logs" / "alerts.log").exists()


def test_root_lock_when_another_process_holds_the_root_then_a_run_fails_before_any_work(
        tmp_path):
    root = tmp_path / "var"
    holder = start_holder(root)
    try:
        refused = run_cli(*confirm_ticker(root, "AAPL"))
    finally:
        holder.communicate("")

    assert refused.returncode == ALREADY_RUNNING, refused.stderr[-2000:]
    assert f"pid {holder.pid}, started " in refused.stderr
    written = [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]
    assert written == [str(LOCK_FILE)]  # no output, stamp, log or alert


def test_root_lock_when_the_holder_was_killed_then_the_next_run_takes_the_root_over(tmp_path):
    root = tmp_path / "var"
    holder = start_holder(root)
    holder.send_signal(signal.SIGKILL)
    holder.wait()

    command, environment = cli_command(*confirm_ticker(root, "AAPL"))
    run = subprocess.Popen(command, cwd=REPO, env=environment, text=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, errors = run.communicate(timeout=300)

    assert holder.returncode == -signal.SIGKILL
    assert run.returncode == 0, errors[-2000:]
    assert (root / "data" / "processed" / RUN_DATE / "AAPL_metrics.json").is_file()
    # The dead holder's record was left behind: the run that took over alerted it, once.
    alerts = parse_alert_log((root / "logs" / "alerts.log").read_text())
    assert [(a.family, a.outcome) for a in alerts] == [("run", "killed")]
    assert f"pid {holder.pid}, started " in alerts[0].error
    assert alerts[0].error.startswith("WorkerKilled: ")


def lock_holder_pid(root: Path) -> int | None:
    try:
        return json.loads((root / LOCK_FILE).read_text())["pid"]
    except (OSError, ValueError):
        return None


def test_root_lock_when_a_second_run_asks_the_same_luigid_then_the_holders_run_completes(
        tmp_path):
    """The refused run ends before it tells luigid anything: had it reported its tasks'
    status, luigid would not have let the holder run its own DailyPipeline."""
    root = tmp_path / "var"
    luigid = start_luigid(root)
    flags = ("DailyPipeline", "--scheduler-host", "127.0.0.1", "--scheduler-port",
             str(luigid.port), "--paths-root", str(root), "--date", RUN_DATE,
             "--data-start", "2023-01-02", "--backtest-start", "2024-01-02",
             "--universe-tickers", "AAPL,JPM,MSFT")
    command, environment = cli_command(*flags)
    try:
        with (tmp_path / "holder.log").open("w") as log:
            holder = subprocess.Popen(command, cwd=REPO, env=environment, text=True,
                                      stdout=subprocess.DEVNULL, stderr=log)
            deadline = time.monotonic() + 120
            while lock_holder_pid(root) != holder.pid:
                assert holder.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
            refused = run_cli(*flags)
            holder.wait(timeout=600)
        done = {task["name"] for task in luigid.tasks("DONE").values()}
    finally:
        luigid.stop()

    assert refused.returncode == ALREADY_RUNNING, refused.stderr[-2000:]
    assert f"pid {holder.pid}, started " in refused.stderr
    assert holder.returncode == 0, (tmp_path / "holder.log").read_text()[-3000:]
    assert "DailyPipeline" in done
