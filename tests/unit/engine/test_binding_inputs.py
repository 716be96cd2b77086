"""Bad input from Python never crashes the process: it raises a Python exception that
names what is wrong, and the engine keeps working afterwards."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import order_engine as oe


@pytest.fixture
def engine() -> oe.Engine:
    config = oe.EngineConfig()
    config.limits.price_collar = 0.05
    made = oe.Engine(config)
    made.set_reference_price("AAPL", 100.0)
    return made


def buy(client_order_id: str = "T-1", **fields) -> oe.NewOrder:
    order = oe.new_order(client_order_id, "AAPL", oe.Side_Buy, 10, 101.0)
    for name, value in fields.items():
        setattr(order, name, value)
    return order


def still_trades(engine: oe.Engine) -> bool:
    return engine.submit(buy("OK-1")).status == oe.OrderStatus_Filled


@pytest.mark.parametrize(("fields", "says"), [
    ({"limit_price": math.nan}, "price nan"),
    ({"limit_price": math.inf}, "price inf"),
    ({"limit_price": -3.0}, "price -3"),
    ({"limit_price": 1e300}, "price 1e+300"),
    ({"quantity": -5}, "quantity -5"),
    ({"quantity": 0}, "quantity 0"),
    ({"quantity": 2**62}, "quantity 4611686018427387904"),
    ({"symbol": "ZZZZ"}, "unknown symbol 'ZZZZ'"),
    ({"client_order_id": "has space"}, "client order id 'has space'"),
    ({"client_order_id": "x" * 65}, "client order id"),
    ({"client_order_id": ""}, "client order id ''"),
    ({"side": 7}, "side 7"),
])
def test_submit_when_a_field_is_invalid_then_value_error_names_it(engine, fields, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        engine.submit(buy(**fields))
    assert engine.position("AAPL") == 0
    assert still_trades(engine)


@pytest.mark.parametrize(("field", "value", "error"), [
    ("quantity", 2**70, OverflowError),
    ("quantity", 1.5, TypeError),
    ("limit_price", "101", TypeError),
    ("side", 2**40, OverflowError),
    ("client_order_id", None, TypeError),
])
def test_setting_a_field_to_a_value_of_the_wrong_type_raises(field, value, error):
    with pytest.raises(error):
        setattr(oe.NewOrder(), field, value)


def test_reference_price_when_not_a_price_then_value_error(engine):
    for bad in (math.nan, 0.0, -1.0, 1e12):
        with pytest.raises(ValueError, match="reference price of AAPL"):
            engine.set_reference_price("AAPL", bad)
    assert still_trades(engine)


def test_queries_on_unknown_symbols_raise_value_error(engine):
    for query in (engine.position, engine.book_top, engine.symbol_id):
        with pytest.raises(ValueError, match="unknown symbol 'MSFT'"):
            query("MSFT")


def test_invalid_risk_limits_are_refused_naming_the_limit():
    config = oe.EngineConfig()
    config.limits.max_order_notional = math.nan
    with pytest.raises(ValueError, match="max_order_notional"):
        oe.Engine(config)
    config = oe.EngineConfig()
    config.liquidity.levels = 0
    with pytest.raises(ValueError, match="liquidity levels"):
        oe.Engine(config)


def test_journal_path_that_cannot_be_opened_raises_os_error(tmp_path):
    config = oe.EngineConfig()
    config.journal_path = str(tmp_path / "missing" / "journal.log")
    with pytest.raises(OSError, match="missing/journal.log: cannot open"):
        oe.Engine(config)


def test_a_closed_engine_refuses_with_runtime_error(engine):
    engine.close()
    with pytest.raises(RuntimeError, match="closed"):
        engine.submit(buy())
    with pytest.raises(RuntimeError, match="closed"):
        engine.book_top("AAPL")


@settings(max_examples=300, deadline=None)
@given(client_order_id=st.text(max_size=70), symbol=st.text(max_size=8),
       side=st.integers(-3, 300), quantity=st.integers(-2**70, 2**70),
       limit_price=st.floats(allow_nan=True, allow_infinity=True),
       market=st.booleans())
def test_garbage_orders_raise_or_are_answered_and_never_crash(client_order_id, symbol, side,
                                                              quantity, limit_price, market):
    config = oe.EngineConfig()
    engine = oe.Engine(config)
    engine.set_reference_price("AAPL", 100.0)
    try:
        order = oe.new_order(client_order_id, symbol, side, quantity,
                             None if market else limit_price)
        report = engine.submit(order)
    except (ValueError, OverflowError, TypeError) as error:
        assert str(error)
    else:
        assert report.client_order_id == client_order_id
        assert 0 <= report.filled_quantity <= quantity
    assert still_trades(engine)
