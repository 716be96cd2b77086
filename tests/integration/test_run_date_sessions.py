"""A run date that is not an NYSE session is the session before it: a Saturday run after
Friday's does nothing and adds no performance-log row."""

from __future__ import annotations

import datetime as dt
import logging

from momentum_pipeline.operations.performance_log import read_log
from tasks.base import say_run_date
from tasks.pipeline import DailyPipeline
from tests.conftest import run_tasks

FRIDAY, SATURDAY = dt.date(2025, 10, 10), dt.date(2025, 10, 11)


def files_and_times(root):
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*")
            if p.is_file()}


def test_daily_pipeline_when_run_on_saturday_after_friday_then_no_work_and_one_row(
        pipeline_config, data_root, caplog):
    for section, option, value in (("data", "source", "sample"), ("data", "start", "2022-01-03"),
                                   ("backtest", "start", "2023-03-01"),
                                   ("universe", "tickers", "AAPL,MSFT,XOM")):
        pipeline_config.set(section, option, value)
    friday = run_tasks(DailyPipeline(date=FRIDAY))
    assert friday.scheduling_succeeded, friday.summary_text
    before = files_and_times(data_root)

    say_run_date.cache_clear()  # said once per process: as if this run were the first
    with caplog.at_level(logging.WARNING, logger="luigi-interface"):
        saturday = DailyPipeline(date=SATURDAY)
        assert saturday.date == FRIDAY and saturday.complete()
        result = run_tasks(saturday)
    assert result.scheduling_succeeded, result.summary_text
    assert "2025-10-11 (Saturday) is not an NYSE session: running for the session before " \
           "it, 2025-10-10" in caplog.text
    assert files_and_times(data_root) == before  # nothing written, not even a stamp
    assert not any(data_root.rglob("2025-10-11"))
    rows = read_log(data_root / "logs" / "metrics.csv")
    assert [row["run_date"] for row in rows] == ["2025-10-10"]
