"""Alerts on every way a task can end badly, through Luigi's event handlers.

A failure of a pipeline task (a schema mismatch, an exhausted fetch, any ExecuteTrades
failure, ...), a task process killed by a signal (the OOM killer included) and a task
past its time-out are appended to ``logs/alerts.log`` under the data root with the
task, its parameters, the host, the error and what to do next, then mailed and/or
posted to a webhook when ``[alerts]`` configures them. A whole run killed is alerted by
the next process that takes the root (``tasks.base``), a day not finished by the
dead-man check (``tasks.commands.deadman``). The same failure is alerted once.
Delivery problems are logged, never raised: the failure being reported stays the
task's own.
"""

from __future__ import annotations

import json
import logging
import re
import signal
import traceback

import luigi

from momentum_pipeline.foundation.layout import Layout
from momentum_pipeline.operations.alerts import (Alert, SmtpSettings, TaskKilled,
                                                 TaskTimedOut, WorkerKilled, alert_for,
                                                 deliver, earlier_report, read_secret, scrub)
from momentum_pipeline.operations.root_lock import describe, hold_root
from tasks.base import LOG_FILE_ONLY, PipelineTask, data_layout, forget_running
from tasks.config import alerts as alert_settings

log = logging.getLogger("momentum.alerts")


def smtp_settings(password: str | None) -> SmtpSettings | None:
    """Mail settings from ``[alerts]``; ``None`` while no server or recipient is set."""
    settings = alert_settings()
    recipients = tuple(a.strip() for a in settings.smtp_to.split(",") if a.strip())
    if not settings.smtp_host or not recipients:
        return None
    return SmtpSettings(host=settings.smtp_host, port=settings.smtp_port,
                        sender=settings.smtp_from, recipients=recipients,
                        user=settings.smtp_user, starttls=settings.smtp_starttls,
                        timeout=settings.smtp_timeout, password=password)


def record_alert(alert: Alert) -> bool:
    """Append ``alert`` to ``logs/alerts.log``; False (nothing written) when the log
    already holds the same failure."""
    path = data_layout().alerts_log
    earlier = earlier_report(path, alert)
    if earlier is not None:
        log.warning("%s %s again: alerted at %s already, not sent again", alert.task_id,
                    alert.outcome, earlier.time)
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        handle.write(alert.log_record())
    return True


def _secrets() -> tuple[tuple[str, ...], str | None, str | None]:
    """The secrets to scrub, the SMTP password, and why it could not be read."""
    settings = alert_settings()
    try:
        password = read_secret(settings.password_env, settings.password_file)
    except (OSError, ValueError) as problem:
        return (), None, str(problem)
    return ((password,) if password else ()), password, None


@PipelineTask.event_handler(luigi.Event.FAILURE)
def raise_alert(task: luigi.Task, error: BaseException, outcome: str = "failed") -> None:
    """Record, mail and post the alert of ``task``: a failure, a ``killed`` or ``timed
    out`` task, or ``outcome="warned"`` for a finding a person should see although the
    data is used."""
    secrets = _secrets()[0]
    alert = alert_for(task.get_task_family(), task.task_id, task.to_str_params(), error,
                      secrets, outcome)
    if isinstance(task, PipelineTask) and outcome != "warned":
        task.log.error("%s %s: %s", alert.task_id, outcome.upper(), scrub(
            "".join(traceback.format_exception(error)).rstrip(), secrets),
            extra=LOG_FILE_ONLY)
    publish(alert)


def publish(alert: Alert) -> None:
    """Record ``alert`` in ``logs/alerts.log``, log it, mail and post it as configured;
    nothing when the log holds the same failure already."""
    if not record_alert(alert):
        return
    log.log(logging.WARNING if alert.outcome == "warned" else logging.ERROR,
            "ALERT %s", alert.body())
    settings = alert_settings()
    secrets, password, password_problem = _secrets()
    problems = deliver(alert, smtp_settings(password), settings.webhook_url, secrets)
    if password_problem and settings.smtp_user:
        problems.insert(0, password_problem)
    for problem in problems:
        log.warning("%s", problem)


def take_root(layout: Layout) -> None:
    """Hold ``layout``'s root for this process, alerting a run that died holding it.

    Raises :class:`RootInUse` when another process holds it.
    """
    died = hold_root(layout.root)
    if died is not None:
        alert_dead_run(layout, died)


def alert_dead_run(layout: Layout, holder: dict[str, object]) -> None:
    """Alert a run that died holding ``layout``'s root: one alert per task it left
    running (their markers), or one for the run when it died between tasks."""
    what = f"the run that held the data root ({describe(holder)}) died"
    markers = sorted(layout.running_markers.glob("*.json"))
    for marker in markers:
        try:
            task = json.loads(marker.read_text())
            family, task_id, parameters = task["family"], task["task_id"], task["parameters"]
        except (OSError, ValueError, KeyError, TypeError):
            family, task_id, parameters = "unknown", marker.stem, {}
        error = WorkerKilled(f"{what} while this task ran: killed by a signal (kill -9, "
                             "the kernel's OOM killer) or its host went down")
        publish(alert_for(family, task_id, parameters, error, _secrets()[0], "killed"))
        marker.unlink(missing_ok=True)
    if not markers:
        error = WorkerKilled(f"{what} between tasks: killed by a signal (kill -9, the "
                             "kernel's OOM killer) or its host went down")
        publish(alert_for("run", f"run pid {holder.get('pid')}", {}, error, _secrets()[0],
                          "killed"))


@PipelineTask.event_handler(luigi.Event.PROCESS_FAILURE)
def alert_killed(task: luigi.Task, message: str) -> None:
    """A task process that died without a Python exception: killed by a signal (the
    kernel's OOM killer sends SIGKILL) or exited hard. The worker survives to say so."""
    forget_running(task)
    raise_alert(task, TaskKilled(killed_description(message)), outcome="killed")


@PipelineTask.event_handler(luigi.Event.TIMEOUT)
def alert_timed_out(task: luigi.Task, message: str) -> None:
    """A task past its time-out: Luigi terminated its process."""
    forget_running(task)
    raise_alert(task, TaskTimedOut(message), outcome="timed out")


def killed_description(message: str) -> str:
    """Luigi's "died unexpectedly with exit code -9" said in words: which signal."""
    code = re.search(r"exit code (-?\d+)", message)
    if code is None or int(code[1]) >= 0:
        return message
    number = -int(code[1])
    name = signal.Signals(number).name if number in signal.valid_signals() else str(number)
    cause = " (kill -9, or the kernel's OOM killer)" if number == signal.SIGKILL else ""
    return f"its process was ended by signal {name}{cause} while it ran ({message})"
