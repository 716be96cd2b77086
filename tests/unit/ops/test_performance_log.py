from __future__ import annotations

import datetime as dt
import json

import pytest

from momentum_pipeline.backtest.performance import METRICS
from momentum_pipeline.operations.performance_log import COLUMNS, log_text, performance_row, read_log, upsert

SUMMARY = {
    "strategy": "momentum_12_1", "start": "2011-01-03", "end": "2025-10-08",
    "capital": 1_000_000.0, "sample_data": True,
    "strategy_metrics": {k: 0.1 * (i + 1) for i, k in enumerate(METRICS)},
    "benchmark_metrics": {"total_return": 2.5, "sharpe": 0.8},
}


def row(day: str, strategy: str = "momentum_12_1", sharpe: float = 1.0) -> dict[str, str]:
    summary = {**SUMMARY, "strategy": strategy,
               "strategy_metrics": {**SUMMARY["strategy_metrics"], "sharpe": sharpe}}
    return performance_row(summary, dt.date.fromisoformat(day), "sample", "0.1.0", "summary.json")


def test_metrics_row_when_summary_complete_then_copies_every_metric_exactly():
    logged = row("2025-10-08", sharpe=1.2345678901234567)
    assert logged["run_date"] == "2025-10-08"
    assert logged["data_source"] == "sample"
    assert logged["sample_data"] == "true"
    assert float(logged["sharpe"]) == 1.2345678901234567
    for key in METRICS:
        if key != "sharpe":
            assert float(logged[key]) == SUMMARY["strategy_metrics"][key]
    assert float(logged["benchmark_sharpe"]) == 0.8
    assert list(logged) == list(COLUMNS)


def test_metrics_row_when_metric_missing_then_error_names_file_and_metric():
    summary = json.loads(json.dumps(SUMMARY))
    del summary["strategy_metrics"]["sortino"]
    with pytest.raises(ValueError, match=r"backtest_results/2025-10-08/summary.json.*sortino"):
        performance_row(summary, dt.date(2025, 10, 8), "csv", "0.1.0",
                    "backtest_results/2025-10-08/summary.json")


def test_metrics_row_when_metric_undefined_then_cell_is_empty():
    summary = {**SUMMARY, "strategy_metrics": {**SUMMARY["strategy_metrics"], "calmar": None}}
    assert performance_row(summary, dt.date(2025, 10, 8), "csv", "v", "s.json")["calmar"] == ""


def test_upsert_when_run_date_logged_again_then_its_row_is_replaced_not_duplicated():
    rows = upsert([], [row("2025-10-07"), row("2025-10-08", sharpe=1.0)])
    rows = upsert(rows, [row("2025-10-08", sharpe=2.0)])
    assert [r["run_date"] for r in rows] == ["2025-10-07", "2025-10-08"]
    assert float(rows[1]["sharpe"]) == 2.0


def test_upsert_when_other_strategy_same_date_then_both_rows_kept_sorted():
    rows = upsert([row("2025-10-08", "b_strategy")], [row("2025-10-08", "a_strategy"),
                                                      row("2025-10-06", "b_strategy")])
    assert [(r["run_date"], r["strategy"]) for r in rows] == [
        ("2025-10-06", "b_strategy"), ("2025-10-08", "a_strategy"), ("2025-10-08", "b_strategy")]


def test_log_when_rewritten_for_another_date_then_other_rows_are_byte_identical(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text(log_text([row("2025-10-06"), row("2025-10-07")]))
    before = path.read_text().splitlines()
    path.write_text(log_text(upsert(read_log(path), [row("2025-10-08")])))
    after = path.read_text().splitlines()
    assert after[:3] == before
    assert after[0] == ",".join(COLUMNS)
    assert len(after) == 4


def test_log_when_older_file_has_extra_column_then_it_is_kept(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text("run_date,strategy,note\n2025-10-01,old,hand-written\n")
    rows = upsert(read_log(path), [row("2025-10-08")])
    text = log_text(rows)
    assert text.splitlines()[0].endswith(",note")
    assert "hand-written" in text


def test_read_log_when_header_lacks_key_then_error_names_file(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text("date,sharpe\n2025-10-08,1.0\n")
    with pytest.raises(ValueError, match=rf"{path}.*run_date, strategy"):
        read_log(path)
