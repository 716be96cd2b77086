"""The console of a run, for people: stage progress, warnings and alerts, one line per
error, and a closing summary.

Luigi's own status lines (a few per task: thousands on the S&P 100) and whole
tracebacks go to ``logs/luigi.log`` under the data root, and the task's own log has
its traceback; ``--console-verbose`` prints them on the console too. A refusal or a
failure shows as one line: the message and the exception's first line. At exit the
run says what ran, what failed and where the report is.

Installed for the ``luigi`` command line only (``luigi.cfg`` sets
``no_configure_logging``): a process that imports the tasks to run them in-process,
a test for one, keeps its own logging.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

import luigi
from luigi.cmdline_parser import CmdlineParser
from luigi.task import flatten

from momentum_pipeline.foundation.layout import Layout
from momentum_pipeline.operations.root_lock import holds
from tasks.base import PipelineTask, data_layout
from tasks.config import console

#: Stage progress and the closing summary: printed as they are, at INFO.
CONSOLE = logging.getLogger("momentum.console")
#: Loggers whose warnings and errors people see: Luigi's and the pipeline's own.
_WATCHED = ("luigi-interface", "momentum")
_FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

#: The finished tasks of this run, one line each, appended by forked task processes.
_journal: IO[bytes] | None = None
#: Tasks this process found complete while scheduling, and the reports among them.
_already_done: set[str] = set()  # as str(task): DailyPipeline(date=2025-10-08)
_reports: set[str] = set()


@functools.cache
def verbose() -> bool:
    return bool(console().verbose)


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__


_TRACEBACK = "Traceback (most recent call last):"


class ForPeople(logging.Formatter):
    """Progress lines as they are, others as ``LEVEL: message`` with an exception as
    its first line (the whole traceback with ``--console-verbose``)."""

    def format(self, record: logging.LogRecord) -> str:
        if record.name == CONSOLE.name:
            return record.getMessage()
        message = f"{record.levelname}: {record.getMessage().rstrip()}"
        head, traceback_start, trace = message.partition(_TRACEBACK)
        if traceback_start and not verbose():  # a traceback Luigi put in the message
            return f"{head.rstrip()} ({trace.strip().splitlines()[-1]})"
        if record.exc_info and record.exc_info[1] is not None:
            if verbose():
                return f"{message}\n{self.formatException(record.exc_info)}"
            return f"{message} ({first_line(record.exc_info[1])})"
        return message


#: Luigi's line for a task that raised: the alert (tasks.alerts) says it already.
_LUIGI_TASK_FAILED = "[pid %s] Worker %s failed"


class WorthShowing(logging.Filter):
    """Progress, warnings and errors; Luigi's status lines, its line for a failed task
    and tracebacks meant for the log files only with ``--console-verbose``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if verbose():
            return record.name in (CONSOLE.name, "luigi-interface") or record.levelno >= logging.WARNING
        if not getattr(record, "console", True):
            return False
        if record.name == "luigi-interface" and str(record.msg).startswith(_LUIGI_TASK_FAILED):
            return False
        return record.name == CONSOLE.name or record.levelno >= logging.WARNING


_layout_seen: Layout | None = None


def run_layout() -> Layout | None:
    """The data root of this run: the configured one while Luigi holds the command line's
    flags (not before it parsed them, nor after it let them go at the end)."""
    global _layout_seen
    if CmdlineParser.get_instance() is not None:
        _layout_seen = data_layout()
    return _layout_seen


