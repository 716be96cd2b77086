"""BacktestStrategy and IngestBundle run by Luigi: outputs by the contract, reruns that do
no work, byte-identical recomputation, and bad settings refused before zipline starts."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from luigi.execution_summary import LuigiStatusCode

from momentum_pipeline.backtest.performance import METRICS
from momentum_pipeline.foundation.calendar import sessions
from momentum_pipeline.foundation.frames import read_parquet, read_provenance
from tasks.backtest import RESULT_FRAMES, BacktestStrategy
from tests.conftest import REAL_OHLCV, PipelineConfig, run_cli, run_tasks

DATE = dt.date(2025, 10, 8)
TICKERS = "AAPL,BRK-B,JPM,KO,MSFT,NVDA,PG,XOM"
SAMPLE_SETTINGS = {("data", "source"): "sample", ("data", "start"): "2019-01-02",
                   ("universe", "tickers"): TICKERS, ("backtest", "start"): "2021-01-04"}
SUMMARY_KEYS = {"strategy", "start", "end", "capital", "sample_data", "strategy_metrics",
                "benchmark_metrics"}


def results(root: Path) -> Path:
    return root / "backtest_results" / DATE.isoformat()


def configure(root: Path, **extra: object) -> PipelineConfig:
    config = PipelineConfig()
    for (section, option), value in {**SAMPLE_SETTINGS, ("paths", "root"): root}.items():
        config.set(section, option, value)
    for key, value in extra.items():
        config.set("backtest", key, value)
    return config


@pytest.fixture(scope="module")
def sample_root(tmp_path_factory) -> Path:
    """A data root with a backtest of eight sample tickers, run with HOME elsewhere."""
    root = tmp_path_factory.mktemp("sample") / "var"
    home = root.parent / "home"
    home.mkdir()
    config = configure(root)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("HOME", str(home))
            result = run_tasks(BacktestStrategy(date=DATE), workers=2)
    finally:
        config.restore()
    assert result.status == LuigiStatusCode.SUCCESS, result.summary_text
    return root


def copy_without_results(root: Path, target: Path) -> Path:
    """A copy of ``root`` without the backtest's outputs."""
    shutil.copytree(root, target)
    shutil.rmtree(results(target))
    return target


def test_backtest_strategy_on_the_sample_market_writes_the_contracted_outputs(sample_root):
    summary = json.loads((results(sample_root) / "summary.json").read_text())
    performance = read_parquet(results(sample_root) / "performance.parquet")

    assert SUMMARY_KEYS <= set(summary)
    assert summary["sample_data"] is True and summary["warning"].startswith("SAMPLE DATA")
    assert (summary["start"], summary["end"], summary["capital"]) == (
        "2021-01-04", "2025-10-08", 1_000_000.0)
    assert tuple(summary["strategy_metrics"]) == tuple(sorted(METRICS))
    assert set(summary["benchmark_metrics"]) == set(METRICS)
    assert summary["vectorised_check"]["agrees"] is True
    assert performance.index.equals(sessions(dt.date(2021, 1, 4), DATE))
    assert np.isfinite(performance.to_numpy(dtype=float)).all()
    assert summary["strategy_metrics"]["pnl"] == pytest.approx(
        performance["portfolio_value"].iloc[-1] - 1_000_000.0)
    for name in RESULT_FRAMES:
        assert read_provenance(results(sample_root) / f"{name}.parquet").sample_data is True
    traded = read_parquet(results(sample_root) / "transactions.parquet")
    assert set(traded["ticker"]) <= set(TICKERS.split(","))


def test_ingest_bundle_keeps_zipline_under_the_data_root_and_never_in_home(sample_root):
    manifest = json.loads((sample_root / "zipline" / DATE.isoformat() / "bundle.json").read_text())

    assert sorted(manifest["tickers"]) == sorted([*TICKERS.split(","), "SPY"])
    assert not (sample_root.parent / "home" / ".zipline").exists()


def test_backtest_strategy_when_rerun_through_the_cli_then_it_does_no_work(sample_root):
    outputs = [*results(sample_root).iterdir(), sample_root / "zipline" / DATE.isoformat()]
    before = {p: p.stat().st_mtime_ns for p in outputs}

    run = run_cli("BacktestStrategy", "--local-scheduler", "--date", DATE.isoformat(),
                  "--paths-root", str(sample_root), "--data-source", "sample",
                  "--data-start", "2019-01-02", "--universe-tickers", TICKERS,
                  "--backtest-start", "2021-01-04")

    assert run.returncode == 0, run.stderr
    assert run.stderr == (
        f"Summary: nothing to do: BacktestStrategy(date={DATE}) already done.\n")
    assert {p: p.stat().st_mtime_ns for p in outputs} == before


