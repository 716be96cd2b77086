"""Backtest settings: bad capital, period or data coverage fail before zipline starts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from momentum_pipeline.backtest.config import BacktestConfig
from momentum_pipeline.foundation.calendar import sessions

FIRST_BAR, LAST_BAR = pd.Timestamp("2020-01-02"), pd.Timestamp("2020-12-31")


def config(start: str, end: str, capital: float = 1e6) -> BacktestConfig:
    return BacktestConfig(start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end),
                          capital=capital, benchmark="SPY")


@pytest.mark.parametrize("capital", [0.0, -5.0, float("nan"), float("inf")])
def test_config_when_capital_is_not_positive_dollars_then_error_names_it(capital):
    with pytest.raises(ValueError, match="backtest capital must be a positive number"):
        config("2020-03-02", "2020-06-30", capital)


def test_config_when_start_is_after_end_then_error_names_both():
    with pytest.raises(ValueError, match="backtest start 2020-06-30 is after its end 2020-03-02"):
        config("2020-06-30", "2020-03-02")


def test_simulated_sessions_when_period_is_inside_the_data_then_they_are_its_nyse_sessions():
    simulated = config("2020-03-01", "2020-06-30").simulated_sessions(FIRST_BAR, LAST_BAR)

    assert simulated.equals(sessions(dt.date(2020, 3, 2), dt.date(2020, 6, 30)))


def test_simulated_sessions_when_period_has_no_data_then_error_gives_the_data_range():
    with pytest.raises(ValueError, match="2019-01-01..2019-06-30 has no sessions with data: "
                                         "the cleaned bars cover 2020-01-02..2020-12-31"):
        config("2019-01-01", "2019-06-30").simulated_sessions(FIRST_BAR, LAST_BAR)


def test_simulated_sessions_when_start_is_the_first_bar_then_error_asks_for_a_later_start():
    with pytest.raises(ValueError, match="start on or after 2020-01-03"):
        config("2019-06-01", "2020-06-30").simulated_sessions(FIRST_BAR, LAST_BAR)


def test_simulated_sessions_when_end_is_after_the_data_then_error_says_so():
    with pytest.raises(ValueError, match="ends after the last session with data"):
        config("2020-03-02", "2021-03-01").simulated_sessions(FIRST_BAR, LAST_BAR)
