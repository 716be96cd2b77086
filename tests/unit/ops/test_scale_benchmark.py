"""The inputs of benchmarks/scale.py: its synthetic universe and its backfill windows."""

from __future__ import annotations

import datetime as dt

import pytest

from benchmarks.scale import backfill_window, write_synthetic_universe
from momentum_pipeline.foundation.universe import load_universe


def test_synthetic_universe_when_loaded_then_every_ticker_is_distinct_and_valid(tmp_path):
    tickers = load_universe(write_synthetic_universe(tmp_path / "universe.csv", 1000))
    assert len(tickers) == 1000
    assert tickers[0] == "S0000" and tickers[-1] == "S0999"


@pytest.mark.parametrize(("count", "start"), [
    (1, dt.date(2025, 10, 8)),
    # Thursday 2 October to Wednesday 8 October, the weekend between included.
    (5, dt.date(2025, 10, 2)),
    (20, dt.date(2025, 9, 11)),
])
def test_backfill_window_when_sessions_counted_back_then_stop_is_the_day_after(count, start):
    assert backfill_window(count, dt.date(2025, 10, 8)) == (start, dt.date(2025, 10, 9))
