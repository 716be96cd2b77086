"""The zipline algorithm on real bars: fills, costs and accounting by hand, and its
agreement with the vectorised check."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from momentum_pipeline.backtest.algorithm import benchmark_returns, run_backtest
from momentum_pipeline.backtest.costs import CostModel
from momentum_pipeline.backtest import bundle as bundle_module
from momentum_pipeline.backtest.bundle import bar_ranges
from momentum_pipeline.backtest.targets import align_targets, close_ended_positions, rebalances
from momentum_pipeline.backtest.vectorised import agrees, compare, vectorised_backtest
from momentum_pipeline.foundation.calendar import sessions
from tests.unit.backtest.conftest import (BENCHMARK, JPM_END, RUN_DATE, TICKERS, cleaned,
                                          ended_market)

CAPITAL = 1_000_000.0


def backtest(bundle, plan: pd.DataFrame, simulated: pd.DatetimeIndex,
             costs: CostModel = CostModel(), capital: float = CAPITAL):
    root, manifest = bundle
    benchmark, _ = benchmark_returns(cleaned(BENCHMARK)["close"], simulated, BENCHMARK)
    return run_backtest(plan, {t: e["sid"] for t, e in manifest["tickers"].items()},
                        simulated, capital, costs, benchmark, root, RUN_DATE)


def test_backtest_when_buying_half_the_equity_then_fill_cash_and_equity_follow_the_rules(bundle):
    simulated = sessions(pd.Timestamp("2020-01-02"), pd.Timestamp("2020-01-10"))
    decided, filled, last = simulated[0], simulated[1], simulated[-1]
    bars = cleaned("AAPL").round(3)  # zipline stores prices in tenths of a cent
    shares = math.floor(0.5 * CAPITAL / bars.loc[decided, "close"])
    price = bars.loc[filled, "open"] * (1 + 5e-4)  # next open, 5 bps against the buy
    cash = CAPITAL - shares * price - shares * 0.001

    result = backtest(bundle, pd.DataFrame({"AAPL": [0.5]}, index=simulated[:1]), simulated)

    performance = result.performance
    assert performance.index.equals(simulated)
    assert performance.loc[decided, "portfolio_value"] == pytest.approx(CAPITAL)
    assert performance.loc[filled, "portfolio_value"] == pytest.approx(
        cash + shares * bars.loc[filled, "close"])
    assert performance.loc[last, "portfolio_value"] == pytest.approx(
        cash + shares * bars.loc[last, "close"])
    assert performance["commission"].sum() == pytest.approx(shares * 0.001)
    assert performance.loc[filled, "traded_value"] == pytest.approx(shares * price)
    fill = result.transactions.iloc[0]
    assert (len(result.transactions), fill["date"], fill["ticker"], fill["shares"]) == (
        1, filled, "AAPL", shares)
    assert fill["price"] == pytest.approx(price)
    order = result.orders.iloc[0]
    assert (order["order_id"], order["filled"], order["status"]) == (
        "2020-01-02-AAPL", shares, "filled")
    held = result.positions.set_index("date")
    assert held.index.equals(simulated[1:])
    np.testing.assert_allclose(held["weight"], performance["gross_exposure"].iloc[1:])


def test_backtest_when_an_order_exceeds_the_volume_limit_then_it_fills_a_tenth_of_each_session(
        bundle):
    simulated = sessions(pd.Timestamp("2020-01-02"), pd.Timestamp("2020-01-10"))
    volume = cleaned("XOM")["volume"]

    result = backtest(bundle, pd.DataFrame({"XOM": [1.0]}, index=simulated[:1]), simulated,
                      capital=1e12)

    fills = result.transactions.set_index("date")["shares"]
    assert fills.index.equals(simulated[1:])
    np.testing.assert_array_equal(fills, np.floor(0.1 * volume.loc[simulated[1:]]))
    assert result.orders["status"].tolist() == ["open"]


def momentum_weights() -> pd.DataFrame:
    """Monthly long/short: the two best 3-month returns long, the worst short, plus an
    extra decision on the eve of MSFT's filled (zero-volume) sessions."""
    closes = pd.DataFrame({t: cleaned(t)["close"] for t in TICKERS})
    score = closes / closes.shift(63) - 1
    month_ends = closes.groupby(closes.index.to_period("M")).tail(1).index
    decisions = month_ends.union(pd.DatetimeIndex(["2020-03-09"]))
    rank = score.loc[decisions].rank(axis=1, ascending=False)
    weights = (rank <= 2) * 0.4 - (rank == len(TICKERS)) * 0.3
    return weights.loc["2019-06-01":].rename_axis("date")


@pytest.mark.parametrize("fill_price", ["open", "close"])
def test_backtest_and_vectorised_check_when_trading_monthly_long_short_then_they_agree(
        bundle, fill_price):
    simulated = sessions(pd.Timestamp("2020-01-02"), pd.Timestamp(RUN_DATE))
    plan = rebalances(align_targets(momentum_weights(), simulated, where="momentum"))
    costs = CostModel(fill_price=fill_price)

    result = backtest(bundle, plan, simulated, costs)
    check = vectorised_backtest(plan, pd.DataFrame({t: cleaned(t)["open"] for t in TICKERS}),
                                pd.DataFrame({t: cleaned(t)["close"] for t in TICKERS}),
                                simulated, CAPITAL, costs)

    comparison = compare(result.performance, check)
    assert agrees(comparison), comparison
    assert (result.performance["short_value"] < 0).any()
    assert result.performance["commission"].sum() == pytest.approx(
        check["commission"].sum(), rel=0.01)


