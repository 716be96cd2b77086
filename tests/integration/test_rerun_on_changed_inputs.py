"""Inputs decide completeness: a rerun recomputes what a changed input feeds, and nothing
else; an unchanged rerun does no work. No folder is ever deleted by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tasks.signals import GenerateSignals
from tests.conftest import REAL_OHLCV, run_tasks
from tests.integration.test_fetch_validate import configured
from tests.integration.test_partial_failure import linked_folder, rewrite

RUN_DATE = dt.date(2025, 10, 8)
TICKERS = ("AAPL", "MSFT", "NVDA")
EVERY_TICKER = {*TICKERS, "SPY"}


def stamp_times(root: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (root / "state").rglob("*.json")}


def ran_since(root: Path, before: dict[str, int]) -> set[str]:
    """``FetchPrices MSFT``, ``GenerateSignals``: the tasks whose stamp was written since."""
    names = {name for name, time in stamp_times(root).items() if before.get(name) != time}
    ran = set()
    for name in names:
        family, rest = name.split(f"_{RUN_DATE:%Y_%m_%d}")
        ticker = rest.rsplit("_", 1)[0].strip("_")
        ran.add(f"{family} {ticker}".strip())
    return ran


def chain(*tickers: str, families=("FetchPrices", "ValidatePrices", "BuildFeatures")) -> set[str]:
    return {f"{family} {t}" for family in families for t in tickers} - {"BuildFeatures SPY"}


@pytest.fixture
def day(tmp_path):
    """A run of GenerateSignals on three real tickers; yields (root, csv folder, rerun)."""
    folder = linked_folder(tmp_path / "ohlcv")
    root = tmp_path / "var"
    settings = {"universe_tickers": ",".join(TICKERS)}

    def rerun(**changes: str) -> set[str]:
        before = stamp_times(root)
        with configured(root, csv_dir=changes.pop("csv_dir", folder),
                        start=changes.pop("start", "2023-01-03"), **settings, **changes):
            assert run_tasks(GenerateSignals(date=RUN_DATE)).scheduling_succeeded
        return ran_since(root, before)

    assert rerun() == chain(*EVERY_TICKER) | {"GenerateSignals"}
    return root, folder, rerun


def test_rerun_when_nothing_changed_then_no_task_runs(day):
    _, _, rerun = day
    assert rerun() == set()


def test_rerun_when_one_file_fixed_then_only_its_chain_and_the_signals_run(day):
    _, folder, rerun = day

    def one_close_changed(rows):
        rows[-10][4] = repr(float(rows[-10][4]) * 1.01)
        return rows

    rewrite(folder, "MSFT", one_close_changed)
    assert rerun() == chain("MSFT") | {"GenerateSignals"}


def test_rerun_when_file_touched_but_bytes_same_then_no_task_runs(day):
    _, folder, rerun = day
    (folder / "MSFT.csv").unlink()  # a new file with the same bytes: another inode and time
    (folder / "MSFT.csv").write_bytes((REAL_OHLCV / "MSFT.csv").read_bytes())
    assert rerun() == set()


def test_rerun_when_validation_setting_changed_then_validation_onwards_runs_not_fetch(day):
    _, _, rerun = day
    assert rerun(validation_jump_threshold="0.5") == (
        chain(*EVERY_TICKER, families=("ValidatePrices", "BuildFeatures")) | {"GenerateSignals"})


def test_rerun_when_history_start_changed_then_everything_runs(day):
    _, _, rerun = day
    assert rerun(start="2022-01-03") == chain(*EVERY_TICKER) | {"GenerateSignals"}


def test_rerun_when_csv_folder_points_elsewhere_then_files_read_again(day, tmp_path):
    _, _, rerun = day
    elsewhere = linked_folder(tmp_path / "elsewhere")
    assert rerun(csv_dir=str(elsewhere)) == chain(*EVERY_TICKER) | {"GenerateSignals"}


def test_rerun_when_strategy_file_changed_then_only_signals_run(day, tmp_path):
    _, _, rerun = day
    strategy = tmp_path / "momentum.toml"
    original = (Path(__file__).parents[2] / "config" / "strategy" / "momentum.toml").read_text()
    strategy.write_text(original.replace("max_weight = 0.10", "max_weight = 0.20"))
    assert "max_weight = 0.20" in strategy.read_text()
    assert rerun(signals_strategy_file=str(strategy)) == {"GenerateSignals"}


def test_rerun_when_output_deleted_or_stamp_missing_then_that_task_runs_again(day):
    root, _, rerun = day
    next((root / "signals").rglob("rebalance.csv")).unlink()
    assert rerun() == {"GenerateSignals"}
    # killed after writing its outputs, before its stamp (and so before the signals ran)
    next((root / "state").rglob("ValidatePrices_*_AAPL_*.json")).unlink()
    next((root / "state").rglob("GenerateSignals_*.json")).unlink()
    assert rerun() == {"ValidatePrices AAPL", "GenerateSignals"}
