"""The offline sample market through the stage, and the data root's source guard."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from luigi.execution_summary import LuigiStatusCode

from momentum_pipeline.foundation.frames import read_parquet, read_provenance
from tasks.validate import ValidatePrices
from tests.conftest import REAL_OHLCV, RESOURCES, PipelineConfig, run_cli, run_tasks

RUN_DATE = dt.date(2024, 12, 31)
TICKERS = ("AAPL", "JPM", "SPY")


@pytest.fixture(scope="module")
def sample_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sample") / "var"
    config = PipelineConfig()
    config.set("paths", "root", root)
    config.set("data", "start", "2024-01-01")
    try:
        assert run_tasks(*(ValidatePrices(date=RUN_DATE, ticker=t) for t in TICKERS)).status \
            == LuigiStatusCode.SUCCESS
    finally:
        config.restore()
    return root


def dated(root: Path, stage: str, name: str) -> Path:
    return root / "data" / stage / RUN_DATE.isoformat() / name


def test_sample_stage_when_run_then_every_output_says_sample_data(sample_root):
    for ticker in TICKERS:
        for stage in ("raw", "cleaned"):
            provenance = read_provenance(dated(sample_root, stage, f"{ticker}.parquet"))
            assert provenance.source == "sample" and provenance.sample_data, (ticker, stage)
        raw = read_provenance(dated(sample_root, "raw", f"{ticker}.parquet"))
        assert "SAMPLE DATA" in raw.inputs["note"]
    assert json.loads((sample_root / "data" / "source.json").read_text()) == {
        "source": "sample", "sample_seed": "20240101"}


def test_sample_stage_when_run_then_a_year_of_clean_sessions_up_to_the_run_date(sample_root):
    bars = read_parquet(dated(sample_root, "cleaned", "JPM.parquet"))
    assert (bars.index[0].date(), bars.index[-1].date(), len(bars)) == (
        dt.date(2024, 1, 2), RUN_DATE, 252)  # NYSE had 252 sessions in 2024
    record = json.loads(dated(sample_root, "cleaned", "JPM.quality.json").read_text())
    assert all(rule["count"] == 0 for rule in record["rules"].values())


def guard_flags(root: Path, source: str) -> tuple[str, ...]:
    return ("ValidatePrices", "--ticker", "AAPL", "--local-scheduler", "--date",
            RUN_DATE.isoformat(), "--paths-root", str(root), "--data-source", source,
            "--data-csv-dir", str(REAL_OHLCV))


def test_guard_when_csv_run_on_a_sample_root_then_refused_before_anything_runs(sample_root):
    before = {p: p.read_bytes() for p in (sample_root / "data").rglob("*") if p.is_file()}
    result = run_cli(*guard_flags(sample_root, "csv"))
    assert result.returncode == 35  # [retcode] scheduling_error: cron sees the failure
    assert (f"DataSourceMismatch: data root {sample_root} holds outputs of --data-source "
            f"sample --data-sample-seed 20240101") in result.stderr
    assert "this run asks for --data-source csv" in result.stderr
    assert {p: p.read_bytes() for p in (sample_root / "data").rglob("*") if p.is_file()} \
        == before


def test_guard_when_in_process_run_on_another_sources_root_then_scheduling_fails(
        sample_root, pipeline_config):
    pipeline_config.set("paths", "root", sample_root)
    pipeline_config.set("data", "source", "csv")
    pipeline_config.set("data", "csv_dir", RESOURCES / "ohlcv")
    result = run_tasks(ValidatePrices(date=RUN_DATE, ticker="AAA"))
    assert not result.scheduling_succeeded
    assert not dated(sample_root, "raw", "AAA.parquet").exists()
