"""Orders from target weights: what moves today's positions to the run date's targets.

Sizes are whole shares, ``trunc(weight * capital / close)`` (toward zero, so no
position exceeds its target weight, long or short), minus the shares held. Orders
are marketable DAY limit orders halfway to the price collar: they cross the spread
at once on the paper venue, and a limit caps what a thin book can cost.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping

import pandas as pd

#: The order engine prices in ticks of 1/10,000 dollar.
ENGINE_PRICE_DECIMALS = 4
ORDER_COLUMNS = ["client_order_id", "ticker", "side", "quantity", "limit_price",
                 "reference_price", "target_weight", "current_shares", "target_shares"]


def client_order_id(day: dt.date, ticker: str, side: str,
                    refused: Collection[str] = ()) -> str:
    """``<date>-<ticker>-<side>-<n>``: a rerun of the same day derives the same ids, so
    the journal recognises the orders it already sent. ``n`` is 1, or the first number
    after the ids the venue refused outright (``refused``: rejected, nothing filled):
    such an order goes again once its cause is fixed, under an id never sent."""
    sequence = 1
    while (candidate := f"{day.isoformat()}-{ticker}-{side}-{sequence}") in refused:
        sequence += 1
    return candidate


def limit_price(reference: float, side: str, collar: float) -> float:
    """Dollars: ``reference * (1 +- collar / 2)`` on the price grid (cents, or 1/10,000
    below a dollar as Reg NMS allows), rounded toward the reference: inside the collar,
    still through the spread."""
    tick = 0.01 if reference >= 1.0 else 0.0001
    if side == "BUY":
        steps = math.floor(reference * (1 + collar / 2) / tick)
    else:
        steps = max(1, math.ceil(reference * (1 - collar / 2) / tick))
    return round(steps * tick, ENGINE_PRICE_DECIMALS)


def target_shares(weight: float, capital: float, price: float) -> int:
    """Whole shares worth ``weight`` of ``capital`` at ``price``, rounded toward zero."""
    return math.trunc(weight * capital / price)


def session_targets(weights: pd.DataFrame, session: pd.Timestamp, where: str) -> pd.Series:
    """The last row of the target weights (fractions of capital by ticker), refused
    unless it is ``session``'s and finite: orders never follow stale or broken signals.
    ``where`` names the file in errors."""
    last = weights.index[-1] if len(weights) else None
    if last != session:
        seen = "no rows" if last is None else f"its last row is {last.date()}"
        raise ValueError(f"{where}: {seen}, expected the run date's session {session.date()}: "
                         "stale signals. Nothing was sent.")
    target = weights.iloc[-1]
    not_finite = [t for t, w in target.items() if not math.isfinite(w)]
    if not_finite:
        raise ValueError(f"{where}: target weights of {session.date()} are not finite for "
                         f"{', '.join(not_finite)}. Nothing was sent.")
    return target


def reference_prices(closes: Mapping[str, pd.Series],
                     session: pd.Timestamp) -> tuple[pd.Series, dict[str, str]]:
    """The close of ``session`` per ticker in dollars, to the engine's tick (1/10,000),
    and the tickers that have none with why: a close from another day would size and
    price orders on stale data."""
    prices: dict[str, float] = {}
    missing: dict[str, str] = {}
    for ticker, close in closes.items():
        last = close.index[-1] if len(close) else None
        if last != session:
            seen = "no bars" if last is None else f"its last close is from {last.date()}"
            missing[ticker] = f"no close for the signal session {session.date()}: {seen}"
        elif not (math.isfinite(close.iloc[-1]) and close.iloc[-1] > 0):
            missing[ticker] = f"close {close.iloc[-1]!r} on {session.date()} is not a price"
        else:
            prices[ticker] = round(float(close.iloc[-1]), ENGINE_PRICE_DECIMALS)
    return pd.Series(prices, dtype="float64"), missing


def plan_orders(day: dt.date, target: pd.Series, prices: pd.Series,
                positions: Mapping[str, int], capital: float, collar: float,
                refused: Collection[str] = ()) -> pd.DataFrame:
    """One order per priced ticker whose target shares differ from its position, sells
    first (they free capital), then by ticker. ``target``: weights (fraction of
    capital) by ticker; ``prices``: reference closes; ``positions``: shares held;
    ``refused``: ids the venue refused outright (:func:`client_order_id`)."""
    rows = []
    for ticker in target.index.intersection(prices.index):
        price = float(prices[ticker])
        weight = float(target[ticker])
        held = int(positions.get(ticker, 0))
        wanted = target_shares(weight, capital, price)
        if wanted == held:
            continue
        side = "BUY" if wanted > held else "SELL"
        rows.append({"client_order_id": client_order_id(day, ticker, side, refused),
                     "ticker": ticker, "side": side, "quantity": abs(wanted - held),
                     "limit_price": limit_price(price, side, collar), "reference_price": price,
                     "target_weight": weight, "current_shares": held, "target_shares": wanted})
    plan = pd.DataFrame(rows, columns=ORDER_COLUMNS)
    return plan.sort_values(["side", "ticker"], ascending=[False, True], ignore_index=True)
