"""What every task shares: run date, data-root paths, atomic outputs, a log file."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import luigi

from tasks.config import paths

_TMP_MARK = ".tmp-"


def data_root() -> Path:
    return Path(paths().root)


@contextlib.contextmanager
def atomic_path(final: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it into place only on success.

    A failure removes the temporary file; a ``kill -9`` can leave one behind, but
    under a hidden name that is never mistaken for the output, and the next write
    of the same output sweeps it away.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    for stale in final.parent.glob(f".{final.name}{_TMP_MARK}*"):
        stale.unlink(missing_ok=True)
    tmp = final.parent / f".{final.name}{_TMP_MARK}{os.getpid()}"
    try:
        yield tmp
        if tmp.is_file():
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
        os.replace(tmp, final)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def task_logger(name: str) -> logging.Logger:
    """The logger of one task family, writing to ``logs/<name>.log`` under the data root."""
    logger = logging.getLogger(f"momentum.{name}")
    log_file = data_root() / "logs" / f"{name}.log"
    if not any(getattr(h, "baseFilename", None) == str(log_file) for h in logger.handlers):
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file)
        handler.setFormatter(logging.Formatter(_LOG_FORMAT))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return logger


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
    preload: ClassVar[tuple[str, ...]] = ()

    def complete(self) -> bool:
        done = super().complete()
        if not done:
            for module in self.preload:
                importlib.import_module(module)
        return done

    def output_path(self, *parts: str) -> Path:
        """A path under the data root: ``<root>/<parts...>``."""
        return data_root().joinpath(*parts)

    def dated_path(self, stage: str, name: str) -> Path:
        """``<root>/<stage>/<run date>/<name>``: the layout every stage shares."""
        return self.output_path(*stage.split("/"), self.date.isoformat(), name)

    @property
    def log(self) -> logging.Logger:
        return task_logger(self.get_task_family())

    def parameters(self) -> dict[str, str]:
        """The task's significant parameters, as recorded in provenance."""
        return {k: str(v) for k, v in self.param_kwargs.items()}


class TickerTask(PipelineTask):
    """A per-ticker stage: one instance per (run date, ticker), so a bad ticker fails alone."""

    ticker = luigi.Parameter(description="Ticker symbol in Yahoo form (BRK-B, not BRK.B).")
