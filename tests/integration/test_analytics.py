"""CalculateMetrics, BuildFeatures and GenerateSignals run by Luigi: real prices, the
sample market, recompute, rerun and a bad strategy file on the command line."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import talib

from momentum_pipeline.foundation.frames import read_provenance
from momentum_pipeline.strategy import load_strategy
from tasks.config import CONFIG_DIR
from tasks.features import BuildFeatures
from tasks.metrics import CalculateMetrics
from tasks.signals import GenerateSignals
from tasks.validate import ValidatePrices
from tests.conftest import REAL_OHLCV, run_cli, run_tasks

DATE = dt.date(2024, 12, 31)  # GEV (listed 2024-03-27) has 193 sessions: too few
TICKERS = ("AAPL", "GEV", "JPM", "KO", "MSFT", "NVDA", "XOM")


def _use_real_data(pipeline_config, tickers=TICKERS) -> None:
    pipeline_config.set("data", "source", "csv")
    pipeline_config.set("data", "csv_dir", REAL_OHLCV)
    pipeline_config.set("universe", "tickers", ",".join(tickers))


def _analytics_tasks(date=DATE, tickers=TICKERS):
    return [GenerateSignals(date=date), *(CalculateMetrics(date=date, ticker=t) for t in tickers)]


def _outputs(data_root: Path, date=DATE) -> list[Path]:
    day = date.isoformat()
    return sorted([*(data_root / "features" / day).glob("*.parquet"),
                   *(data_root / "data" / "processed" / day).glob("*_metrics.*"),
                   *(data_root / "signals" / day).iterdir()])


def _content(output: Path) -> bytes | dict[str, bytes]:
    """An output's bytes: a file's, or each part's of a frame stored as a folder."""
    if output.is_dir():
        return {part.name: part.read_bytes() for part in sorted(output.iterdir())}
    return output.read_bytes()


def test_analytics_when_run_on_real_data_with_two_workers_then_outputs_meet_the_contracts(
        pipeline_config, data_root):
    _use_real_data(pipeline_config)
    # Metrics and features need only the validated bars, so workers run them side by side.
    for task in (CalculateMetrics(date=DATE, ticker="KO"), BuildFeatures(date=DATE, ticker="KO")):
        assert task.requires() == ValidatePrices(date=DATE, ticker="KO")
    assert run_tasks(*_analytics_tasks(), workers=2).scheduling_succeeded

    signals = data_root / "signals" / DATE.isoformat()
    weights = pd.read_parquet(signals / "target_weights.parquet")
    assert weights.index.name == "date" and weights.index[-1] == pd.Timestamp(DATE)
    assert weights.index.is_monotonic_increasing and weights.index.is_unique
    assert weights.columns.tolist() == sorted(TICKERS)
    assert np.isfinite(weights.to_numpy()).all()
    assert (weights["GEV"] == 0).all()
    params = load_strategy(CONFIG_DIR / "strategy" / "momentum.toml")
    assert (weights.abs() <= params.max_weight + 1e-12).all().all()
    assert (weights.sum(axis=1) <= params.gross_exposure + 1e-9).all()
    provenance = read_provenance(signals / "target_weights.parquet")
    assert provenance.parameters["strategy"] == params.to_dict()
    assert provenance.parameters["strategy_file"] == "momentum.toml"
    assert provenance.inputs["tickers"] == sorted(TICKERS)
    assert provenance.source == "csv" and not provenance.sample_data

    excluded = json.loads((signals / "excluded.json").read_text())
    assert excluded["date"] == DATE.isoformat() and excluded["sample_data"] is False
    assert list(excluded["excluded"]) == ["GEV"]
    assert "too little history" in excluded["excluded"]["GEV"]
    log = (data_root / "logs" / "GenerateSignals.log").read_text()
    assert "GEV: no signal on 2024-12-31: too little history" in log
    orders = pd.read_csv(signals / "rebalance.csv")
    assert orders.columns.tolist() == ["ticker", "action", "previous_weight", "target_weight",
                                       "reason"]
    before, after = weights.iloc[-2], weights.iloc[-1]
    assert sorted(orders["ticker"]) == sorted(after.index[after != before])

    features_path = data_root / "features" / DATE.isoformat() / "NVDA.parquet"
    features = pd.read_parquet(features_path)
    assert set(features.dtypes) == {np.dtype("float64")}
    assert read_provenance(features_path).parameters["macd_slow"] == 26
    cleaned = pd.read_parquet(data_root / "data" / "cleaned" / DATE.isoformat() / "NVDA.parquet")
    np.testing.assert_allclose(features["rsi"], talib.RSI(cleaned["close"].to_numpy(), 14),
                               rtol=0, atol=1e-9)

    processed = data_root / "data" / "processed" / DATE.isoformat()
    metrics = pd.read_parquet(processed / "KO_metrics.parquet")
    assert {"return", "log_return", "volatility_21", "ma_20", "ma_50", "ma_200",
            "drawdown"} <= set(metrics.columns)
    summary = json.loads((processed / "KO_metrics.json").read_text())
    assert summary["ticker"] == "KO" and summary["last_date"] == DATE.isoformat()
    assert summary["max_drawdown"] == metrics["drawdown"].min() < 0