def test_vectorised_check_when_costs_are_removed_then_equity_rises_by_about_the_costs(bundle):
    simulated = sessions(pd.Timestamp("2020-01-02"), pd.Timestamp(RUN_DATE))
    plan = rebalances(align_targets(momentum_weights(), simulated, where="momentum"))
    opens = pd.DataFrame({t: cleaned(t)["open"] for t in TICKERS})
    closes = pd.DataFrame({t: cleaned(t)["close"] for t in TICKERS})

    charged = vectorised_backtest(plan, opens, closes, simulated, CAPITAL, CostModel())
    free = vectorised_backtest(plan, opens, closes, simulated, CAPITAL,
                               CostModel(commission="none", slippage_bps=0.0))

    costs = charged["commission"].sum() + charged["traded_value"].sum() * 5e-4
    gap = free["portfolio_value"].iloc[-1] - charged["portfolio_value"].iloc[-1]
    assert gap == pytest.approx(costs, rel=0.25)


def test_backtest_when_a_held_tickers_data_ends_then_zipline_closes_it_at_its_last_close(
        ended_bundle):
    simulated = sessions(pd.Timestamp("2021-05-03"), pd.Timestamp(RUN_DATE))
    weights = pd.DataFrame({"AAPL": [0.3], "JPM": [0.3]},
                           index=pd.DatetimeIndex(simulated[:1], name="date"))
    bars = ended_market()
    targets, notes = close_ended_positions(
        align_targets(weights, simulated, where="w"), bar_ranges(ended_bundle[1]),
        {t: float(b["close"].iloc[-1]) for t, b in bars.items()})
    plan = rebalances(targets)
    last_close = round(bars["JPM"]["close"].iloc[-1], 3)  # as zipline stores it

    result = backtest(ended_bundle, plan, simulated)

    assert plan.index.equals(pd.DatetimeIndex([simulated[0], JPM_END]))
    assert notes[0].startswith("JPM: data ends 2021-06-15 while held (target 30.0 % of equity)")
    shares = result.positions.set_index("date").query("ticker == 'JPM'")["shares"]
    assert shares.index[-1] == simulated[simulated.get_loc(JPM_END) - 1]
    close = result.transactions.query("ticker == 'JPM' and date == @JPM_END").iloc[0]
    assert (close["shares"], close["order_id"]) == (-shares.iloc[-1], "2021-06-15-JPM-auto-close")
    assert close["price"] == pytest.approx(last_close)
    performance = result.performance
    before = simulated[simulated.get_loc(JPM_END) - 1]
    assert performance.loc[JPM_END, "cash"] - performance.loc[before, "cash"] == pytest.approx(
        shares.iloc[-1] * last_close)
    assert performance.loc[JPM_END, "commission"] == 0.0
    assert "2021-06-15-JPM" not in set(result.orders["order_id"])
    check = vectorised_backtest(plan, pd.DataFrame({t: bars[t]["open"] for t in plan.columns}),
                                pd.DataFrame({t: bars[t]["close"] for t in plan.columns}),
                                simulated, CAPITAL, CostModel())
    assert agrees(compare(performance, check))
    assert check.loc[JPM_END, "traded_value"] == pytest.approx(
        performance.loc[JPM_END, "traded_value"], rel=1e-4)


def test_backtest_when_the_bundle_predates_auto_close_dates_then_error_says_to_ingest_again(
        tmp_path, monkeypatch):
    monkeypatch.setattr(bundle_module, "ended_tickers", lambda ranges: {})
    old = (tmp_path, bundle_module.ingest_bundle(ended_market(), tmp_path, RUN_DATE))
    simulated = sessions(pd.Timestamp("2021-06-01"), pd.Timestamp("2021-06-30"))

    with pytest.raises(ValueError, match="ticker JPM's bars end 2021-06-15, before the "
                                         "backtest's end, but the bundle gives it no "
                                         "auto_close_date"):
        backtest(old, pd.DataFrame({"JPM": [0.0]}, index=simulated[:1]), simulated)


def test_benchmark_returns_when_its_bars_end_early_then_last_sessions_are_missing_and_noted():
    closes = cleaned(BENCHMARK)["close"].loc[:"2020-01-08"]
    simulated = sessions(pd.Timestamp("2020-01-03"), pd.Timestamp("2020-01-10"))

    returns, notes = benchmark_returns(closes, simulated, BENCHMARK)

    assert returns.index.equals(simulated)
    assert returns.loc["2020-01-03"] == pytest.approx(closes.loc["2020-01-03"]
                                                      / closes.loc["2020-01-02"] - 1)
    assert returns.loc[:"2020-01-08"].notna().all()
    assert returns.loc["2020-01-09":].isna().all()
    assert notes == ["benchmark SPY ends 2020-01-08, 2 sessions before the backtest's end "
                     "2020-01-10: its figures stop there"]


def test_benchmark_returns_when_its_bars_cover_the_period_then_no_note():
    simulated = sessions(pd.Timestamp("2020-01-03"), pd.Timestamp("2020-01-10"))

    returns, notes = benchmark_returns(cleaned(BENCHMARK)["close"], simulated, BENCHMARK)

    assert returns.notna().all() and notes == []


def test_benchmark_returns_when_it_has_no_bar_before_the_start_then_error_names_it():
    closes = cleaned(BENCHMARK)["close"].loc["2020-01-06":]
    simulated = sessions(pd.Timestamp("2020-01-06"), pd.Timestamp("2020-01-10"))

    with pytest.raises(ValueError, match="benchmark SPY: no prices on the backtest's first "
                                         "session 2020-01-06 and the one before"):
        benchmark_returns(closes, simulated, BENCHMARK)
