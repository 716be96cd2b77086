"""Orders from target weights: sizes, sides, prices, ids, and tickers without a close."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from momentum_pipeline.execution.orders import (client_order_id, limit_price, plan_orders,
                                                reference_prices, session_targets,
                                                target_shares)

DAY = dt.date(2025, 10, 8)
SESSION = pd.Timestamp(DAY)


def test_client_order_id_derives_from_date_ticker_side_and_the_ids_the_venue_refused():
    assert client_order_id(DAY, "BRK-B", "SELL") == "2025-10-08-BRK-B-SELL-1"
    assert client_order_id(DAY, "BRK-B", "SELL") == client_order_id(DAY, "BRK-B", "SELL")
    refused = {"2025-10-08-BRK-B-SELL-1", "2025-10-08-BRK-B-SELL-2"}
    assert client_order_id(DAY, "BRK-B", "SELL", refused) == "2025-10-08-BRK-B-SELL-3"
    assert client_order_id(DAY, "BRK-B", "BUY", refused) == "2025-10-08-BRK-B-BUY-1"


@pytest.mark.parametrize("reference", [0.37, 12.345, 258.06, 4321.99])
def test_limit_price_crosses_the_spread_and_stays_inside_the_collar(reference):
    collar = 0.05
    buy, sell = limit_price(reference, "BUY", collar), limit_price(reference, "SELL", collar)
    assert reference < buy <= reference * (1 + collar)
    assert reference * (1 - collar) <= sell < reference
    decimals = 2 if reference >= 1 else 4  # cents, sub-penny below a dollar
    assert round(buy, decimals) == buy and round(sell, decimals) == sell


def test_target_shares_round_toward_zero_on_both_sides():
    assert target_shares(0.10, 1_000_000, 258.06) == 387  # 387.5
    assert target_shares(-0.05, 1_000_000, 33.0) == -1515  # -1515.15: no more short than asked
    assert target_shares(0.0, 1_000_000, 10.0) == 0


def test_plan_orders_moves_positions_to_targets_sells_first():
    target = pd.Series({"AAA": 0.10, "BBB": 0.0, "CCC": -0.05, "DDD": 0.02, "EEE": 0.01})
    prices = pd.Series({"AAA": 100.0, "BBB": 50.0, "CCC": 20.0, "DDD": 10.0})
    positions = {"AAA": 400, "BBB": 300, "DDD": 2_000, "ZZZ": 7}
    plan = plan_orders(DAY, target, prices, positions, capital=1_000_000, collar=0.04)
    assert plan[["ticker", "side", "quantity"]].values.tolist() == [
        ["BBB", "SELL", 300], ["CCC", "SELL", 2_500], ["AAA", "BUY", 600]]
    assert plan["client_order_id"].tolist() == [
        "2025-10-08-BBB-SELL-1", "2025-10-08-CCC-SELL-1", "2025-10-08-AAA-BUY-1"]
    aaa = plan.set_index("ticker").loc["AAA"]
    assert (aaa["current_shares"], aaa["target_shares"], aaa["limit_price"]) == (400, 1_000, 102.0)


def test_plan_orders_when_positions_match_targets_then_no_orders():
    target = pd.Series({"AAA": 0.10})
    plan = plan_orders(DAY, target, pd.Series({"AAA": 100.0}), {"AAA": 1_000}, 1_000_000, 0.05)
    assert plan.empty and list(plan.columns)[:3] == ["client_order_id", "ticker", "side"]


def test_reference_prices_keeps_closes_of_the_session_and_says_why_others_are_missing():
    closes = {
        "AAA": pd.Series([10.0, 258.05999756], index=pd.to_datetime(["2025-10-07", "2025-10-08"])),
        "OLD": pd.Series([5.0], index=pd.to_datetime(["2025-10-07"])),
        "NAN": pd.Series([math.nan], index=pd.to_datetime(["2025-10-08"])),
        "NONE": pd.Series([], dtype="float64", index=pd.DatetimeIndex([])),
    }
    prices, missing = reference_prices(closes, SESSION)
    assert prices.to_dict() == {"AAA": 258.06}  # to the engine's 1/10,000 dollar
    assert missing["OLD"] == "no close for the signal session 2025-10-08: its last close is from 2025-10-07"
    assert "no bars" in missing["NONE"]
    assert "is not a price" in missing["NAN"]


def test_session_targets_are_the_last_row_when_it_is_the_session_and_finite():
    index = pd.to_datetime(["2025-10-07", "2025-10-08"])
    weights = pd.DataFrame({"AAA": [0.2, 0.1], "BBB": [0.0, -0.05]}, index=index)
    assert session_targets(weights, SESSION, "w.parquet").to_dict() == {"AAA": 0.1, "BBB": -0.05}
    with pytest.raises(ValueError, match="w.parquet: its last row is 2025-10-07.*stale signals"):
        session_targets(weights.iloc[:1], SESSION, "w.parquet")
    with pytest.raises(ValueError, match="w.parquet: no rows"):
        session_targets(weights.iloc[:0], SESSION, "w.parquet")
    with pytest.raises(ValueError, match="not finite for BBB"):
        session_targets(weights.assign(BBB=[0.0, math.inf]), SESSION, "w.parquet")
