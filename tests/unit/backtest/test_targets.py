"""Target weights as traded: aligned to sessions, checked, reduced to rebalance days."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from momentum_pipeline.backtest.targets import align_targets, check_targets_have_bars, rebalances
from momentum_pipeline.calendar import sessions

SESSIONS = sessions(pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-10"))  # 7 sessions


def weights(rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index = pd.DatetimeIndex(frame.index, name="date")
    return frame


def test_align_targets_when_rows_are_monthly_then_each_holds_until_the_next_and_flat_before():
    monthly = weights({"2023-12-29": {"AAPL": 0.5, "MSFT": 0.5},
                       "2024-01-05": {"AAPL": 1.0, "MSFT": 0.0}})

    targets = align_targets(monthly, SESSIONS[1:], where="w.parquet")

    assert targets.index.equals(SESSIONS[1:])
    assert targets.loc["2024-01-04"].tolist() == [0.5, 0.5]
    assert targets.loc["2024-01-05":].eq(pd.Series({"AAPL": 1.0, "MSFT": 0.0})).all(axis=None)


def test_align_targets_when_first_row_is_after_the_start_then_earlier_sessions_are_flat():
    late = weights({"2024-01-08": {"AAPL": 0.3}})

    targets = align_targets(late, SESSIONS, where="w.parquet")

    assert targets.loc[:"2024-01-05", "AAPL"].eq(0.0).all()
    assert targets.loc["2024-01-08":, "AAPL"].eq(0.3).all()


def test_align_targets_when_a_weight_is_not_finite_then_error_names_ticker_and_date():
    bad = weights({"2024-01-03": {"AAPL": 0.5, "BRK-B": math.nan}})

    with pytest.raises(ValueError, match=r"w.parquet: 1 target weights are not finite "
                                         r"\(BRK-B on 2024-01-03\)"):
        align_targets(bad, SESSIONS, where="w.parquet")


def test_align_targets_when_dates_are_unsorted_then_error_says_so():
    unsorted = weights({"2024-01-05": {"AAPL": 0.5}, "2024-01-03": {"AAPL": 0.1}})

    with pytest.raises(ValueError, match="w.parquet: dates must be unique and ascending"):
        align_targets(unsorted, SESSIONS, where="w.parquet")


def test_align_targets_when_weights_start_after_the_period_then_error_gives_both_dates():
    future = weights({"2024-02-01": {"AAPL": 0.5}})

    with pytest.raises(ValueError, match="first target weights on 2024-02-01, after the "
                                         "backtest's last session 2024-01-10"):
        align_targets(future, SESSIONS, where="w.parquet")


def test_rebalances_when_targets_change_then_only_those_sessions_are_kept():
    targets = pd.DataFrame({"AAPL": [0.0, 0.0, 0.5, 0.5, 0.5, 0.2, 0.2],
                            "MSFT": [0.0, 0.0, 0.5, 0.5, 0.5, 0.8, 0.8]}, index=SESSIONS)

    assert rebalances(targets).index.equals(SESSIONS[[2, 5]])


def test_rebalances_when_the_first_session_holds_weights_then_it_is_a_rebalance():
    targets = pd.DataFrame({"AAPL": [0.5] * len(SESSIONS)}, index=SESSIONS)

    assert rebalances(targets).index.equals(SESSIONS[:1])


def test_check_targets_when_a_ticker_has_no_bars_then_error_lists_it():
    targets = pd.DataFrame({"AAPL": 0.5, "ZZZZ": 0.5}, index=SESSIONS)

    with pytest.raises(ValueError, match="tickers without cleaned bars: ZZZZ"):
        check_targets_have_bars(targets, {"AAPL": (SESSIONS[0], SESSIONS[-1])})


def test_check_targets_when_weight_is_set_before_the_first_bar_then_error_names_dates():
    targets = pd.DataFrame({"GEV": [0.0, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2]}, index=SESSIONS)

    with pytest.raises(ValueError, match=r"ticker GEV: non-zero target weight on 2024-01-03, "
                                         r"2024-01-04, outside its cleaned bars "
                                         r"2024-01-05..2024-01-10"):
        check_targets_have_bars(targets, {"GEV": (SESSIONS[3], SESSIONS[-1])})


def test_check_targets_when_weight_is_zero_outside_the_bars_then_it_passes():
    targets = pd.DataFrame({"GEV": [0.0, 0.0, 0.0, 0.2, 0.2, 0.2, 0.2]}, index=SESSIONS)

    check_targets_have_bars(targets, {"GEV": (SESSIONS[3], SESSIONS[-1])})