def test_analytics_when_recomputed_then_bytes_are_identical_and_a_rerun_does_no_work(
        pipeline_config, data_root):
    _use_real_data(pipeline_config, tickers=("AAPL", "KO", "XOM"))
    tasks = _analytics_tasks(tickers=("AAPL", "KO", "XOM"))
    assert run_tasks(*tasks).scheduling_succeeded
    first = {path: _content(path) for path in _outputs(data_root)}
    assert len(first) == 3 + 3 * 2 + 3

    stamps = {path: path.stat().st_mtime_ns for path in first}
    assert run_tasks(*tasks).scheduling_succeeded
    assert {path: path.stat().st_mtime_ns for path in first} == stamps

    for path in first:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    assert run_tasks(*tasks).scheduling_succeeded
    assert {path: _content(path) for path in _outputs(data_root)} == first


def test_analytics_when_data_is_sample_then_outputs_say_sample_data(pipeline_config, data_root,
                                                                    tmp_path):
    strategy = tmp_path / "daily.toml"
    # Daily decisions and a loose cap, so the run date has orders to label.
    strategy.write_text('[selection]\nrebalance = "daily"\n[sizing]\nmax_weight = 0.6\n')
    pipeline_config.set("signals", "strategy_file", strategy)
    pipeline_config.set("universe", "tickers", "AAPL,MSFT,JPM,XOM,KO,PG")
    date = dt.date(2015, 6, 30)
    assert run_tasks(*_analytics_tasks(date, ("AAPL",))).scheduling_succeeded

    signals = data_root / "signals" / date.isoformat()
    excluded = json.loads((signals / "excluded.json").read_text())
    assert excluded["sample_data"] is True and "SAMPLE DATA" in excluded["warning"]
    orders = pd.read_csv(signals / "rebalance.csv")
    assert len(orders) > 0 and orders["reason"].str.startswith("SAMPLE DATA").all()
    assert read_provenance(signals / "target_weights.parquet").sample_data
    summary = json.loads((data_root / "data" / "processed" / date.isoformat()
                          / "AAPL_metrics.json").read_text())
    assert summary["sample_data"] is True and "SAMPLE DATA" in summary["warning"]


def test_analytics_cli_when_strategy_file_is_wrong_then_signals_fail_naming_file_and_key(
        tmp_path):
    strategy = tmp_path / "typo.toml"
    strategy.write_text("[sizing]\nmax_wieght = 0.2\n")
    root = tmp_path / "var"
    result = run_cli("GenerateSignals", "--local-scheduler", "--date", "2024-06-28",
                     "--paths-root", str(root), "--data-source", "csv",
                     "--data-csv-dir", str(REAL_OHLCV), "--universe-tickers", "AAPL,KO",
                     "--features-rsi-length", "7", "--signals-strategy-file", str(strategy))
    message = f"{strategy}: sizing.max_wieght: unknown key"
    assert message in result.stderr
    assert message in (root / "logs" / "alerts.log").read_text()
    assert not (root / "signals").exists()
    # The features ran before, with the window given on the command line.
    features_path = root / "features" / "2024-06-28" / "KO.parquet"
    assert read_provenance(features_path).parameters["rsi_length"] == 7
    close = pd.read_parquet(root / "data" / "cleaned" / "2024-06-28" / "KO.parquet")["close"]
    np.testing.assert_allclose(pd.read_parquet(features_path)["rsi"],
                               talib.RSI(close.to_numpy(), 7), rtol=0, atol=1e-9)
