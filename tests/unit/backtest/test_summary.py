"""summary.json of a backtest: the contract's keys, the sample-data warning, the check."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from momentum_pipeline.backtest.config import BacktestConfig
from momentum_pipeline.backtest.performance import METRICS
from momentum_pipeline.backtest.summary import backtest_summary

PERFORMANCE = pd.DataFrame(
    {"returns": [0.0, 0.02, -0.01], "benchmark_returns": [0.001, 0.01, 0.0],
     "gross_exposure": [0.0, 1.0, 1.0], "turnover": [0.0, 1.0, 0.0]},
    index=pd.DatetimeIndex(["2024-01-02", "2024-01-03", "2024-01-04"], name="date"))
CONFIG = BacktestConfig(start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 4), capital=1e6,
                        benchmark="SPY")
AGREEING = {"returns_correlation": 0.9999, "final_equity_zipline": 1.0,
            "final_equity_vectorised": 1.0, "final_equity_difference": 0.0}


def test_summary_when_built_from_sample_data_then_it_says_so_and_holds_the_contract_keys():
    summary = backtest_summary(PERFORMANCE, AGREEING, CONFIG, "momentum_12_1", True, 1)

    assert (summary["strategy"], summary["start"], summary["end"], summary["capital"]) == (
        "momentum_12_1", "2024-01-02", "2024-01-04", 1e6)
    assert summary["sample_data"] is True and summary["warning"].startswith("SAMPLE DATA")
    assert set(summary["strategy_metrics"]) == set(summary["benchmark_metrics"]) == set(METRICS)
    assert summary["strategy_metrics"]["exposure"] == pytest.approx(2 / 3)
    assert summary["strategy_metrics"]["turnover"] == pytest.approx(252 / 3)
    assert summary["benchmark_metrics"]["pnl"] == pytest.approx(1e6 * (1.001 * 1.01 - 1))
    assert (summary["benchmark_metrics"]["exposure"], summary["benchmark_metrics"]["turnover"]) \
        == (1.0, 0.0)
    assert summary["vectorised_check"]["agrees"] is True


def test_summary_when_the_check_disagrees_then_it_records_the_disagreement():
    drifted = {**AGREEING, "final_equity_difference": 0.02}

    summary = backtest_summary(PERFORMANCE, drifted, CONFIG, "momentum_12_1", False, 1)

    assert summary["vectorised_check"]["agrees"] is False
    assert "warning" not in summary


def test_summary_when_the_benchmark_ends_early_then_its_metrics_stop_there_and_a_note_says_so():
    ended = PERFORMANCE.assign(benchmark_returns=[0.001, 0.01, float("nan")])
    note = ("benchmark SPY ends 2024-01-03, 1 session before the backtest's end 2024-01-04: "
            "its figures stop there")

    summary = backtest_summary(ended, AGREEING, CONFIG, "momentum_12_1", False, 1, [note])

    assert summary["benchmark_metrics"]["total_return"] == pytest.approx(1.001 * 1.01 - 1)
    assert summary["benchmark_metrics"]["hit_rate"] == 1.0
    assert summary["benchmark_metrics"]["annual_return"] == pytest.approx(
        (1.001 * 1.01) ** (252 / 2) - 1)
    assert summary["notes"] == [note]


def test_summary_when_nothing_was_noted_then_notes_is_an_empty_list():
    summary = backtest_summary(PERFORMANCE, AGREEING, CONFIG, "momentum_12_1", False, 1)

    assert summary["notes"] == []
