"""Alerts on task failure, through Luigi's event handlers.

Every failure of a pipeline task is appended to ``logs/alerts.log`` under the data
root with the task, its parameters and the error.
"""

from __future__ import annotations

import datetime as dt
import logging

import luigi

from tasks.base import PipelineTask, data_root

log = logging.getLogger("momentum.alerts")


def alert_text(task: luigi.Task, error: BaseException) -> str:
    """The alert's body: task, parameters and the error (first lines of it)."""
    params = ", ".join(f"{k}={v}" for k, v in task.to_str_params().items())
    return (f"task {task.get_task_family()} failed\n"
            f"  task id: {task.task_id}\n"
            f"  parameters: {params}\n"
            f"  error: {type(error).__name__}: {error}")


@PipelineTask.event_handler(luigi.Event.FAILURE)
def record_failure(task: luigi.Task, error: BaseException) -> None:
    text = alert_text(task, error)
    path = data_root() / "logs" / "alerts.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    with path.open("a") as handle:
        handle.write(f"{stamp} ALERT {text}\n")
    log.error("ALERT %s", text)
