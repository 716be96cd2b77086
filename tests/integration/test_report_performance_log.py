"""The metrics log under concurrent writers: real processes, one shared file."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path

from momentum_pipeline.backtest.performance import METRICS
from momentum_pipeline.operations.performance_log import COLUMNS, performance_row, read_log
from tasks.report import record_performance

WRITERS, RUNS_EACH = 4, 15


def log_runs(path: str, writer: int) -> None:
    """One process logging its own run dates, one upsert at a time."""
    for run in range(RUNS_EACH):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=writer * RUNS_EACH + run)
        summary = {"strategy": "momentum_12_1", "start": "2011-01-03", "end": day.isoformat(),
                   "capital": 1e6, "sample_data": False,
                   "strategy_metrics": {k: float(writer) for k in METRICS},
                   "benchmark_metrics": {}}
        record_performance(Path(path), [performance_row(summary, day, "csv", "v", "summary.json")])


def test_performance_log_when_processes_log_different_dates_at_once_then_no_row_is_lost(tmp_path):
    path = tmp_path / "logs" / "metrics.csv"
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=log_runs, args=(str(path), w)) for w in range(WRITERS)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=120)
        assert process.exitcode == 0
    rows = read_log(path)
    dates = [r["run_date"] for r in rows]
    assert len(rows) == WRITERS * RUNS_EACH
    assert dates == sorted(set(dates))
    assert path.read_text().splitlines()[0] == ",".join(COLUMNS)
    assert not [p.name for p in path.parent.iterdir() if p.name.startswith(".")]


def test_performance_log_when_same_date_logged_again_then_one_row_with_new_values(tmp_path):
    path = tmp_path / "metrics.csv"
    log_runs(str(path), 0)
    log_runs(str(path), 0)
    assert len(read_log(path)) == RUNS_EACH
