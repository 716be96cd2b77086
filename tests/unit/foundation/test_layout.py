"""Layout: every output of every task lies in one of the folders the layout names."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from luigi.task import flatten

from momentum_pipeline.foundation.layout import Layout
from tasks import (BacktestStrategy, BuildFeatures, CalculateMetrics, EvaluateModel,
                   ExecuteTrades, FetchPrices, GenerateReport, GenerateSignals, IngestBundle,
                   LogPerformance, TrainModel, ValidatePrices)

RUN_DATE = dt.date(2025, 10, 8)


def test_layout_when_stage_has_subfolders_then_dated_folder_is_under_them():
    layout = Layout(Path("/data"))
    assert layout.dated(Layout.CLEANED, RUN_DATE) == Path("/data/data/cleaned/2025-10-08")
    assert layout.stamp(RUN_DATE, "T_1") == Path("/data/state/2025-10-08/T_1.json")


def test_layout_relative_when_inside_root_then_relative_else_unchanged():
    layout = Layout(Path("/data"))
    assert layout.relative(Path("/data/reports/2025-10-08/summary.md")) == \
        "reports/2025-10-08/summary.md"
    assert layout.relative(Path("/elsewhere/x.csv")) == "/elsewhere/x.csv"


@pytest.mark.parametrize(("family", "parameters"), [
    (FetchPrices, {"ticker": "AAPL"}), (ValidatePrices, {"ticker": "AAPL"}),
    (CalculateMetrics, {"ticker": "AAPL"}), (BuildFeatures, {"ticker": "AAPL"}),
    (GenerateSignals, {}), (IngestBundle, {}), (BacktestStrategy, {}), (LogPerformance, {}),
    (GenerateReport, {}), (GenerateReport, {"research": True}), (TrainModel, {}),
    (EvaluateModel, {}), (ExecuteTrades, {})])
def test_task_outputs_when_listed_then_each_lies_in_a_dated_folder_of_the_layout(
        pipeline_config, data_root, family, parameters):
    task = family(date=RUN_DATE, **parameters)  # made here: its layout is this test's root
    layout = Layout(data_root)
    folders = [layout.dated(stage, RUN_DATE) for stage in Layout.DATED]
    outputs = [Path(target.path) for target in flatten(task.output())]
    assert outputs
    for output in outputs:
        assert any(output.is_relative_to(folder) for folder in folders), output


def test_earlier_output_when_earlier_dates_exist_then_the_latest_that_has_the_file():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        layout = Layout(Path(folder))
        for day, tickers in (("2025-10-03", ["KO"]), ("2025-10-06", ["KO", "PEP"]),
                             ("2025-10-07", ["PEP"]), ("2025-10-09", ["KO"])):
            for ticker in tickers:
                path = layout.dated(Layout.CLEANED, dt.date.fromisoformat(day)) / f"{ticker}.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(day)
        (layout.root / "data" / "cleaned" / "notes").mkdir()
        today = layout.dated(Layout.CLEANED, dt.date(2025, 10, 8))
        assert layout.earlier_output(today / "KO.parquet").read_text() == "2025-10-06"
        assert layout.earlier_output(today / "PEP.parquet").read_text() == "2025-10-07"
        assert layout.earlier_output(today / "MSFT.parquet") is None
        assert layout.earlier_output(layout.performance_log) is None
        assert layout.earlier_output(Path("/elsewhere/data/cleaned/2025-10-08/KO.parquet")) is None
