"""The data root is bound to one data source: another source is refused, not mixed in."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tasks.base import DataSourceMismatch, check_data_source, data_layout
from tasks.fetch import FetchPrices
from tasks.validate import ValidatePrices

RUN_DATE = dt.date(2025, 10, 8)


def marker(data_root):
    return data_root / "data" / "source.json"


def test_guard_when_root_is_new_then_configured_source_is_recorded(pipeline_config, data_root):
    pipeline_config.set("data", "source", "csv")
    check_data_source(data_layout(), bind=True)
    assert json.loads(marker(data_root).read_text()) == {"source": "csv"}


def test_guard_when_same_source_again_then_accepted_and_record_unchanged(pipeline_config,
                                                                         data_root):
    pipeline_config.set("data", "source", "sample")
    check_data_source(data_layout(), bind=True)
    recorded = marker(data_root).read_bytes()
    check_data_source(data_layout(), bind=True)
    assert marker(data_root).read_bytes() == recorded


def test_guard_when_another_source_then_refused_naming_root_record_and_both_sources(
        pipeline_config, data_root):
    pipeline_config.set("data", "source", "sample")
    check_data_source(data_layout(), bind=True)
    pipeline_config.set("data", "source", "csv")
    with pytest.raises(DataSourceMismatch) as refused:
        check_data_source(data_layout(), bind=True)
    message = str(refused.value)
    assert f"data root {data_root} holds outputs of --data-source sample" in message
    assert str(marker(data_root)) in message and "asks for --data-source csv" in message


def test_guard_when_sample_seed_differs_then_refused_as_another_market(pipeline_config):
    pipeline_config.set("data", "sample_seed", "1")
    check_data_source(data_layout(), bind=True)
    pipeline_config.set("data", "sample_seed", "2")
    with pytest.raises(DataSourceMismatch, match="--data-sample-seed 1.*--data-sample-seed 2"):
        check_data_source(data_layout(), bind=True)


@pytest.mark.parametrize("task", [FetchPrices(date=RUN_DATE, ticker="AAPL"),
                                  ValidatePrices(date=RUN_DATE, ticker="AAPL")])
def test_guard_when_task_checks_completeness_on_another_sources_root_then_refuses(
        pipeline_config, task):
    pipeline_config.set("data", "source", "yahoo")
    check_data_source(data_layout(), bind=True)  # as the first task run on the root does
    assert not task.complete()
    pipeline_config.set("data", "source", "csv")
    with pytest.raises(DataSourceMismatch):
        task.complete()


@pytest.mark.parametrize(("source", "loaded", "not_loaded"), [
    ("csv", "momentum_pipeline.sources.csvdir:warm_up", "momentum_pipeline.sources.sample"),
    ("sample", "momentum_pipeline.sources.sample", "momentum_pipeline.sources.yahoo"),
    ("yahoo", "momentum_pipeline.sources.yahoo", "momentum_pipeline.sources.sample"),
])
def test_fetch_preload_when_source_configured_then_only_that_sources_module(
        pipeline_config, source, loaded, not_loaded):
    pipeline_config.set("data", "source", source)
    preload = FetchPrices(date=RUN_DATE, ticker="AAPL").preload
    assert loaded in preload and not any(p.startswith(not_loaded) for p in preload)


def test_guard_when_record_is_damaged_then_refused_naming_the_file(pipeline_config, data_root):
    marker(data_root).parent.mkdir(parents=True)
    marker(data_root).write_text("{\"sour")
    with pytest.raises(DataSourceMismatch, match=f"{marker(data_root)}: not a data-source record"):
        check_data_source(data_layout(), bind=True)


def test_guard_when_tasks_only_checked_on_a_new_root_then_no_source_is_recorded(
        pipeline_config, data_root):
    pipeline_config.set("data", "source", "csv")
    assert not ValidatePrices(date=RUN_DATE, ticker="AAPL").complete()
    assert not marker(data_root).exists()
    pipeline_config.set("data", "source", "sample")  # nothing ran: another source is free
    assert not ValidatePrices(date=RUN_DATE, ticker="AAPL").complete()
