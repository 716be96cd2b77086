"""Properties of the order engine through its Python binding, on random order flow
(hypothesis): no accepted order leaves a risk limit broken, positions equal the sum
of fills, and no book ever crosses."""

from __future__ import annotations

import math
from collections import defaultdict

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import order_engine as oe

REFERENCES = {"AAA": 100.0, "BBB": 37.5, "CCC": 512.25}
MAX_ORDER_QUANTITY = 1_500
MAX_ORDER_NOTIONAL = 120_000.0
MAX_POSITION_QUANTITY = 800
MAX_POSITION_NOTIONAL = 60_000.0
MAX_GROSS_EXPOSURE = 70_000.0
COLLAR = 0.05
RATE = 6.0  # orders per second
SLACK = 1e-9  # relative: the engine sums dollars in floating point


def engine() -> oe.Engine:
    config = oe.EngineConfig()
    limits = config.limits
    limits.max_order_quantity = MAX_ORDER_QUANTITY
    limits.max_order_notional = MAX_ORDER_NOTIONAL
    limits.max_position_quantity = MAX_POSITION_QUANTITY
    limits.max_position_notional = MAX_POSITION_NOTIONAL
    limits.max_gross_exposure = MAX_GROSS_EXPOSURE
    limits.price_collar = COLLAR
    limits.max_orders_per_second = RATE
    config.liquidity.levels = 4
    config.liquidity.level_spacing = 0.002
    config.liquidity.level_notional = 10_000.0  # 40,000 dollars a side: big orders fill in part
    config.manual_clock = True
    made = oe.Engine(config)
    for symbol, price in REFERENCES.items():
        made.set_reference_price(symbol, price)
    return made


orders = st.fixed_dictionaries({
    "symbol": st.sampled_from(sorted(REFERENCES)),
    "side": st.sampled_from([oe.Side_Buy, oe.Side_Sell]),
    "market": st.booleans(),
    "ioc": st.booleans(),
    "quantity": st.integers(1, 2_500),
    "offset": st.floats(-0.08, 0.08),  # limit against the reference, fraction
})
actions = st.one_of(
    *[orders] * 8,  # mostly orders, between session ends and waits
    st.just("end_of_day"),
    st.integers(1, 1_000_000_000).map(lambda ns: ("wait", ns)),
)


def new_order(number: int, order: dict) -> oe.NewOrder:
    reference = REFERENCES[order["symbol"]]
    sign = 1 if order["side"] == oe.Side_Buy else -1
    limit = None if order["market"] else round(reference * (1 + sign * order["offset"]), 2)
    tif = oe.TimeInForce_Ioc if order["ioc"] or order["market"] else oe.TimeInForce_Day
    return oe.new_order(f"P-{number}", order["symbol"], order["side"], order["quantity"],
                        limit, tif)


def worst_price(order: oe.NewOrder) -> float:
    """The price an order may trade at: its limit, or a market order's collar edge."""
    if order.type == oe.OrderType_Limit:
        return order.limit_price
    reference = REFERENCES[order.symbol]
    return reference * (1 + COLLAR) if order.side == oe.Side_Buy else reference * (1 - COLLAR)


def books_uncrossed(made: oe.Engine) -> bool:
    for symbol in REFERENCES:
        top = made.book_top(symbol)
        if not (math.isnan(top.bid_price) or math.isnan(top.ask_price)
                or top.bid_price < top.ask_price):
            return False
    return True


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, min_size=20, max_size=60))
def test_random_flow_keeps_limits_positions_and_books(flow):
    made = engine()
    from_fills: dict[str, int] = defaultdict(int)
    filled_by_order: dict[str, int] = defaultdict(int)
    accepted_at: list[int] = []
    now = 0
    for number, action in enumerate(flow):
        if action == "end_of_day":
            for report in made.end_of_day():
                assert report.status == oe.OrderStatus_Expired
        elif isinstance(action, tuple):
            made.advance_clock(action[1])
            now += action[1]
        else:
            order = new_order(number, action)
            report = made.submit(order)
            event(oe.order_status_name(report.status) + " " + oe.reject_reason_name(report.reason))
            for fill in report.fills:
                sign = 1 if fill.side == oe.Side_Buy else -1
                from_fills[fill.symbol] += sign * fill.quantity
                filled_by_order[fill.client_order_id] += fill.quantity
            if report.status == oe.OrderStatus_Rejected:
                assert report.message and not report.fills
            else:
                accepted_at.append(now)
                assert order.quantity <= MAX_ORDER_QUANTITY
                assert order.quantity * worst_price(order) <= MAX_ORDER_NOTIONAL * (1 + SLACK)
                if order.type == oe.OrderType_Limit:
                    reference = REFERENCES[order.symbol]
                    assert abs(order.limit_price - reference) <= COLLAR * reference * (1 + SLACK)
            assert report.filled_quantity == filled_by_order[order.client_order_id]
            assert report.filled_quantity <= order.quantity
        positions = dict(made.positions())
        for symbol, shares in positions.items():
            assert abs(shares) <= MAX_POSITION_QUANTITY
            assert abs(shares) * REFERENCES[symbol] <= MAX_POSITION_NOTIONAL * (1 + SLACK)
        gross = sum(abs(s) * REFERENCES[t] for t, s in positions.items())
        assert gross <= MAX_GROSS_EXPOSURE * (1 + SLACK)
        assert gross <= made.gross_exposure() * (1 + SLACK) + 1e-6  # open orders only add
        assert books_uncrossed(made)
    assert dict(made.positions()) == {s: from_fills[s] for s in REFERENCES}
    # The throttle: a burst of RATE, then RATE a second, in any window of accepted orders.
    for i, start in enumerate(accepted_at):
        for j in range(i, len(accepted_at)):
            window = (accepted_at[j] - start) / 1e9
            assert j - i + 1 <= RATE + RATE * window + 1e-9
