"""Target weights as traded: aligned to sessions, checked, reduced to rebalance days."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from momentum_pipeline.backtest.targets import (align_targets, check_targets_have_bars,
                                                close_ended_positions, ended_tickers, last_rebalance,
                                                rebalances)
from momentum_pipeline.foundation.calendar import sessions

SESSIONS = sessions(pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-10"))  # 7 sessions


def weights(rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index = pd.DatetimeIndex(frame.index, name="date")
    return frame


def test_align_targets_when_rows_are_monthly_then_each_holds_until_the_next_and_flat_before():
    monthly = weights({"2023-12-29": {"AAPL": 0.5, "MSFT": 0.5},
                       "2024-01-05": {"AAPL": 1.0, "MSFT": 0.0}})

    targets = align_targets(monthly, SESSIONS[1:], where="w.parquet")

    # A row holds until the next: December's on the first session, January's from the 5th.
    assert targets.index.equals(pd.DatetimeIndex(["2024-01-03", "2024-01-05"], name="date"))
    assert targets.to_numpy().tolist() == [[0.5, 0.5], [1.0, 0.0]]


def test_plan_when_weights_come_a_row_per_session_or_a_row_per_decision_then_the_same():
    days = sessions(pd.Timestamp("2023-01-03"), pd.Timestamp("2023-12-29"))
    rng = np.random.default_rng(3)
    decisions = np.sort(rng.choice(len(days), 20, replace=False))
    decided = pd.DataFrame(rng.choice([0.0, 0.1, 0.25], (20, 3)), index=days[decisions],
                           columns=["AAPL", "JPM", "XOM"]).rename_axis("date")
    decided.iloc[-3:, 1] = 0.3  # JPM is held when its data ends
    # A row dated on a Saturday holds from the next session, in both forms.
    saturday = pd.Timestamp("2023-06-17")
    decided = pd.concat([decided, pd.DataFrame([[0.2, 0.2, 0.2]], columns=decided.columns,
                                               index=pd.DatetimeIndex([saturday], name="date"))])
    decided = decided.sort_index()
    every_session = decided.reindex(decided.index.union(days)).ffill().fillna(0.0).reindex(days)
    ranges = {"AAPL": (days[0], days[-1]), "JPM": (days[0], days[-30]), "XOM": (days[0], days[-1])}
    simulated = days[10:]

    def plan(weights):
        targets = align_targets(weights, simulated, where="w")
        check_targets_have_bars(targets, ranges)
        closed, notes = close_ended_positions(targets, ranges, {"JPM": 10.0})
        return rebalances(closed), notes

    sparse, dense = plan(decided), plan(every_session)
    pd.testing.assert_frame_equal(sparse[0], dense[0], check_exact=True)
    assert sparse[1] == dense[1] and len(dense[1]) == 1  # JPM closed where its data ends
    assert days[-30] in dense[0].index


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
                                         r"2024-01-04, before its cleaned bars "
                                         r"2024-01-05..2024-01-10"):
        check_targets_have_bars(targets, {"GEV": (SESSIONS[3], SESSIONS[-1])})


def test_check_targets_when_an_ended_ticker_is_set_before_its_first_bar_then_it_raises():
    targets = pd.DataFrame({"GEV": [0.2] * 7, "AAPL": [0.2] * 7}, index=SESSIONS)
    ranges = {"GEV": (SESSIONS[1], SESSIONS[3]), "AAPL": (SESSIONS[0], SESSIONS[-1])}

    closed, _ = close_ended_positions(targets, ranges, {"GEV": 10.0})
    with pytest.raises(ValueError, match=r"ticker GEV: non-zero target weight on 2024-01-02, "
                                         r"before its cleaned bars 2024-01-03..2024-01-05"):
        check_targets_have_bars(closed, ranges)


def test_check_targets_when_weight_is_zero_outside_the_bars_then_it_passes():
    targets = pd.DataFrame({"GEV": [0.0, 0.0, 0.0, 0.2, 0.2, 0.2, 0.2]}, index=SESSIONS)

    check_targets_have_bars(targets, {"GEV": (SESSIONS[3], SESSIONS[-1])})


def test_ended_tickers_when_bars_stop_before_the_latest_bar_then_they_are_listed_with_it():
    ranges = {"AAPL": (SESSIONS[0], SESSIONS[-1]), "JPM": (SESSIONS[0], SESSIONS[3]),
              "GEV": (SESSIONS[2], SESSIONS[-1])}

    assert ended_tickers(ranges) == {"JPM": SESSIONS[3]}


def test_close_ended_positions_when_data_ends_while_held_then_closed_at_last_close():
    targets = pd.DataFrame({"AAPL": [0.5] * 7, "JPM": [0.032] * 7}, index=SESSIONS)
    ranges = {"AAPL": (SESSIONS[0], SESSIONS[-1]), "JPM": (SESSIONS[0], SESSIONS[3])}

    closed, notes = close_ended_positions(targets, ranges, {"AAPL": 190.0, "JPM": 123.454})

    assert closed["JPM"].tolist() == [0.032, 0.032, 0.032, 0.0, 0.0, 0.0, 0.0]
    assert closed["AAPL"].equals(targets["AAPL"])
    assert notes == ["JPM: data ends 2024-01-05 while held (target 3.2 % of equity); "
                     "closed at its last close 123.45 on 2024-01-05"]
    assert targets["JPM"].eq(0.032).all(), "the input is left as it was"
    check_targets_have_bars(closed, ranges)


def test_close_ended_positions_when_the_strategy_left_before_the_data_ended_then_no_note():
    targets = pd.DataFrame({"AAPL": [0.5] * 7, "JPM": [0.1, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0]},
                           index=SESSIONS)
    ranges = {"AAPL": (SESSIONS[0], SESSIONS[-1]), "JPM": (SESSIONS[0], SESSIONS[3])}

    closed, notes = close_ended_positions(targets, ranges, {"AAPL": 190.0, "JPM": 123.45})

    assert closed.equals(targets) and notes == []


def test_close_ended_positions_when_a_short_ends_then_the_note_gives_its_negative_target():
    targets = pd.DataFrame({"AAPL": [0.5] * 7, "XOM": [-0.05] * 7}, index=SESSIONS)
    ranges = {"AAPL": (SESSIONS[0], SESSIONS[-1]), "XOM": (SESSIONS[0], SESSIONS[5])}

    closed, notes = close_ended_positions(targets, ranges, {"XOM": 101.0})

    assert closed["XOM"].tolist() == [-0.05] * 5 + [0.0] * 2
    assert notes == ["XOM: data ends 2024-01-09 while held (target -5.0 % of equity); "
                     "closed at its last close 101.00 on 2024-01-09"]


def test_last_rebalance_when_later_sessions_hold_then_it_is_the_last_change_and_its_trades():
    targets = weights({"2024-01-02": {"AAPL": 0.5, "MSFT": 0.5},
                       "2024-01-03": {"AAPL": 1.0, "MSFT": 0.0},
                       "2024-01-04": {"AAPL": 1.0, "MSFT": 0.0},
                       "2024-01-05": {"AAPL": 1.0, "MSFT": 0.0}})

    day, trades = last_rebalance(targets)

    assert day == pd.Timestamp("2024-01-03")
    assert trades.to_dict("records") == [
        {"ticker": "AAPL", "previous_weight": 0.5, "target_weight": 1.0},
        {"ticker": "MSFT", "previous_weight": 0.5, "target_weight": 0.0}]


def test_last_rebalance_when_targets_are_flat_throughout_then_there_is_none():
    day, trades = last_rebalance(weights({"2024-01-02": {"AAPL": 0.0},
                                          "2024-01-03": {"AAPL": 0.0}}))

    assert day is None and trades.empty
