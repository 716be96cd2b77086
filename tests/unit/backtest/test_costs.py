"""The cost model: fill prices, commissions and checked settings."""

from __future__ import annotations

import numpy as np
import pytest

from momentum_pipeline.backtest.costs import CostModel


def test_execution_price_when_buying_or_selling_then_slippage_goes_against_the_trade():
    costs = CostModel(slippage_bps=10.0)

    assert costs.execution_price(100.0, 5) == pytest.approx(100.10)
    assert costs.execution_price(100.0, -5) == pytest.approx(99.90)
    np.testing.assert_allclose(costs.execution_price(np.array([50.0, 50.0]), np.array([1, -1])),
                               [50.05, 49.95])


@pytest.mark.parametrize(("commission", "rate", "expected"), [
    ("per_share", 0.005, 300 * 0.005),
    ("per_dollar", 0.001, 300 * 20.0 * 0.001),
    ("none", 0.5, 0.0),
])
def test_commission_when_selling_300_shares_at_20_dollars_then_the_model_charges_dollars(
        commission, rate, expected):
    costs = CostModel(commission=commission, commission_rate=rate)

    assert costs.commission_dollars(-300, 20.0) == pytest.approx(expected)


@pytest.mark.parametrize(("settings", "message"), [
    ({"commission": "per_lot"}, "commission 'per_lot'"),
    ({"fill_price": "vwap"}, "fill_price 'vwap'"),
    ({"slippage_bps": -1.0}, "slippage_bps must be a finite number >= 0, got -1.0"),
    ({"commission_rate": float("nan")}, "commission_rate"),
    ({"volume_limit": 0.0}, r"volume_limit must be a fraction in \(0, 1\], got 0.0"),
    ({"volume_limit": 1.5}, "volume_limit"),
])
def test_cost_model_when_a_setting_is_invalid_then_error_names_it(settings, message):
    with pytest.raises(ValueError, match=message):
        CostModel(**settings)
