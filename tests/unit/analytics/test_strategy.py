"""The strategy file: defaults as documented, and errors that name the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from momentum_pipeline.strategy import StrategyParams, load_strategy
from tests.conftest import REPO

SHIPPED = REPO / "config" / "strategy" / "momentum.toml"


def test_strategy_file_when_shipped_then_long_only_fully_invested_monthly_12_1_momentum():
    params = load_strategy(SHIPPED)
    assert params.mode == "long_only"
    assert params.gross_exposure == 1.0
    assert (params.lookback, params.skip, params.rebalance) == (252, 21, "monthly")
    assert params.min_history >= 252 + 21


def test_strategy_file_when_keys_are_missing_then_defaults_apply(tmp_path: Path):
    path = tmp_path / "short.toml"
    path.write_text('mode = "long_short"\n[sizing]\nmax_weight = 0.05\n')
    params = load_strategy(path)
    assert params.long_short and params.max_weight == 0.05
    assert params.lookback == StrategyParams().lookback


@pytest.mark.parametrize("text, named", [
    ("[selection]\ntop_fractoin = 0.3\n", "selection.top_fractoin: unknown key"),
    ("[sizing]\nmax_weight = \"ten\"\n", "sizing.max_weight: expected float"),
    ("[momentum]\nlookback = 2.5\n", "momentum.lookback: expected int"),
    ("[confirmation]\nmacd_trend = 1\n", "confirmation.macd_trend: expected bool"),
    ("momentum = 3\n", r"\[momentum\] must be a table"),
    ("[momentum]\nlookback = 300\n", "min_history=273: expected >= 301"),
    ('mode = "both"\n', "mode='both'"),
    ("[sizing]\nmax_weight = 1.5\n", "max_weight=1.5"),
    ("[selection]\nhold_fraction = 0.1\n", "hold_fraction=0.1"),
    ("lookback = [\n", "not valid TOML"),
])
def test_strategy_file_when_a_value_is_wrong_then_error_names_file_and_key(tmp_path: Path, text,
                                                                            named):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=named) as error:
        load_strategy(path)
    assert str(path) in str(error.value)


def test_strategy_file_when_missing_then_error_names_the_path(tmp_path: Path):
    with pytest.raises(ValueError, match="strategy file not found"):
        load_strategy(tmp_path / "nowhere.toml")
