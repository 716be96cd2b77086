"""Momentum signals: weight invariants (hypothesis), no look-ahead, short histories,
hold bands, caps and the buy/sell list."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from momentum_pipeline.foundation.calendar import sessions
from momentum_pipeline.signals import (Ranking, Selection, _ranks, books, capped_weights,
                                       decision_sessions, generate_signals, momentum_scores,
                                       target_weights, weights_schema)
from momentum_pipeline.strategy import StrategyParams
from momentum_pipeline.validation import SchemaMismatch, check_schema
from tests.unit.analytics.panels import REAL_TICKERS, generated_inputs, real_bars, signal_inputs

TOLERANCE = 1e-9


@st.composite
def strategies(draw) -> StrategyParams:
    """Any valid strategy, with windows short enough for a small generated market."""
    lookback = draw(st.integers(5, 40))
    volatility_window = draw(st.integers(2, 30))
    long_short = draw(st.booleans())
    top = draw(st.floats(0.05, 0.5))
    bottom = draw(st.floats(0.05, 1.0 - top)) if long_short else 0.2
    gross = draw(st.floats(0.2, 2.0))
    return StrategyParams(
        mode="long_short" if long_short else "long_only",
        lookback=lookback, skip=draw(st.integers(0, lookback - 1)),
        min_history=max(lookback, volatility_window) + 1 + draw(st.integers(0, 20)),
        rebalance=draw(st.sampled_from(["daily", "weekly", "monthly"])),
        top_fraction=top, bottom_fraction=bottom,
        hold_fraction=draw(st.floats(max(top, bottom if long_short else 0.0), 1.0)),
        rsi_long_min=draw(st.floats(0, 60)), rsi_short_max=draw(st.floats(40, 100)),
        macd_trend=draw(st.booleans()), gross_exposure=gross,
        max_weight=draw(st.floats(0.02, 1.0)) * gross, volatility_window=volatility_window)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=strategies(), seed=st.integers(0, 2**32 - 1), tickers=st.integers(2, 15),
       extra=st.integers(10, 120))
def test_weights_when_markets_are_generated_then_finite_capped_and_summing_to_exposure(
        params, seed, tickers, extra):
    inputs = generated_inputs(seed, tickers, params.min_history + extra)
    weights = target_weights(inputs, params).to_numpy()
    cap, exposure = params.max_weight, params.gross_exposure

    assert np.isfinite(weights).all()
    assert (np.abs(weights) <= cap * (1 + 1e-12)).all()
    longs = np.where(weights > 0, weights, 0).sum(axis=1)
    shorts = -np.where(weights < 0, weights, 0).sum(axis=1)
    held_long, held_short = (weights > 0).sum(1), (weights < 0).sum(1)
    if params.long_short:
        np.testing.assert_allclose(longs, shorts, atol=TOLERANCE)  # net 0
        side = np.minimum.reduce([np.full(len(weights), exposure / 2),
                                  cap * held_long, cap * held_short])
        np.testing.assert_allclose(longs, side, atol=TOLERANCE)
    else:
        assert (weights >= 0).all()
        # Fully invested whenever the caps allow it, else every name at its cap.
        np.testing.assert_allclose(longs, np.minimum(exposure, cap * held_long), atol=TOLERANCE)


@settings(max_examples=25, deadline=None)
@given(params=strategies(), seed=st.integers(0, 2**32 - 1))
def test_weights_when_no_decision_is_due_then_they_stay_and_names_without_signal_are_flat(
        params, seed):
    inputs = generated_inputs(seed, 8, params.min_history + 80)
    weights = target_weights(inputs, params)
    decided = decision_sessions(weights.index, params.rebalance)
    unchanged = (weights.diff().abs().sum(axis=1) == 0).to_numpy()
    assert unchanged[1:][~decided[1:]].all()
    has_signal = momentum_scores(inputs, params).has_signal.to_numpy()
    assert (weights.to_numpy()[decided][~has_signal[decided]] == 0).all()


def test_weights_when_some_names_are_capped_then_the_rest_are_inverse_volatility_sized():
    inputs = generated_inputs(11, 12, 400)
    params = StrategyParams(lookback=60, skip=5, min_history=80, volatility_window=20,
                            rebalance="monthly", top_fraction=0.5, hold_fraction=0.6,
                            rsi_long_min=0.0, macd_trend=False, max_weight=0.2)
    weights = target_weights(inputs, params)
    volatility = momentum_scores(inputs, params).volatility
    checked = 0
    for day in weights.index[decision_sessions(weights.index, "monthly")]:
        row = weights.loc[day]
        free = row[(row > 0) & (row < params.max_weight - 1e-12)]
        if len(free) >= 2:
            # weight * volatility is the same constant for every uncapped name.
            scaled = free * volatility.loc[day, free.index]
            np.testing.assert_allclose(scaled, scaled.iloc[0], rtol=1e-12)
            checked += 1
    assert checked >= 5


def test_capped_weights_when_a_name_exceeds_the_cap_then_its_excess_goes_to_the_others():
    weights = capped_weights(np.array([[1.0, 1.0, 2.0, 0.0]]), 1.0, 0.4)
    # Uncapped: 0.25, 0.25, 0.5; the third is cut to 0.4 and 0.6 is split evenly.
    np.testing.assert_allclose(weights, [[0.3, 0.3, 0.4, 0.0]])


def test_capped_weights_when_the_caps_cannot_reach_the_total_then_every_name_is_at_its_cap():
    weights = capped_weights(np.array([[1.0, 3.0], [0.0, 0.0]]), 1.0, 0.3)
    np.testing.assert_allclose(weights, [[0.3, 0.3], [0.0, 0.0]])


def selection(long_entry, long_band, short_entry=None, short_band=None) -> Selection:
    """A Selection of these entries and bands (ranks and slots unused by books)."""
    rows = len(long_entry)
    nothing = np.zeros_like(long_entry)
    return Selection(sessions=pd.date_range("2024-01-31", periods=rows, freq="ME"),
                     ranking=Ranking(rank=np.ones(long_entry.shape),
                                     from_bottom=np.ones(long_entry.shape),
                                     count=np.full(rows, long_entry.shape[1])),
                     long_slots=np.ones(rows), short_slots=np.zeros(rows),
                     hold_slots=np.full(rows, 2), long_entry=long_entry, long_band=long_band,
                     short_entry=nothing if short_entry is None else short_entry,
                     short_band=nothing if short_band is None else short_band)


def test_books_when_a_held_name_leaves_the_entry_slots_then_it_stays_until_it_leaves_the_band():
    entry = np.array([[True, False], [False, True], [False, False], [False, False]])
    band = np.array([[True, True], [True, True], [False, True], [True, False]])
    long, short = books(selection(entry, band))
    # A enters, stays in the band while B enters, drops out; B stays, then drops out.
    np.testing.assert_array_equal(long, [[True, False], [True, True], [False, True],
                                         [False, False]])
    assert not short.any()


def test_books_when_random_entries_and_bands_then_equal_to_the_rule_applied_row_by_row():
    rng = np.random.default_rng(7)
    shape = (300, 12)
    long_entry, short_entry = rng.random(shape) < 0.1, rng.random(shape) < 0.1
    long_band, short_band = rng.random(shape) < 0.8, rng.random(shape) < 0.8

    long, short = books(selection(long_entry, long_band, short_entry, short_band))

    expected_long, expected_short = np.zeros(shape, bool), np.zeros(shape, bool)
    held_long = held_short = np.zeros(shape[1], bool)
    for row in range(shape[0]):  # the rule as the docstring states it
        held_long = long_entry[row] | (held_long & long_band[row])
        held_short = (short_entry[row] | (held_short & short_band[row])) & ~held_long
        expected_long[row], expected_short[row] = held_long, held_short
    np.testing.assert_array_equal(long, expected_long)
    np.testing.assert_array_equal(short, expected_short)
    assert short.any() and long.any() and not (long & short).any()


def test_ranks_when_ties_and_missing_values_then_as_pandas_rank_first():
    values = np.array([[0.3, np.nan, 0.1, 0.3, -0.2], [np.nan, np.nan, 1.0, 1.0, 1.0]])

    for descending in (False, True):
        frame = pd.DataFrame(values).rank(axis=1, ascending=not descending, method="first")
        np.testing.assert_array_equal(_ranks(-values if descending else values),
                                      frame.to_numpy())


def test_decision_sessions_when_monthly_or_weekly_then_last_nyse_session_of_the_period():
    index = sessions(pd.Timestamp("2024-03-20"), pd.Timestamp("2024-04-05"))
    monthly = index[decision_sessions(index, "monthly")]
    weekly = index[decision_sessions(index, "weekly")]
    # Good Friday 2024-03-29 was a holiday: March and its week end on Thursday the 28th.
    assert list(monthly.strftime("%Y-%m-%d")) == ["2024-03-28"]
    assert list(weekly.strftime("%Y-%m-%d")) == ["2024-03-22", "2024-03-28", "2024-04-05"]
    assert decision_sessions(index, "daily").all()


@pytest.fixture(scope="module")
def real_panel_bars() -> dict[str, pd.DataFrame]:
    return {t: real_bars(t) for t in REAL_TICKERS}


@pytest.mark.parametrize("mode", ["long_only", "long_short"])
def test_signals_when_data_is_cut_at_t_then_weights_at_t_equal_those_from_full_history(
        real_panel_bars, mode):
    params = StrategyParams(mode=mode, max_weight=0.3)
    full = generate_signals(signal_inputs(real_panel_bars, pd.Timestamp("2025-10-08")), params)
    for day in ("2024-12-31", "2025-06-13", "2025-07-01", "2025-09-30"):
        cut = generate_signals(signal_inputs(real_panel_bars, pd.Timestamp(day)), params)
        assert cut.weights.index[-1] == pd.Timestamp(day)
        pd.testing.assert_series_equal(cut.weights.iloc[-1], full.weights.loc[day],
                                       check_exact=True)
    assert (full.weights.abs().sum(axis=1) > 0).any()


def test_signals_when_history_is_too_short_then_ticker_gets_no_signal_and_a_reason(
        real_panel_bars):
    signals = generate_signals(signal_inputs(real_panel_bars, pd.Timestamp("2024-12-31")),
                               StrategyParams(max_weight=0.3))
    reason = signals.excluded["GEV"]
    assert "too little history" in reason and "273 needed" in reason
    assert "2024-03-27" in reason  # the listing date
    assert (signals.weights["GEV"] == 0).all()
    assert np.isfinite(signals.weights.to_numpy()).all()
    assert "AAPL" not in signals.excluded
    assert 0 < signals.weights.iloc[-1].sum() <= 1.0 + TOLERANCE  # the others are held


@pytest.mark.parametrize("mode", ["long_only", "long_short"])
def test_rebalance_list_when_weights_change_then_it_lists_exactly_the_changes_sells_first(
        mode):
    inputs = generated_inputs(5, 10, 160)
    params = StrategyParams(mode=mode, lookback=40, skip=2, min_history=60,
                            volatility_window=10, rebalance="daily", top_fraction=0.4,
                            bottom_fraction=0.4, hold_fraction=0.5, rsi_long_min=0.0,
                            rsi_short_max=100.0, macd_trend=False, max_weight=0.4)
    signals = generate_signals(inputs, params)
    before, after = signals.weights.iloc[-2], signals.weights.iloc[-1]
    orders = signals.rebalance
    assert len(orders) > 0
    assert set(orders["ticker"]) == set(after.index[after != before])
    assert orders["action"].tolist() == sorted(orders["action"], reverse=True)  # SELL first
    for order in orders.itertuples():
        assert order.previous_weight == before[order.ticker]
        assert order.target_weight == after[order.ticker]
        assert order.action == ("BUY" if order.target_weight > order.previous_weight else "SELL")
        move = order.reason.split(":")[0]
        if order.previous_weight == 0:
            assert move.startswith("enter")
        elif order.target_weight == 0:
            assert move.startswith("exit")
        else:
            assert move.startswith(("resize", "switch"))


def test_target_weights_when_volatility_scaling_is_off_then_the_held_names_weigh_alike():
    inputs = generated_inputs(4, 12, 200)
    params = StrategyParams(lookback=40, skip=2, min_history=60, volatility_window=10,
                            rebalance="monthly", top_fraction=0.4, hold_fraction=0.5,
                            rsi_long_min=0.0, macd_trend=False, max_weight=0.5)
    scaled = target_weights(inputs, params).iloc[-1]
    equal = target_weights(inputs, dataclasses.replace(params, volatility_scaling=False)).iloc[-1]

    held = equal[equal != 0]
    assert len(held) >= 2 and held.index.equals(scaled[scaled != 0].index)  # same names
    np.testing.assert_allclose(held, 1.0 / len(held))
    assert scaled[held.index].std() > 1e-3  # scaled, they differ with their volatilities


def test_target_weights_when_scores_are_shared_by_configurations_then_as_computed_alone():
    inputs = generated_inputs(4, 12, 200)
    base = StrategyParams(lookback=40, skip=2, min_history=60, volatility_window=10,
                          top_fraction=0.2, hold_fraction=0.5, rsi_long_min=0.0,
                          macd_trend=False, max_weight=0.5)
    shared = momentum_scores(inputs, base)  # keeps rankings and books between calls
    seen = []
    for changes in ({}, {"top_fraction": 0.4}, {"mode": "long_short"}, {"max_weight": 0.15},
                    {"volatility_scaling": False}, {"rebalance": "weekly"},
                    {"macd_trend": True}, {"hold_fraction": 0.9}):
        params = dataclasses.replace(base, **changes)
        weights = target_weights(inputs, params, shared)
        pd.testing.assert_frame_equal(weights, target_weights(inputs, params), check_exact=True)
        assert not any(weights.equals(other) for other in seen), changes  # each one differs
        seen.append(weights)


def test_rebalance_list_when_no_decision_is_due_then_it_is_empty():
    inputs = generated_inputs(3, 6, 200)
    params = StrategyParams(lookback=40, skip=2, min_history=60, volatility_window=10,
                            rebalance="monthly", rsi_long_min=0.0, macd_trend=False)
    index = inputs.close.index
    assert not decision_sessions(index, "monthly")[-1]
    signals = generate_signals(inputs, params)
    assert signals.rebalance.empty
    assert signals.rebalance.columns.tolist() == ["ticker", "action", "previous_weight",
                                                  "target_weight", "reason"]


def test_weights_schema_when_a_weight_breaks_the_contract_then_mismatch_names_row_and_date():
    params = StrategyParams(max_weight=0.5)
    weights = pd.DataFrame({"AAA": [0.5, 0.5, 0.4], "BBB": [0.5, 0.5, 0.5]},
                           index=pd.DatetimeIndex(["2024-01-02", "2024-01-03", "2024-01-04"],
                                                  name="date"))
    schema = weights_schema(params, ["AAA", "BBB"])
    check_schema(schema, weights.reset_index(), "target_weights.parquet", "all")
    weights.loc["2024-01-03", "AAA"] = 0.6     # above the cap and the gross exposure
    weights.loc["2024-01-04", "BBB"] = np.nan  # not a weight
    with pytest.raises(SchemaMismatch) as error:
        check_schema(schema, weights.reset_index(), "target_weights.parquet", "all")
    message = str(error.value)
    assert "gross_exposure_within_target at row 2 (2024-01-03)" in message
    assert "column 'AAA' failed in_range" in message
    assert "column 'BBB' failed not_nullable" in message
    weights.loc[:, :] = [[0.5, 0.5], [0.5, -0.1], [0.2, 0.2]]  # a short, long-only
    with pytest.raises(SchemaMismatch, match="column 'BBB' failed in_range"):
        check_schema(schema, weights.reset_index(), "target_weights.parquet", "all")
