"""The metrics log ``logs/metrics.csv``: one row per (run date, strategy), kept across
runs so a strategy's PnL, returns and risk can be followed day by day.

Rows are kept as the text they were written with: rewriting the file to replace one
run's row leaves every other row byte-identical.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import fcntl
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from momentum_pipeline.backtest.performance import METRICS
from momentum_pipeline.foundation.exclusions import Exclusion

KEY = ("run_date", "strategy")
COLUMNS = (*KEY, "data_source", "sample_data", "start", "end", "capital", *METRICS,
           "benchmark_total_return", "benchmark_sharpe", "tickers", "excluded", "code_version")

Row = dict[str, str]


def _text(value: Any) -> str:
    """How a value is written to the log: shortest exact float text, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def performance_row(summary: dict[str, Any], run_date: dt.date, data_source: str,
                code_version: str, where: str, tickers: int = 0,
                excluded: Iterable[Exclusion] = ()) -> Row:
    """The log row of one backtest ``summary`` (``summary.json``, named by ``where``), with
    how many ``tickers`` were traded and which were ``excluded`` from the day (and where)."""
    missing = [k for k in ("strategy", "start", "end", "capital", "sample_data",
                           "strategy_metrics", "benchmark_metrics") if k not in summary]
    if missing:
        raise ValueError(f"{where}: backtest summary lacks {', '.join(missing)}")
    strategy, benchmark = summary["strategy_metrics"], summary["benchmark_metrics"]
    absent = [k for k in METRICS if k not in strategy]
    if absent:
        raise ValueError(f"{where}: strategy_metrics lacks {', '.join(absent)} "
                         f"(expected {', '.join(METRICS)})")
    row = {"run_date": run_date.isoformat(), "strategy": summary["strategy"],
           "data_source": data_source, "sample_data": summary["sample_data"],
           "start": summary["start"], "end": summary["end"], "capital": summary["capital"],
           **{k: strategy[k] for k in METRICS},
           "benchmark_total_return": benchmark.get("total_return"),
           "benchmark_sharpe": benchmark.get("sharpe"), "tickers": tickers,
           "excluded": "; ".join(f"{e.ticker} ({e.stage})" for e in excluded),
           "code_version": code_version}
    return {k: _text(v) for k, v in row.items()}


def read_log(path: Path) -> list[Row]:
    """The rows of the log at ``path`` (none when it does not exist yet)."""
    if not path.is_file():
        return []
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        absent = [k for k in KEY if k not in (reader.fieldnames or [])]
        if absent:
            raise ValueError(f"{path}: metrics log has no column {', '.join(absent)} "
                             f"(expected a header starting {', '.join(COLUMNS[:3])})")
        return [dict(row) for row in reader]


def upsert(rows: list[Row], new: list[Row]) -> list[Row]:
    """``rows`` with the rows of ``new`` added, replacing any of the same (run date,
    strategy); sorted by run date, then strategy."""
    replaced = {tuple(r[k] for k in KEY) for r in new}
    kept = [r for r in rows if tuple(r[k] for k in KEY) not in replaced]
    return sorted([*kept, *new], key=lambda r: tuple(r[k] for k in KEY))


def log_text(rows: list[Row]) -> str:
    """CSV text of ``rows``: :data:`COLUMNS` first, then columns only older rows have."""
    extra = sorted({k for r in rows for k in r} - set(COLUMNS))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*COLUMNS, *extra], restval="",
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<path>.lock`` so concurrent runs (other dates, other
    processes on a shared data root) never lose each other's read-modify-write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
