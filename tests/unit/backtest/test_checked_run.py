"""run_and_check: one backtest of the weights from the bundle's manifest, with the
positions closed where data ends, the benchmark, the vectorised check and the summary."""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd

from momentum_pipeline.backtest.checked_run import run_and_check
from momentum_pipeline.backtest.config import BacktestConfig
from momentum_pipeline.foundation.calendar import sessions
from tests.unit.backtest.conftest import BENCHMARK, JPM_END, RUN_DATE, ended_market

CONFIG = BacktestConfig(start=dt.date(2021, 5, 3), end=RUN_DATE, capital=1_000_000.0,
                        benchmark=BENCHMARK)
LOG = logging.getLogger("tests.backtest.checked_run")


def checked(ended_bundle):
    root, manifest = ended_bundle
    first = sessions(pd.Timestamp("2021-05-03"), pd.Timestamp(RUN_DATE))[:1]
    weights = pd.DataFrame({"AAPL": [0.3], "JPM": [0.3]},
                           index=pd.DatetimeIndex(first, name="date"))
    bars = ended_market()
    return run_and_check(weights, manifest, bars.__getitem__, CONFIG, strategy="momentum",
                         sample_data=False, zipline_root=root, run_date=RUN_DATE, log=LOG,
                         where="weights.parquet")


def test_run_and_check_when_a_held_tickers_data_ends_then_it_is_closed_noted_and_agrees(
        ended_bundle, caplog):
    with caplog.at_level(logging.INFO, logger=LOG.name):
        run = checked(ended_bundle)
    assert len(run.notes) == 1 and run.notes[0].startswith(
        f"JPM: data ends {JPM_END.date()} while held (target 30.0 % of equity)")
    assert run.summary["notes"] == run.notes
    assert run.summary["strategy"] == "momentum" and run.summary["rebalances"] == 2
    assert run.summary["vectorised_check"]["agrees"] is True
    assert run.comparison.items() <= run.summary["vectorised_check"].items()
    assert run.result.performance.index[0] == pd.Timestamp("2021-05-03")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"{RUN_DATE}: {run.notes[0]}"]
