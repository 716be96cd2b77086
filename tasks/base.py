"""What every task shares: run date, data-root paths, atomic outputs, a log file."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import importlib
import json
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import luigi

from tasks.config import data, paths

_TMP_MARK = ".tmp-"


def data_root() -> Path:
    return Path(paths().root)


@contextlib.contextmanager
def atomic_path(final: str | Path, *, exclusive: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it into place only on success.

    A failure removes the temporary file; a ``kill -9`` can leave one behind, but
    under a hidden name that is never mistaken for the output, and the next write
    of the same output sweeps it away. ``exclusive`` publishes ``final`` only if
    it does not exist yet (else ``FileExistsError``), for a file that concurrent
    runs may race to create; it leaves their temporary files alone.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    if not exclusive:
        for stale in final.parent.glob(f".{final.name}{_TMP_MARK}*"):
            stale.unlink(missing_ok=True)
    tmp = final.parent / f".{final.name}{_TMP_MARK}{os.getpid()}"
    try:
        yield tmp
        if tmp.is_file():
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
        if exclusive:
            os.link(tmp, final)  # atomic, and fails when another run got there first
            tmp.unlink()
        else:
            os.replace(tmp, final)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


#: Under the data root: the data source its outputs were made from.
SOURCE_MARKER = Path("data") / "source.json"


class DataSourceMismatch(RuntimeError):
    """The data root holds outputs of another data source than the configured one."""


def source_identity() -> dict[str, str]:
    """What tells two data sources apart: the source, and the seed of the sample market."""
    settings = data()
    identity = {"source": settings.source}
    if settings.source == "sample":
        identity["sample_seed"] = str(settings.sample_seed)
    return identity


def _as_flags(identity: dict[str, str]) -> str:
    """``--data-source sample --data-sample-seed 1``: the source first, as a user types it."""
    keys = sorted(identity, key=lambda key: (key != "source", key))
    return " ".join(f"--data-{key.replace('_', '-')} {identity[key]}" for key in keys)


def check_data_source() -> None:
    """Bind the data root to the configured source on first use; refuse any other.

    Outputs are keyed by run date and ticker only, so without this guard a root
    filled from ``sample`` would be reused, as complete, by a ``csv`` run.
    """
    root = data_root()
    marker = root / SOURCE_MARKER
    identity = source_identity()
    if not marker.is_file():
        with contextlib.suppress(FileExistsError), atomic_path(marker, exclusive=True) as tmp:
            tmp.write_text(json.dumps(identity, indent=2, sort_keys=True) + "\n")
    try:
        recorded = json.loads(marker.read_text())
    except ValueError as error:
        raise DataSourceMismatch(f"{marker}: not a data-source record ({error}); it should "
                                 f"hold the source of {root}'s outputs") from error
    if recorded != identity:
        raise DataSourceMismatch(
            f"data root {root} holds outputs of {_as_flags(recorded)} (recorded in {marker}), "
            f"but this run asks for {_as_flags(identity)}: use one --paths-root per data "
            f"source, or delete {root} to rebuild it from the new source")


_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def task_logger(name: str) -> logging.Logger:
    """The logger of one task family, writing to ``logs/<name>.log`` under the data root
    (only this root's: a process that ran tasks on another root stops writing there)."""
    logger = logging.getLogger(f"momentum.{name}")
    log_file = data_root() / "logs" / f"{name}.log"
    for handler in [h for h in logger.handlers if isinstance(h, logging.FileHandler)]:
        if handler.baseFilename != str(log_file):
            logger.removeHandler(handler)
            handler.close()
    if not any(getattr(h, "baseFilename", None) == str(log_file) for h in logger.handlers):
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file)
        handler.setFormatter(logging.Formatter(_LOG_FORMAT))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return logger


def preload_entry(entry: str) -> None:
    """Import ``module`` of a ``preload`` entry, and call ``function`` of ``module:function``."""
    module, _, function = entry.partition(":")
    imported = importlib.import_module(module)
    if function:
        getattr(imported, function)()


class PipelineTask(luigi.Task):
    """Base of every stage.

    Luigi-level retries are off (``retry_count = 0``): where the plan wants a retry
    (fetching, report I/O) the task retries inside ``run`` with tenacity, so the
    policy is explicit and tested.
    """

    date = luigi.DateParameter(default=dt.date.today(),
                               description="Run date: outputs go under a folder of this date.")
    retry_count = 0

    #: Heavy modules this task's ``run`` imports. They are imported when the task is
    #: found incomplete, so a rerun with nothing to do stays fast while forked
    #: worker processes inherit them instead of importing them once per task.
    #: ``"module:function"`` also calls a cached zero-argument function of the
    #: module (the NYSE calendar), so forked workers inherit its result too.
    preload: ClassVar[tuple[str, ...]] = ()

    def complete(self) -> bool:
        check_data_source()
        done = super().complete()
        if not done:
            for entry in self.preload:
                preload_entry(entry)
        return done

    @functools.cached_property
    def root(self) -> Path:
        """The data root, looked up once per task (each Luigi config lookup parses it)."""
        return data_root()

    def output_path(self, *parts: str) -> Path:
        """A path under the data root: ``<root>/<parts...>``."""
        return self.root.joinpath(*parts)

    def dated_path(self, stage: str, name: str) -> Path:
        """``<root>/<stage>/<run date>/<name>``: the layout every stage shares."""
        return self.output_path(*stage.split("/"), self.date.isoformat(), name)

    @property
    def log(self) -> logging.Logger:
        return task_logger(self.get_task_family())

    def parameters(self) -> dict[str, str]:
        """The task's significant parameters, as recorded in provenance."""
        return {k: str(v) for k, v in self.param_kwargs.items()}

    def report_progress(self, done: int, total: int, message: str) -> None:
        """Show how far ``run`` is in luigid's UI: ``done`` of ``total`` units (tickers,
        sessions, trees) and what it is doing. Call it per unit of work, not per row:
        each call is a request to the scheduler. Outside a worker it does nothing."""
        if self.set_progress_percentage is not None:
            self.set_progress_percentage(round(100 * done / total) if total else 100)
        if self.set_status_message is not None:
            self.set_status_message(f"{message} ({done}/{total})")


class TickerTask(PipelineTask):
    """A per-ticker stage: one instance per (run date, ticker), so a bad ticker fails alone."""

    ticker = luigi.Parameter(description="Ticker symbol in Yahoo form (BRK-B, not BRK.B).")