class RunLog(logging.Handler):
    """Luigi's lines, with tracebacks, in ``logs/luigi.log`` of the run's data root. Lines
    before the run holds the root wait: a run refused the root writes nothing there."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self._file: logging.FileHandler | None = None
        self._waiting: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        layout = run_layout()
        if layout is None or not holds(layout.root):
            self._waiting.append(record)
            return
        for waited in self._waiting:
            self._write(layout, waited)
        self._waiting.clear()
        self._write(layout, record)

    def _write(self, layout: Layout, record: logging.LogRecord) -> None:
        path = layout.run_log
        if self._file is None or self._file.baseFilename != str(path.absolute()):
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = logging.FileHandler(path)
            self._file.setFormatter(logging.Formatter(_FILE_FORMAT))
        self._file.emit(record)


def is_luigi_command_line() -> bool:
    """Whether this process is ``luigi ...`` (or ``python -m luigi ...``)."""
    program = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    return program.name == "luigi" or (program.name == "__main__.py"
                                       and program.parent.name == "luigi")


def install() -> None:
    """Set up the console and ``logs/luigi.log`` for this ``luigi`` command line."""
    global _journal
    if _journal is not None:
        return
    people = logging.StreamHandler(sys.stderr)
    people.setFormatter(ForPeople())
    people.addFilter(WorthShowing())
    for name in _WATCHED:
        logger = logging.getLogger(name)
        logger.addHandler(people)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    logging.getLogger("luigi-interface").addHandler(RunLog())
    _journal = tempfile.TemporaryFile("a+b")
    atexit.register(say_summary, started=time.monotonic(), pid=os.getpid())


def _note(outcome: str, task: luigi.Task, detail: str = "") -> None:
    if _journal is None:
        return
    line = "\t".join((outcome, str(task), detail.replace("\n", " "))) + "\n"
    os.write(_journal.fileno(), line.encode())  # one append: whole across processes


def _report_of(task: luigi.Task) -> str | None:
    outputs = task.output()
    return outputs["pdf"].path if isinstance(outputs, dict) and "pdf" in outputs else None


@PipelineTask.event_handler(luigi.Event.SUCCESS)
def _succeeded(task: luigi.Task) -> None:
    _note("ran", task, _report_of(task) or "")


@PipelineTask.event_handler(luigi.Event.FAILURE)
def _failed(task: luigi.Task, error: BaseException) -> None:
    _note("failed", task, first_line(error))


@PipelineTask.event_handler(luigi.Event.PROCESS_FAILURE)
def _killed(task: luigi.Task, message: str) -> None:
    _note("failed", task, message)


@PipelineTask.event_handler(luigi.Event.TIMEOUT)
def _timed_out(task: luigi.Task, message: str) -> None:
    _note("failed", task, message)


@PipelineTask.event_handler(luigi.Event.DEPENDENCY_PRESENT)
def _present(task: luigi.Task) -> None:
    if _journal is None:
        return
    _already_done.add(str(task))
    # A wrapper found done is all a rerun sees: its report is among what it names.
    named = flatten(task.requires()) if isinstance(task, luigi.WrapperTask) else []
    _reports.update(report for report in map(_report_of, (task, *named)) if report)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary(lines: list[list[str]], already_done: set[str], reports: set[str],
            seconds: float, layout: Layout | None) -> list[str]:
    """The closing lines: counts, each failure, the reports made or found."""
    ran = [line for line in lines if line[0] == "ran"]
    failed = [line for line in lines if line[0] == "failed"]
    reports = reports | {line[2] for line in ran if len(line) > 2 and line[2]}
    if not ran and not failed and not already_done:
        head = "nothing ran: see the errors above (and logs/luigi.log)."
    elif not ran and not failed:
        done = (next(iter(already_done)) if len(already_done) == 1
                else plural(len(already_done), "task"))
        head = f"nothing to do: {done} already done."
    else:
        head = (f"{plural(len(ran) + len(failed), 'task')} ran in {seconds:.1f} s, "
                f"{len(failed)} failed; {len(already_done)} already done.")
    said = [f"Summary: {head}"]
    said += [f"  FAILED {task}: {detail}" for _, task, detail, *_ in failed]
    said += [f"  report: {report}" for report in sorted(reports) if Path(report).is_file()]
    if failed and layout is not None:
        said.append(f"  why: {layout.alerts_log} and the task logs beside it")
    return said


def say_summary(started: float, pid: int) -> None:
    """At the exit of the command line (not of a forked task process)."""
    if pid != os.getpid() or _journal is None:
        return
    _journal.seek(0)
    lines = [line.split("\t") for line in _journal.read().decode().splitlines()]
    for line in summary(lines, _already_done, _reports, time.monotonic() - started,
                        run_layout()):
        CONSOLE.info("%s", line)
