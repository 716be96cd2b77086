"""Per-stage counts on the console: ``progress: ValidatePrices 57/102 done``.

Luigi schedules the whole graph in the worker's main process before it runs a task;
with ``--workers N`` each task then runs in a forked process. The stage totals are
therefore known before any fork, and the finished counts live in shared memory
created while scheduling, so every forked task adds to the same counters.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import defaultdict
from dataclasses import dataclass
from multiprocessing.sharedctypes import SynchronizedArray

import luigi

from tasks.base import PipelineTask

log = logging.getLogger("luigi-interface")  # Luigi's console logger


@dataclass(frozen=True)
class StageCounts:
    """Tasks of one stage (task family) in this worker's run."""

    done: int
    failed: int
    total: int


#: Task ids each stage has to run, filled while scheduling (before workers fork).
_planned: defaultdict[str, set[str]] = defaultdict(set)
#: Per stage, shared [done, failed] counters that forked task processes update.
_finished: dict[str, SynchronizedArray] = {}


def _counters(family: str) -> SynchronizedArray:
    if family not in _finished:
        _finished[family] = multiprocessing.Array("i", 2)
    return _finished[family]


def stage_counts() -> dict[str, StageCounts]:
    """Finished and planned tasks per stage, as this worker process sees them."""
    return {family: StageCounts(done=counters[0], failed=counters[1],
                                total=max(len(_planned[family]), counters[0] + counters[1]))
            for family, counters in _finished.items()}


@PipelineTask.event_handler(luigi.Event.DEPENDENCY_DISCOVERED)
def plan(task: luigi.Task, dependency: luigi.Task) -> None:
    _planned[dependency.task_family].add(dependency.task_id)
    _counters(dependency.task_family)


@PipelineTask.event_handler(luigi.Event.DEPENDENCY_PRESENT)
def already_complete(task: luigi.Task) -> None:
    _planned[task.task_family].discard(task.task_id)


def _finish(task: luigi.Task, slot: int) -> None:
    # A task nobody required (the one named on the command line) counts itself.
    _planned[task.task_family].add(task.task_id)
    counters = _counters(task.task_family)
    # Only this stage's lock, and only its own counters under it: two stages finishing
    # at once must never wait for each other's locks (that deadlocked forked workers).
    with counters.get_lock():
        counters[slot] += 1
        done, failures = counters[0], counters[1]
    total = max(len(_planned[task.task_family]), done + failures)
    failed = f", {failures} failed" if failures else ""
    log.info("progress: %s %d/%d done%s", task.task_family, done, total, failed)


@PipelineTask.event_handler(luigi.Event.SUCCESS)
def succeeded(task: luigi.Task) -> None:
    _finish(task, 0)


@PipelineTask.event_handler(luigi.Event.FAILURE)
def failed(task: luigi.Task, error: BaseException) -> None:
    _finish(task, 1)