def test_backtest_strategy_when_recomputed_after_a_cut_short_ingestion_then_outputs_are_same(
        sample_root, tmp_path):
    again = copy_without_results(sample_root, tmp_path / "var")
    bundle = again / "zipline" / DATE.isoformat()
    (bundle / "bundle.json").unlink()
    (bundle / "data" / "left-over").write_text("an ingestion of an older layout")
    killed = subprocess.Popen(["true"])
    killed.wait()
    abandoned = bundle.with_name(f".{bundle.name}.tmp-{killed.pid}-cut")  # its process is gone
    in_progress = bundle.with_name(f".{bundle.name}.tmp-{os.getpid()}-live")  # still running
    for folder in (abandoned, in_progress):
        (folder / "data").mkdir(parents=True)
    config = configure(again)
    try:
        result = run_tasks(BacktestStrategy(date=DATE))
    finally:
        config.restore()

    assert result.status == LuigiStatusCode.SUCCESS, result.summary_text
    assert (bundle / "bundle.json").is_file() and not (bundle / "data" / "left-over").exists()
    assert not abandoned.exists() and (in_progress / "data").is_dir()
    for output in results(sample_root).rglob("*"):
        if output.is_file():
            name = output.relative_to(results(sample_root))
            assert (results(again) / name).read_bytes() == output.read_bytes(), name


@pytest.mark.parametrize(("setting", "message"), [
    ({"capital": 0}, "backtest capital must be a positive number of dollars, got 0.0"),
    ({"start": "2024-06-03", "end": "2024-01-02"},
     "backtest start 2024-06-03 is after its end 2024-01-02"),
    ({"start": "2005-01-03", "end": "2008-12-31"},
     "backtest period 2005-01-03..2008-12-31 has no sessions with data"),
    ({"end": "2025-12-31"}, "backtest end 2025-12-31 is after the run date 2025-10-08"),
])
def test_backtest_strategy_when_settings_are_bad_then_it_fails_before_zipline_with_the_reason(
        sample_root, tmp_path, setting, message):
    root = copy_without_results(sample_root, tmp_path / "var")
    config = configure(root, **setting)
    try:
        result = run_tasks(BacktestStrategy(date=DATE))
    finally:
        config.restore()

    assert result.status == LuigiStatusCode.FAILED
    assert message in (root / "logs" / "alerts.log").read_text()
    assert not results(root).exists()


def test_backtest_strategy_when_the_benchmark_is_unknown_then_its_fetch_fails_and_names_it(
        pipeline_config, data_root):
    pipeline_config.set("data", "source", "csv")
    pipeline_config.set("data", "csv_dir", REAL_OHLCV)
    pipeline_config.set("data", "start", "2024-01-02")
    pipeline_config.set("universe", "tickers", "AAPL")
    pipeline_config.set("universe", "benchmark", "NOPE")

    result = run_tasks(BacktestStrategy(date=DATE))

    assert result.status != LuigiStatusCode.SUCCESS
    alerts = (data_root / "logs" / "alerts.log").read_text()
    assert "FetchPrices" in alerts and "no CSV file for ticker NOPE" in alerts
    assert not results(data_root).exists()


@pytest.mark.slow
def test_research_on_the_real_sp100_runs_the_backtest_and_a_rerun_does_no_work(tmp_path):
    flags = ("--local-scheduler", "--workers", "2", "--date", DATE.isoformat(),
             "--paths-root", str(tmp_path / "var"), "--data-source", "csv",
             "--data-csv-dir", str(REAL_OHLCV))

    first = run_cli("Research", *flags, timeout=1800)
    rerun = run_cli("Research", *flags)

    assert first.returncode == 0 and ", 0 failed;" in first.stderr, first.stderr[-3000:]
    summary = json.loads((results(tmp_path / "var") / "summary.json").read_text())
    assert (summary["start"], summary["end"], summary["sample_data"]) == (
        "2015-01-02", "2025-10-08", False)
    assert summary["vectorised_check"]["agrees"] is True
    manifest = json.loads((tmp_path / "var" / "zipline" / DATE.isoformat() / "bundle.json")
                          .read_text())
    assert len(manifest["tickers"]) == 102
    assert f"Summary: nothing to do: Research(date={DATE}) already done." in rerun.stderr, \
        rerun.stderr[-3000:]
