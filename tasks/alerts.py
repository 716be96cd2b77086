"""Alerts on task failure, through Luigi's event handlers.

Every failure of a pipeline task (a schema mismatch, an exhausted fetch, any
ExecuteTrades failure, ...) is appended to ``logs/alerts.log`` under the data root
with the task, its parameters and the error, then mailed and/or posted to a webhook
when ``[alerts]`` configures them. Delivery problems are logged, never raised: the
failure being reported stays the task's own.
"""

from __future__ import annotations

import logging
import traceback

import luigi

from momentum_pipeline.operations.alerts import (Alert, SmtpSettings, alert_for, deliver,
                                                 read_secret, scrub)
from tasks.base import PipelineTask, data_layout
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


def record_alert(alert: Alert) -> None:
    path = data_layout().alerts_log
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        handle.write(alert.log_record())


@PipelineTask.event_handler(luigi.Event.FAILURE)
def raise_alert(task: luigi.Task, error: BaseException, outcome: str = "failed") -> None:
    """Record, mail and post the alert of ``task``: a failure, or ``outcome="warned"``
    for a finding a person should see although the data is used."""
    settings = alert_settings()
    try:
        password = read_secret(settings.password_env, settings.password_file)
        password_problem = None
    except (OSError, ValueError) as problem:
        password, password_problem = None, str(problem)
    secrets = (password,) if password else ()
    alert = alert_for(task.get_task_family(), task.task_id, task.to_str_params(), error,
                      secrets, outcome)
    record_alert(alert)
    if isinstance(task, PipelineTask) and outcome == "failed":
        task.log.error("%s FAILED: %s", alert.task_id, scrub(
            "".join(traceback.format_exception(error)).rstrip(), secrets))
    log.error("ALERT %s", alert.body())
    problems = deliver(alert, smtp_settings(password), settings.webhook_url, secrets)
    if password_problem and settings.smtp_user:
        problems.insert(0, password_problem)
    for problem in problems:
        log.warning("%s", problem)
