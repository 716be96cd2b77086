"""The retry policy of every task: the README's table, luigi.cfg and the code agree.

No task is retried by Luigi within a run; across runs luigid keeps a failed task
FAILED (the next run retries it) except ExecuteTrades, which it disables
(``retry_count = 0``). The two retries the plan wants happen inside ``run`` and are
checked by behaviour here.
"""

from __future__ import annotations

import configparser
import logging
import re
from collections.abc import Callable

import luigi
import pytest
import requests

import tasks
from momentum_pipeline.sources.yahoo import RetryPolicy
from tasks.base import PipelineTask
from tasks.report import retry_once_on_io_error
from tests.conftest import REPO


def documented_policy() -> dict[str, dict[str, str]]:
    """Rows of the README's retry-policy table, one per task family named in them."""
    text = (REPO / "README.md").read_text()
    section = text.split("### Retry policy", 1)[1].split("\n#", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[2:]:
        cells = dict(zip(header, (cell.strip() for cell in line.strip("|").split("|"))))
        for family in re.findall(r"`(\w+)`", cells["task"]):
            rows[family] = cells
    return rows


def task_classes() -> dict[str, type[luigi.Task]]:
    """Every task the ``tasks`` package offers on the command line."""
    return {name: getattr(tasks, name) for name in tasks.__all__}


def test_policy_table_when_a_task_is_added_then_it_needs_a_documented_policy():
    undocumented = set(task_classes()) - set(documented_policy())
    assert not undocumented, f"README 'Retry policy' lacks {sorted(undocumented)}"


@pytest.mark.parametrize("family", sorted(task_classes()))
def test_policy_of_task_when_read_from_its_class_then_matches_the_readme(family):
    task_class = task_classes()[family]
    documented = documented_policy()[family]
    assert issubclass(task_class, PipelineTask)
    # luigid disables a task at its failure when retry_count is 0; Luigi's default
    # (a property giving None: the scheduler's huge default) leaves it FAILED.
    disabled = task_class.__dict__.get("retry_count") == 0
    assert ("DISABLED" if disabled else "FAILED") == documented["in luigid after a failure"]


def test_luigi_cfg_when_read_then_no_retries_within_a_run():
    config = configparser.ConfigParser()
    config.read(REPO / "luigi.cfg")
    assert not config.has_option("scheduler", "retry_count")  # only ExecuteTrades disables
    # A long-lived luigid offers a failed task again after retry_delay: not within a day.
    assert config.getfloat("scheduler", "retry_delay") >= 86400
    # A worker that stayed alive would rerun a failed task after retry_delay.
    assert config.getboolean("worker", "keep_alive") is False


def attempts_made(retrying: Callable[[Callable[[], None]], object], error: Exception) -> int:
    """How many times ``retrying`` runs an action that always raises ``error``."""
    attempts = []

    def failing_action() -> None:
        attempts.append(error)
        raise error

    with pytest.raises(type(error)):
        retrying(failing_action)
    return len(attempts)


def test_fetch_retry_when_yahoo_keeps_dropping_the_connection_then_three_retries_with_doubling_waits():
    waits = []
    dropped = requests.exceptions.ConnectionError("connection reset by peer")
    assert attempts_made(RetryPolicy().retrying(sleep=waits.append), dropped) == 1 + 3
    assert waits[1] == 2 * waits[0] and waits[2] == 2 * waits[1]


def test_fetch_retry_when_the_error_is_not_transient_then_fails_at_once():
    retrying = RetryPolicy().retrying(sleep=lambda seconds: None)
    assert attempts_made(retrying, KeyError("no such ticker")) == 1


@pytest.mark.parametrize(("error", "attempts"), [
    (OSError(28, "No space left on device"), 2),  # I/O: one retry
    (ValueError("undefined variable in template"), 1),  # a bug: none
])
def test_report_retry_when_writing_fails_then_only_io_errors_are_retried_once(error, attempts):
    log = logging.getLogger("tests.retry")
    assert attempts_made(lambda action: retry_once_on_io_error(action, log), error) == attempts
