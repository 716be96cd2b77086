"""The dead-man check, run as cron or the systemd timer runs it, with the settings in a
Luigi configuration file as a deployment keeps them: it alerts (log and mail, once)
a day not done by the deadline, says whether a run still holds the root, and is
quiet once the day is done."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from momentum_pipeline.operations.alerts import parse_alert_log
from tests.conftest import REPO, run_cli
from tests.integration.conftest import mailed_subjects
from tests.integration.test_root_lock import start_holder

RUN_DATE = "2025-10-08"
#: Exit code of the check after it alerted.
ALERTED = 1


def deployment(tmp_path: Path, mail_port: int) -> Path:
    """A small universe and the alert mail, in the configuration file read after the
    repository's luigi.cfg (LUIGI_CONFIG_PATH)."""
    config = tmp_path / "deployment.cfg"
    config.write_text(f"[universe]\ntickers = AAPL,MSFT\n"
                      f"[data]\nstart = 2023-01-03\n[backtest]\nstart = 2024-01-02\n"
                      f"[alerts]\nsmtp_host = 127.0.0.1\nsmtp_port = {mail_port}\n"
                      f"smtp_to = ops@example.com\n")
    return config


def deadman(root: Path, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tasks.commands.deadman", "--paths-root", str(root),
         "--date", RUN_DATE], cwd=REPO, env={**os.environ, "LUIGI_CONFIG_PATH": str(config)},
        capture_output=True, text=True, timeout=300)


def test_deadman_when_no_run_happened_then_alerts_once_and_says_so(
        tmp_path, mail_server):
    root, config = tmp_path / "var", deployment(tmp_path, mail_server.port)
    checks = [deadman(root, config) for _ in range(2)]

    assert [check.returncode for check in checks] == [ALERTED, ALERTED], checks[0].stderr
    [alert] = parse_alert_log((root / "logs" / "alerts.log").read_text())
    assert (alert.family, alert.outcome) == ("DailyPipeline", "missed its deadline")
    assert alert.parameters == {"date": RUN_DATE}
    assert "no run is under way" in alert.error and "run-daily.sh" in alert.next_step
    assert mailed_subjects(mail_server.messages) == [alert.subject()]
    assert "alerted at" in checks[1].stderr and "not sent again" in checks[1].stderr


def test_deadman_when_a_run_still_holds_the_root_then_the_alert_names_it(
        tmp_path, mail_server):
    root, config = tmp_path / "var", deployment(tmp_path, mail_server.port)
    holder = start_holder(root)
    try:
        check = deadman(root, config)
    finally:
        holder.communicate("")

    assert check.returncode == ALERTED, check.stderr
    [alert] = parse_alert_log((root / "logs" / "alerts.log").read_text())
    assert "a run still holds the data root (host " in alert.error
    assert f"pid {holder.pid}, started " in alert.error


def test_deadman_when_the_day_is_done_then_quiet(
        tmp_path, mail_server):
    root, config = tmp_path / "var", deployment(tmp_path, mail_server.port)
    run = run_cli("DailyPipeline", "--local-scheduler", "--date", RUN_DATE,
                  "--paths-root", str(root), env={"LUIGI_CONFIG_PATH": str(config)},
                  timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]

    check = deadman(root, config)

    assert check.returncode == 0, check.stderr
    assert f"{RUN_DATE} is done" in check.stdout
    assert not (root / "logs" / "alerts.log").exists() and not mail_server.messages
