"""Unattended recovery on a real luigid: a task's process SIGKILLed mid-run (as the
kernel's OOM killer does), and the whole worker SIGKILLed mid-run. Each is alerted
(``logs/alerts.log`` and a mail to a real SMTP server), the next run completes with
no re-enabling in luigid, and its outputs equal those of a run never interrupted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from momentum_pipeline.operations.alerts import parse_alert_log
from tests.conftest import cli_command, run_cli
from tests.integration.conftest import MailServer, mailed_subjects
from tests.integration.test_luigid import Luigid, start_luigid
from tests.integration.test_reproducible_outputs import outputs
from tests.integration.test_worker_crash import wait_for_group_gone

RUN_DATE = "2025-10-08"
PIPELINE = ("DailyPipeline", "--workers", "2", "--date", RUN_DATE,
            "--universe-tickers", "AAPL,MSFT,TSLA",
            "--data-start", "2022-01-03", "--backtest-start", "2023-01-03")
#: Long enough to be caught running: the SIGKILL lands in one of them.
KILL_DURING = {"IngestBundle", "BacktestStrategy"}
#: The report's files: they list the run date's alerts.
REPORT_FILES = ("final_analysis_report.html", "final_analysis_report.pdf", "summary.md")
#: Exit code of a run with a failed task (luigi.cfg, [retcode]).
TASK_FAILED = 30


def pipeline(root: Path, luigid: Luigid | None, mail_port: int) -> tuple[str, ...]:
    scheduler = (("--scheduler-host", "127.0.0.1", "--scheduler-port", str(luigid.port))
                 if luigid else ("--local-scheduler",))
    return (*PIPELINE, *scheduler, "--paths-root", str(root),
            "--alerts-smtp-host", "127.0.0.1", "--alerts-smtp-port", str(mail_port),
            "--alerts-smtp-to", "ops@example.com")


@pytest.fixture(scope="module")
def clean_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The outputs of the same run never interrupted (local scheduler, no mail)."""
    root = tmp_path_factory.mktemp("clean") / "var"
    result = run_cli(*pipeline(root, None, 1), timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return outputs(root)


def start_pipeline(root: Path, luigid: Luigid, mail_port: int, log: Path) -> subprocess.Popen:
    command, environment = cli_command(*pipeline(root, luigid, mail_port))
    with log.open("w") as stderr:
        return subprocess.Popen(command, env=environment, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=stderr)


def wait_until_running(root: Path, worker: subprocess.Popen, families: set[str]) -> str:
    """The family of the first task of ``families`` whose ``run`` has begun (its running
    marker is written: luigid shows a task RUNNING a moment before)."""
    deadline = time.monotonic() + 600
    while True:
        for marker in (root / "state" / "running").glob("*.json"):
            try:
                family = json.loads(marker.read_text())["family"]
            except (OSError, ValueError, KeyError):
                continue  # being written, or gone
            if family in families:
                return family
        assert worker.poll() is None, "the run ended before the task to kill started"
        assert time.monotonic() < deadline, f"none of {families} ran within 600 s"
        time.sleep(0.05)


def task_processes(worker: int) -> list[int]:
    """The worker's children: with --workers 2 each task runs in a forked process."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == worker:
            children.append(int(stat.parent.name))
    return children


def wait_until_luigid_released(luigid: Luigid) -> None:
    """luigid fails a dead worker's RUNNING tasks once the worker has been silent for
    worker_disconnect_delay (deploy/luigid.cfg), at its sweep every 60 s; the test asks
    for the sweep (``prune``, an API call of luigid's) rather than waiting for it."""
    deadline = time.monotonic() + 120
    while luigid.tasks("RUNNING"):
        assert time.monotonic() < deadline, "luigid kept the dead worker's tasks RUNNING"
        luigid.api("prune")
        time.sleep(1)


@dataclass
class MidRun:
    """A run against a real luigid caught while ``killed`` (a task family) runs."""

    root: Path
    luigid: Luigid
    worker: subprocess.Popen
    killed: str
    log: Path
    mail_port: int

    def rerun(self) -> subprocess.CompletedProcess[str]:
        return run_cli(*pipeline(self.root, self.luigid, self.mail_port), timeout=900)


@pytest.fixture
def mid_run(tmp_path: Path, mail_server: MailServer) -> Iterator[MidRun]:
    luigid = start_luigid(tmp_path / "luigid")
    try:
        root, log = tmp_path / "var", tmp_path / "first.log"
        worker = start_pipeline(root, luigid, mail_server.port, log)
        yield MidRun(root, luigid, worker, wait_until_running(root, worker, KILL_DURING),
                     log, mail_server.port)
    finally:
        luigid.stop()


def assert_recovered(mid_run: MidRun, clean_outputs: dict[str, bytes], error: str) -> None:
    """The next run completes with no task left FAILED or DISABLED, and every output
    equals the uninterrupted run's, but the report's list of alerts, which shows ``error``."""
    rerun, root = mid_run.rerun(), mid_run.root
    assert rerun.returncode == 0, rerun.stderr[-4000:]
    assert not mid_run.luigid.tasks("DISABLED") and not mid_run.luigid.tasks("FAILED")
    assert not list((root / "state" / "running").glob("*")), "running markers left"
    recovered = outputs(root)
    assert sorted(recovered) == sorted(clean_outputs)
    # The one intended difference: the report lists the run date's alerts, the kill's.
    differing = [name for name in recovered if recovered[name] != clean_outputs[name]]
    assert sorted(differing) == [f"reports/{RUN_DATE}/{name}" for name in REPORT_FILES]
    assert f"| {error} " in (root / "reports" / RUN_DATE / "summary.md").read_text()


def test_luigid_when_a_task_process_is_killed_then_alerted_once_and_the_next_run_recovers(
        mid_run, mail_server, clean_outputs):
    for process in task_processes(mid_run.worker.pid):
        os.kill(process, signal.SIGKILL)
    assert mid_run.worker.wait(timeout=600) == TASK_FAILED, mid_run.log.read_text()[-3000:]
    failed = {task["name"] for task in mid_run.luigid.tasks("FAILED").values()}

    assert_recovered(mid_run, clean_outputs, "TaskKilled: its process")

    assert mid_run.killed in failed  # FAILED, not DISABLED: nobody had to re-enable it
    # One alert per killed task process (the one caught running, and any beside it),
    # none from the rerun.
    alerts = parse_alert_log((mid_run.root / "logs" / "alerts.log").read_text())
    assert mid_run.killed in {alert.family for alert in alerts}
    for alert in alerts:
        assert alert.outcome == "killed" and alert.family in failed
        assert "signal SIGKILL" in alert.error and "OOM killer" in alert.error
        assert alert.host and "run the same command again" in alert.next_step
    subjects = mailed_subjects(mail_server.messages)
    assert subjects == sorted(alert.subject() for alert in alerts)
    assert all("killed: TaskKilled" in subject for subject in subjects)


def test_luigid_when_the_whole_worker_is_killed_then_the_next_run_alerts_and_recovers(
        mid_run, mail_server, clean_outputs):
    os.killpg(mid_run.worker.pid, signal.SIGKILL)
    mid_run.worker.wait()
    wait_for_group_gone(mid_run.worker.pid)
    assert not mail_server.messages  # nobody was left to tell
    wait_until_luigid_released(mid_run.luigid)

    assert_recovered(mid_run, clean_outputs, "WorkerKilled: the run")

    # One alert per task the dead run left running, raised by the run that took over.
    alerts = parse_alert_log((mid_run.root / "logs" / "alerts.log").read_text())
    assert mid_run.killed in {alert.family for alert in alerts}
    for alert in alerts:
        assert (alert.outcome, alert.parameters["date"]) == ("killed", RUN_DATE)
        assert alert.error.startswith("WorkerKilled: ")
        assert f"pid {mid_run.worker.pid}, " in alert.error
    assert mailed_subjects(mail_server.messages) == sorted(alert.subject() for alert in alerts)
