"""Price metrics and their JSON summary, against hand-computed values."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from momentum_pipeline.foundation.frames import dump_json
from momentum_pipeline.metrics import MetricParams, metrics_summary, price_metrics

DAYS = pd.bdate_range("2024-01-02", periods=5, name="date")


def test_price_metrics_when_closes_are_hand_picked_then_returns_drawdown_and_averages_match():
    bars = pd.DataFrame({"close": [100.0, 110.0, 99.0, 121.0, 110.0]}, index=DAYS)
    metrics = price_metrics(bars, MetricParams(volatility_window=2, ma_windows=(2, 3)))
    np.testing.assert_allclose(metrics["return"], [np.nan, 0.10, -0.10, 121 / 99 - 1, -1 / 11])
    np.testing.assert_allclose(metrics["log_return"],
                               np.log([np.nan, 1.1, 0.9, 121 / 99, 110 / 121]))
    np.testing.assert_allclose(metrics["ma_2"], [np.nan, 105.0, 104.5, 110.0, 115.5])
    np.testing.assert_allclose(metrics["ma_3"], [np.nan, np.nan, 103.0, 110.0, 110.0])
    np.testing.assert_allclose(metrics["drawdown"], [0.0, 0.0, -0.10, 0.0, -1 / 11])
    # Sample std of two values a, b is |a - b| / sqrt(2); annualised by sqrt(252).
    a, b = math.log(1.1), math.log(0.9)
    assert metrics["volatility_2"].iloc[2] == pytest.approx(abs(a - b) / math.sqrt(2)
                                                            * math.sqrt(252), rel=1e-12)
    assert metrics["volatility_2"].iloc[:2].isna().all()


def test_metrics_summary_when_price_grows_at_a_constant_rate_then_no_drawdown_and_no_volatility():
    days = pd.bdate_range("2020-01-01", periods=253, name="date")
    bars = pd.DataFrame({"close": 50.0 * 1.001 ** np.arange(253)}, index=days)
    summary = metrics_summary(price_metrics(bars), "GROW", sample_data=False)
    assert summary["total_return"] == pytest.approx(1.001 ** 252 - 1, rel=1e-12)
    # 252 returns make exactly one year.
    assert summary["annual_return"] == pytest.approx(1.001 ** 252 - 1, rel=1e-12)
    assert summary["annual_volatility"] == pytest.approx(0.0, abs=1e-12)
    assert summary["max_drawdown"] == 0.0
    assert summary["current_drawdown"] == 0.0
    assert summary["sessions"] == 253


def test_metrics_summary_when_price_falls_and_recovers_then_drawdown_dates_are_peak_and_trough():
    bars = pd.DataFrame({"close": [100.0, 120.0, 90.0, 60.0, 130.0]}, index=DAYS)
    summary = metrics_summary(price_metrics(bars), "DIP", sample_data=False)
    assert summary["max_drawdown"] == pytest.approx(-0.5)
    assert summary["max_drawdown_peak"] == "2024-01-03"
    assert summary["max_drawdown_trough"] == "2024-01-05"
    assert summary["current_drawdown"] == 0.0
    assert summary["first_date"] == "2024-01-02" and summary["last_date"] == "2024-01-08"


def test_metrics_summary_when_history_is_shorter_than_a_window_then_json_has_null_not_nan():
    bars = pd.DataFrame({"close": [100.0, 101.0, 102.0, 101.0, 103.0]}, index=DAYS)
    summary = metrics_summary(price_metrics(bars), "NEW", sample_data=False)
    assert summary["moving_averages"]["ma_200"] is None
    assert summary["rolling_volatility"] is None
    text = dump_json(summary)
    assert "NaN" not in text
    assert json.loads(text)["moving_averages"]["ma_20"] is None


def test_metrics_summary_when_data_is_sample_then_it_says_sample_data():
    bars = pd.DataFrame({"close": [100.0, 101.0, 102.0, 101.0, 103.0]}, index=DAYS)
    summary = metrics_summary(price_metrics(bars), "SYN", sample_data=True)
    assert summary["sample_data"] is True
    assert "SAMPLE DATA" in summary["warning"]
    assert "warning" not in metrics_summary(price_metrics(bars), "SYN", sample_data=False)


def test_metrics_summary_when_no_sessions_then_error_names_the_ticker():
    empty = price_metrics(pd.DataFrame({"close": []}, index=DAYS[:0]))
    with pytest.raises(ValueError, match="ZZZ"):
        metrics_summary(empty, "ZZZ", sample_data=False)
