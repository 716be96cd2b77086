"""BacktestStrategy on real bars whose data ends early: a held ticker whose bars stop
mid-month (as a delisting's would) is closed at its last close, in zipline and in the
vectorised check alike, and a benchmark whose bars stop before the backtest's end is
missing there, never flat. Both are noted in ``summary.json`` and the task's log."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from luigi.execution_summary import LuigiStatusCode

from momentum_pipeline.foundation.frames import read_parquet
from tasks.backtest import BacktestStrategy
from tests.conftest import REAL_OHLCV, PipelineConfig, run_tasks

DATE = dt.date(2024, 6, 28)
TICKERS = ("AAPL", "JPM", "KO", "MSFT", "NVDA", "PG", "XOM")
FIRST_DATE = "2021-01-04"
#: JPM is held from the July 2023 decision on; its bars stop in the middle of August.
JPM_END = pd.Timestamp("2023-08-15")
#: SPY's bars stop three sessions before the run date's.
SPY_END = pd.Timestamp("2024-06-25")


def write_csv_dir(folder: Path) -> Path:
    """The real CSV files of the tickers and SPY from FIRST_DATE, JPM and SPY cut short
    (in the test's own folder: real data never goes into the repository)."""
    folder.mkdir()
    ends = {"JPM": JPM_END, "SPY": SPY_END}
    for ticker in (*TICKERS, "SPY"):
        raw = pd.read_csv(REAL_OHLCV / f"{ticker}.csv", parse_dates=["Date"])
        kept = (raw["Date"] >= FIRST_DATE) & (raw["Date"] <= ends.get(ticker, pd.Timestamp(DATE)))
        raw.loc[kept].to_csv(folder / f"{ticker}.csv", index=False, date_format="%Y-%m-%d")
    return folder


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """A data root with the backtest of the cut-short market done."""
    base = tmp_path_factory.mktemp("data_ends")
    config = PipelineConfig()
    settings = {("paths", "root"): base / "var", ("data", "source"): "csv",
                ("data", "csv_dir"): write_csv_dir(base / "ohlcv"), ("data", "start"): FIRST_DATE,
                ("universe", "tickers"): ",".join(TICKERS), ("backtest", "start"): "2022-03-01"}
    for (section, option), value in settings.items():
        config.set(section, option, value)
    try:
        result = run_tasks(BacktestStrategy(date=DATE), workers=2)
    finally:
        config.restore()
    assert result.status == LuigiStatusCode.SUCCESS, result.summary_text
    return base / "var"


def output(root: Path, name: str) -> Path:
    return root / "backtest_results" / DATE.isoformat() / name


def test_backtest_strategy_when_a_held_tickers_data_ends_then_zipline_closes_it_at_its_last_close(
        root):
    positions = read_parquet(output(root, "positions.parquet"))
    transactions = read_parquet(output(root, "transactions.parquet"))
    performance = read_parquet(output(root, "performance.parquet"))
    held = positions.loc[positions["ticker"] == "JPM"].set_index("date")["shares"]
    last_close = pd.read_csv(root.parent / "ohlcv" / "JPM.csv")["Close"].iloc[-1]
    before = performance.index[performance.index.get_loc(JPM_END) - 1]

    assert held.index[-1] == before and held.iloc[-1] > 0, "held up to its last bar, not after"
    close = transactions.loc[transactions["ticker"] == "JPM"].iloc[-1]
    assert (close["date"], close["shares"], close["order_id"]) == (
        JPM_END, -held.iloc[-1], "2023-08-15-JPM-auto-close")
    assert close["price"] == pytest.approx(last_close, abs=0.0005)  # zipline keeps 0.001
    cash = performance["cash"]
    assert cash[JPM_END] - cash[before] == pytest.approx(held.iloc[-1] * close["price"])
    assert performance.loc[JPM_END, "commission"] == 0.0


def test_backtest_strategy_when_a_held_tickers_data_ends_then_the_vectorised_check_agrees(root):
    check = json.loads(output(root, "summary.json").read_text())["vectorised_check"]

    assert check["agrees"] is True
    assert check["returns_correlation"] > 0.99
    assert abs(check["final_equity_difference"]) <= 0.005


def test_backtest_strategy_when_a_held_tickers_data_ends_then_summary_and_log_note_it(root):
    notes = json.loads(output(root, "summary.json").read_text())["notes"]
    last_close = pd.read_csv(root.parent / "ohlcv" / "JPM.csv")["Close"].iloc[-1]
    expected = (f"JPM: data ends 2023-08-15 while held (target 10.0 % of equity); "
                f"closed at its last close {last_close:.2f} on 2023-08-15")

    assert notes[0] == expected
    assert f"WARNING momentum.BacktestStrategy: {DATE}: {expected}" in (
        root / "logs" / "BacktestStrategy.log").read_text()


def test_backtest_strategy_when_the_benchmark_ends_early_then_it_is_missing_there_not_flat(
        root):
    performance = read_parquet(output(root, "performance.parquet"))
    summary = json.loads(output(root, "summary.json").read_text())
    benchmark = performance["benchmark_returns"]

    assert benchmark.loc[:SPY_END].notna().all()
    assert benchmark.loc[SPY_END:].iloc[1:].isna().all() and len(benchmark.loc[SPY_END:]) == 4
    assert summary["benchmark_metrics"]["total_return"] == pytest.approx(
        np.prod(1 + benchmark.loc[:SPY_END]) - 1)
    assert ("benchmark SPY ends 2024-06-25, 3 sessions before the backtest's end 2024-06-28: "
            "its figures stop there") in summary["notes"]
    assert np.isfinite(performance.drop(columns="benchmark_returns").to_numpy(dtype=float)).all()
