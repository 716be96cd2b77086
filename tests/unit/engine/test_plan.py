"""ExecuteTrades' decisions around the engine: which tickers have a reference price,
which unpriced ones matter, targets under one share, holdings left alone, and the
report's header."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from momentum_pipeline.execution.plan import plan_input, report_header

SESSION = pd.Timestamp("2025-10-08")
TARGET = pd.Series({"AAA": 0.10, "BBB": 0.05, "CCC": 0.0, "DDD": 0.02, "EEE": 0.0})


def close(*values: float, last: str = "2025-10-08") -> pd.Series:
    return pd.Series(values, index=pd.date_range(end=last, periods=len(values)))


def inputs():
    closes = {"AAA": close(99.0, 100.123456), "BBB": close(40.0, last="2025-10-07"),
              "CCC": close(10.0), "ZZZ": close(5.0)}  # ZZZ: validated, not a target
    return plan_input(TARGET, SESSION, closes, {"EEE": "EEE (ValidatePrices): bad file"})


def test_plan_input_prices_the_targets_with_a_close_that_session_to_the_engine_tick():
    assert inputs().prices.to_dict() == {"AAA": 100.1235, "CCC": 10.0}


def test_plan_input_says_why_each_target_has_no_price():
    missing = inputs().missing
    assert missing["BBB"].startswith("no close for the signal session 2025-10-08")
    assert missing["DDD"] == "not in the universe's validated prices"
    assert missing["EEE"] == "excluded from the day: EEE (ValidatePrices): bad file"
    assert "ZZZ" not in missing


def test_unpriced_when_target_is_zero_and_nothing_is_held_then_it_does_not_matter():
    assert sorted(inputs().unpriced({})) == ["BBB", "DDD"]


def test_unpriced_when_an_excluded_ticker_is_held_then_it_matters():
    assert sorted(inputs().unpriced({"EEE": 30, "AAA": 5})) == ["BBB", "DDD", "EEE"]


def test_unpriced_when_an_excluded_ticker_is_outside_the_targets_and_held_then_it_matters():
    plan = plan_input(TARGET.drop("EEE"), SESSION, {}, {"EEE": "EEE: gone"})
    assert "EEE" in plan.unpriced({"EEE": 30})
    assert "EEE" not in plan.unpriced({"EEE": 0})


def test_rounds_to_zero_when_a_target_is_under_one_share_then_skipped_with_weight_price_and_why():
    # 10% of 500 dollars is 50 dollars: no whole share of AAA at 100.1235.
    assert inputs().rounds_to_zero({}, capital=500.0) == {
        "AAA": "skipped: rounds to 0 shares: target weight 10.00% of capital 500.00 is "
               "50.00 dollars, less than one share at 100.12"}


def test_rounds_to_zero_when_a_short_target_is_under_one_share_then_skipped():
    plan = plan_input(pd.Series({"AAA": -0.03}), SESSION, {"AAA": close(3_954.0)}, {})
    assert plan.rounds_to_zero({}, capital=10_000.0)["AAA"].endswith(
        "target weight -3.00% of capital 10,000.00 is 300.00 dollars, less than one share "
        "at 3,954.00")


def test_rounds_to_zero_when_one_whole_share_fits_then_nothing_is_skipped():
    assert inputs().rounds_to_zero({}, capital=1_001.235) == {}  # exactly 1 share of AAA


def test_rounds_to_zero_when_shares_are_held_then_not_skipped_as_the_sell_is_an_order():
    assert inputs().rounds_to_zero({"AAA": 3}, capital=500.0) == {}


def test_held_outside_lists_positions_outside_the_targets_only():
    assert inputs().held_outside({"AAA": 10, "QQQ": -7, "RRR": 0, "CCC": 3}) == {"QQQ": -7}


def test_report_header_records_the_run_and_the_limits_in_force():
    limits = {"max_order_notional": 150_000.0, "max_order_quantity": 100_000}
    header = report_header(day=dt.date(2025, 10, 8), session=SESSION, venue="paper",
                           capital=1e6, journal=Path("/j/journal.log"), limits=limits,
                           trading_state={"state": "REDUCING", "by": "ana"},
                           sample_data=True, provenance={"task": "t"})
    assert header["limits"] == limits
    assert header["trading_state"] == {"state": "REDUCING", "by": "ana"}
    assert header["session"] == "2025-10-08" and header["journal"] == "/j/journal.log"
    assert header["sample_data"] is True and "warning" in header
