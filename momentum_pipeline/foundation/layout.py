"""Where everything lives under a data root: the one place its folder names are spelled.

A stage writes under ``<root>/<stage>/<run date>/``; the logs, the order journal, the
performance log and the root's data-source record are shared by every run date.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Layout:
    """The folders and shared files of the data root ``root``."""

    root: Path

    RAW: ClassVar[str] = "data/raw"
    CLEANED: ClassVar[str] = "data/cleaned"
    PROCESSED: ClassVar[str] = "data/processed"
    FEATURES: ClassVar[str] = "features"
    SIGNALS: ClassVar[str] = "signals"
    BUNDLE: ClassVar[str] = "zipline"
    BACKTEST: ClassVar[str] = "backtest_results"
    MODELS: ClassVar[str] = "models"
    RESEARCH: ClassVar[str] = "research"
    REPORTS: ClassVar[str] = "reports"
    EXECUTIONS: ClassVar[str] = "executions"
    STATE: ClassVar[str] = "state"
    LOGS: ClassVar[str] = "logs"
    #: Every folder holding one sub-folder per run date, in pipeline order.
    DATED: ClassVar[tuple[str, ...]] = (RAW, CLEANED, PROCESSED, FEATURES, SIGNALS, BUNDLE,
                                        BACKTEST, MODELS, RESEARCH, REPORTS, EXECUTIONS,
                                        STATE)

    def dated(self, stage: str, date: dt.date) -> Path:
        """``<root>/<stage>/<run date>``: the folder of one stage's outputs of one day."""
        return self.root.joinpath(*stage.split("/"), date.isoformat())

    #: How far back :meth:`earlier_output` looks for an output to share.
    EARLIER_DATES: ClassVar[int] = 5

    def earlier_output(self, path: Path) -> Path | None:
        """The same output of the latest earlier run date that has it (among the last
        few): what an unchanged output of ``path``'s date can share. ``None`` for a path
        outside the dated folders."""
        try:
            parts = Path(path).relative_to(self.root).parts
        except ValueError:
            return None
        for stage in self.DATED:
            depth = len(stage.split("/"))
            if parts[:depth] != tuple(stage.split("/")) or len(parts) <= depth + 1:
                continue
            folder, day, rest = self.root.joinpath(*parts[:depth]), parts[depth], parts[depth + 1:]
            earlier = sorted((name for name in os.listdir(folder)
                              if _ISO_DATE.fullmatch(name) and name < day), reverse=True)
            for name in earlier[:self.EARLIER_DATES]:
                candidate = folder.joinpath(name, *rest)
                if candidate.exists():
                    return candidate
            return None
        return None

    def stamp(self, date: dt.date, task_id: str) -> Path:
        """The completion stamp of one task (``tasks.completion``)."""
        return self.dated(self.STATE, date) / f"{task_id}.json"

    @property
    def running_markers(self) -> Path:
        """Markers of the tasks running now: left behind only by a run that died."""
        return self.root / self.STATE / "running"

    def running(self, task_id: str) -> Path:
        return self.running_markers / f"{task_id}.json"

    def task_log(self, name: str) -> Path:
        return self.root / self.LOGS / f"{name}.log"

    @property
    def run_log(self) -> Path:
        """Luigi's own status lines and tracebacks, which the console leaves out."""
        return self.root / self.LOGS / "luigi.log"

    @property
    def alerts_log(self) -> Path:
        return self.root / self.LOGS / "alerts.log"

    @property
    def performance_log(self) -> Path:
        """PnL, Sharpe and drawdown of every run date (``logs/metrics.csv``, the file name
        the operators' tools expect)."""
        return self.root / self.LOGS / "metrics.csv"

    @property
    def journal(self) -> Path:
        """The order engine's journal: positions and sent orders across days."""
        return self.root / self.EXECUTIONS / "journal.log"

    @property
    def trading_state(self) -> Path:
        """The kill switch's state a person set (``tasks.commands.trading``); its history
        in ``trading_state.log`` beside it."""
        return self.root / self.EXECUTIONS / "trading_state.json"

    @property
    def source_record(self) -> Path:
        """The data source this root's outputs come from (one source per root)."""
        return self.root / "data" / "source.json"

    def relative(self, path: Path) -> str:
        """``path`` as shown in outputs: relative to the root, so that the same run into
        another root writes the same bytes."""
        try:
            return str(Path(path).relative_to(self.root))
        except ValueError:
            return str(path)
