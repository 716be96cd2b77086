"""Per-stage progress on the console: ``ValidatePrices 51/102 done, about 3 s left``.

A stage of many tasks (one per ticker) says so at each quarter and when it is done; a
stage of one task (the backtest, the report) says when it starts and when it is done,
with how long it took. Wrappers say nothing: the closing summary speaks for them.

Luigi schedules the whole graph in the worker's main process before it runs a task;
with ``--workers N`` each task then runs in a forked process. The stage totals are
therefore known before any fork, and the counts and the stage's start time live in
shared memory created while scheduling, so every forked task adds to the same counters.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import defaultdict
from dataclasses import dataclass
from multiprocessing.sharedctypes import SynchronizedArray

import luigi

from tasks.base import PipelineTask
from tasks.console import CONSOLE


@dataclass(frozen=True)
class StageCounts:
    """Tasks of one stage (task family) in this worker's run."""

    done: int
    failed: int
    total: int


#: Task ids each stage has to run, filled while scheduling (before workers fork).
_planned: defaultdict[str, set[str]] = defaultdict(set)
#: Per stage, shared [done, failed, start time] that forked task processes update.
_finished: dict[str, SynchronizedArray] = {}
DONE, FAILED, STARTED = range(3)


def _counters(family: str) -> SynchronizedArray:
    if family not in _finished:
        _finished[family] = multiprocessing.Array("d", 3)
    return _finished[family]


def stage_counts() -> dict[str, StageCounts]:
    """Finished and planned tasks per stage, as this worker process sees them."""
    counts = {family: (int(counters[DONE]), int(counters[FAILED]))
              for family, counters in _finished.items()}
    return {family: StageCounts(done=done, failed=failed,
                                total=max(len(_planned[family]), done + failed))
            for family, (done, failed) in counts.items()}


def progress_line(family: str, done: int, failed: int, total: int, seconds: float) -> str | None:
    """What the console says after a stage's ``done + failed``-th task finished: at each
    quarter of a stage of many tasks (with the time left at this pace), and at its end."""
    finished = done + failed
    failures = f", {failed} failed" if failed else ""
    if finished >= total:
        return f"{family} {finished}/{total} done{failures} in {seconds:.1f} s"
    if total < 4 or 4 * finished // total == 4 * (finished - 1) // total:
        return None
    left = seconds / finished * (total - finished)
    pace = f", about {left:.0f} s left" if left >= 1 else ""
    return f"{family} {finished}/{total} done{failures}{pace}"


@PipelineTask.event_handler(luigi.Event.DEPENDENCY_DISCOVERED)
def plan(task: luigi.Task, dependency: luigi.Task) -> None:
    _planned[dependency.task_family].add(dependency.task_id)
    _counters(dependency.task_family)


@PipelineTask.event_handler(luigi.Event.DEPENDENCY_PRESENT)
def already_complete(task: luigi.Task) -> None:
    _planned[task.task_family].discard(task.task_id)


def _stage_size(task: luigi.Task) -> int:
    # A task nobody required (the one named on the command line) counts itself.
    _planned[task.task_family].add(task.task_id)
    return len(_planned[task.task_family])


@PipelineTask.event_handler(luigi.Event.START)
def started(task: luigi.Task) -> None:
    counters = _counters(task.task_family)
    with counters.get_lock():
        if not counters[STARTED]:
            counters[STARTED] = time.time()
    if _stage_size(task) == 1 and not isinstance(task, luigi.WrapperTask):
        CONSOLE.info("%s started", task.task_family)


def _finish(task: luigi.Task, slot: int) -> None:
    total = _stage_size(task)
    counters = _counters(task.task_family)
    # Only this stage's lock, and only its own counters under it: two stages finishing
    # at once must never wait for each other's locks (that deadlocked forked workers).
    with counters.get_lock():
        counters[slot] += 1
        done, failed = int(counters[DONE]), int(counters[FAILED])
        seconds = time.time() - (counters[STARTED] or time.time())
    line = progress_line(task.task_family, done, failed, max(total, done + failed), seconds)
    if line and not isinstance(task, luigi.WrapperTask):
        CONSOLE.info("%s", line)


@PipelineTask.event_handler(luigi.Event.SUCCESS)
def succeeded(task: luigi.Task) -> None:
    _finish(task, 0)


@PipelineTask.event_handler(luigi.Event.FAILURE)
def failed(task: luigi.Task, error: BaseException) -> None:
    _finish(task, 1)
