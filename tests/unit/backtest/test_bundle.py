"""The zipline bundle: cleaned bars in, the same bars out, no corporate actions."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from zipline.data.adjustments import SQLiteAdjustmentReader
from zipline.data.bundles.core import adjustment_db_path

from momentum_pipeline.backtest.bundle import ingest_bundle, ingestion_path, load_bundle
from tests.conftest import REPO
from tests.unit.backtest.conftest import (BENCHMARK, JPM_END, MSFT_GAPS, RUN_DATE, TICKERS,
                                          cleaned)

#: The bundle of the test market, ingested under argv[1] by a process of its own.
INGEST = """
import sys
from pathlib import Path
from momentum_pipeline.backtest.bundle import ingest_bundle
from tests.unit.backtest.conftest import RUN_DATE, market
ingest_bundle(market(), Path(sys.argv[1]), RUN_DATE)
"""


def test_bundle_when_ingested_then_sids_follow_sorted_tickers_including_dashed_ones(bundle):
    root, manifest = bundle
    readers = load_bundle(root, RUN_DATE)

    tickers = sorted((*TICKERS, BENCHMARK))
    assert [manifest["tickers"][t]["sid"] for t in tickers] == list(range(len(tickers)))
    assert [a.symbol for a in readers.asset_finder.retrieve_all(range(len(tickers)))] == tickers


def test_bundle_when_a_tickers_bars_end_early_then_only_it_auto_closes_on_its_last_session(
        ended_bundle):
    root, manifest = ended_bundle
    finder = load_bundle(root, RUN_DATE).asset_finder

    assets = {a.symbol: a for a in finder.retrieve_all(range(len(manifest["tickers"])))}

    assert (assets["JPM"].end_date, assets["JPM"].auto_close_date) == (JPM_END, JPM_END)
    assert all(a.auto_close_date is None for t, a in assets.items() if t != "JPM")


def test_bundle_when_read_back_then_bars_equal_the_cleaned_bars_to_a_tenth_of_a_cent(bundle):
    root, manifest = bundle
    readers = load_bundle(root, RUN_DATE)
    bars = cleaned("BRK-B")
    sid = manifest["tickers"]["BRK-B"]["sid"]

    stored = readers.daily_bars.load_raw_arrays(["open", "close", "volume"], bars.index[0],
                                                bars.index[-1], [sid])

    np.testing.assert_allclose(stored[0][:, 0], bars["open"], atol=0.0005)
    np.testing.assert_allclose(stored[1][:, 0], bars["close"], atol=0.0005)
    np.testing.assert_array_equal(stored[2][:, 0], bars["volume"])


def test_bundle_when_a_session_was_filled_then_it_has_the_carried_close_and_no_volume(bundle):
    root, manifest = bundle
    readers = load_bundle(root, RUN_DATE)
    sid = manifest["tickers"]["MSFT"]["sid"]
    before = cleaned("MSFT").loc[:MSFT_GAPS[0], "close"].iloc[-2]

    for day in MSFT_GAPS:
        assert readers.daily_bars.get_value(sid, pd.Timestamp(day), "volume") == 0
        assert readers.daily_bars.get_value(sid, pd.Timestamp(day), "close") == pytest.approx(
            before, abs=0.0005)
    assert manifest["tickers"]["MSFT"]["filled_sessions"] == len(MSFT_GAPS)


def test_bundle_when_ingested_then_it_holds_no_splits_dividends_or_mergers_and_says_why(bundle):
    root, manifest = bundle
    adjustments = SQLiteAdjustmentReader(str(ingestion_path(root, RUN_DATE, adjustment_db_path)))
    tables = adjustments.unpack_db_to_component_dfs()

    assert {name: len(frame) for name, frame in tables.items()} == dict.fromkeys(tables, 0)
    assert "already split- and dividend-adjusted" in manifest["adjustments"]


def test_bundle_when_ingested_then_every_file_is_under_its_own_zipline_root(bundle):
    root, _ = bundle

    assert sorted(p.name for p in (root / "data" / "momentum").iterdir()) == [
        "2021-12-31T00;00;00"]


def test_ingest_when_a_session_is_missing_then_error_names_ticker_and_session(tmp_path):
    gappy = cleaned("AAPL").drop(pd.Timestamp("2020-06-01"))

    with pytest.raises(ValueError, match=r"ticker AAPL: cleaned bars are not aligned to the NYSE "
                                         r"sessions .*missing \['2020-06-01'\]"):
        ingest_bundle({"AAPL": gappy}, tmp_path, RUN_DATE)
    assert not (tmp_path / "data").exists()


def test_load_bundle_when_nothing_was_ingested_then_error_names_the_run_date(tmp_path):
    with pytest.raises(FileNotFoundError, match="no zipline bundle ingested for run date "
                                                "2021-12-31"):
        load_bundle(tmp_path, RUN_DATE)


def test_bundle_when_two_processes_ingest_the_same_bars_then_every_file_is_byte_identical(
        tmp_path):
    roots = [tmp_path / "first", tmp_path / "second"]
    ingestions = [subprocess.Popen([sys.executable, "-c", INGEST, str(root)], cwd=REPO,
                                   env={**os.environ, "PYTHONPATH": str(REPO),
                                        "PYTHONHASHSEED": str(seed)})
                  for seed, root in enumerate(roots)]
    assert [ingestion.wait(timeout=300) for ingestion in ingestions] == [0, 0]

    first, second = ({str(p.relative_to(root)): p.read_bytes()
                      for p in sorted(root.rglob("*")) if p.is_file()} for root in roots)
    assert any(name.endswith("assets-7.sqlite") for name in first)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
