"""SweepStrategy on the real data of a small universe: its configuration equal to the
daily strategy reproduces the backtest's vectorised returns exactly, a widened grid
computes only its new points, and the report says DSR and PBO in words."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from momentum_pipeline.backtest.checked_run import Market, trade_plan, vectorised_performance
from momentum_pipeline.foundation.frames import read_parquet
from momentum_pipeline.research.sweep import configuration_key
from momentum_pipeline.strategy import load_strategy
from tests.conftest import REAL_OHLCV, REPO, run_cli

DATE = "2025-10-08"
UNIVERSE = "AAPL,MSFT,NVDA,JPM,XOM,TSLA,KO,PEP,WMT,UNH"
GRID = 'holdout_start = "2023-01-03"\n[grid]\nlookback = [126, 252]\nskip = [21]\n'


def sweep(root: Path, grid: Path):
    result = run_cli("SweepStrategy", "--local-scheduler", "--date", DATE, "--paths-root", str(root),
                     "--universe-tickers", UNIVERSE, "--sweep-grid-file", str(grid),
                     "--data-source", "csv", "--data-csv-dir", str(REAL_OHLCV))
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads((root / "research" / DATE / "sweep.json").read_text())


def test_sweep_strategy_when_run_then_reproduces_the_backtest_and_caches_each_configuration(tmp_path):
    root, grid = tmp_path / "var", tmp_path / "grid.toml"
    grid.write_text(GRID)
    summary = sweep(root, grid)
    assert (summary["configurations"], summary["computed"]) == (2, 2)
    assert 0 <= summary["probability_of_backtest_overfitting"] <= 1
    assert 0 <= summary["deflated_sharpe_ratio"] <= 1
    base = configuration_key(load_strategy(REPO / "config" / "strategy" / "momentum.toml"))
    assert summary["base"] == base
    confirmation = summary["zipline_confirmation"]
    assert confirmation["vectorised_check"]["agrees"] is True
    assert confirmation["period"] == ["2015-01-02", DATE] and confirmation["sharpe"] is not None

    # The daily strategy's configuration: the returns of the backtest's vectorised check,
    # recomputed here from GenerateSignals' own weights file.
    from tasks.config import backtest

    manifest = json.loads((root / "zipline" / DATE / "bundle.json").read_text())
    config = backtest().settings().config(dt.date.fromisoformat(DATE), "SPY")
    weights = read_parquet(root / "signals" / DATE / "target_weights.parquet")
    market = Market.of(manifest, lambda t: read_parquet(root / "data" / "cleaned" / DATE / f"{t}.parquet"),
                       config, list(weights.columns))
    plan, _ = trade_plan(weights, market, "signals")
    backtested = vectorised_performance(plan, market, config)["returns"]
    swept = read_parquet(root / "research" / DATE / "returns" / f"{base}.parquet")["returns"]
    pd.testing.assert_series_equal(swept, backtested, check_exact=True, check_names=False,
                                   check_freq=False)

    html = (root / "research" / DATE / "sweep_report.html").read_text()
    assert "the best of 2 configurations has a" in html and "chance of being an overfit" in html
    assert "Deflated Sharpe ratio" in html and "Survivorship bias" in html
    assert "Confirmed by zipline" in html and "the vectorised engine agrees" in html
    assert (root / "research" / DATE / "sweep_report.pdf").read_bytes().startswith(b"%PDF")

    grid.write_text(GRID.replace("[126, 252]", "[126, 189, 252]"))
    widened = sweep(root, grid)
    assert (widened["configurations"], widened["computed"]) == (3, 1)
