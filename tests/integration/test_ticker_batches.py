"""The per-ticker stages travel in batches (``[batch] tickers`` per task process); each
ticker stays its own task: the outputs equal those of one task per ticker byte for byte,
the batch size makes nothing stale, and a ticker that fails in a batch fails alone."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import luigi
import pytest
from luigi.execution_summary import LuigiStatusCode

import momentum_pipeline.metrics
import momentum_pipeline.validation
from momentum_pipeline.operations.alerts import alerts_of_run
from tasks.features import BuildFeatures
from tasks.metrics import CalculateMetrics
from tasks.signals import GenerateSignals
from tasks.validate import ValidatePrices
from tests.conftest import run_tasks
from tests.integration.test_fetch_validate import configured
from tests.integration.test_partial_failure import stamp_times

RUN_DATE = dt.date(2025, 10, 8)
TICKERS = "AAPL,MSFT,JPM,XOM,KO,PG,NVDA,AMZN,UNH,HD,CVX"
UNIVERSE = [*TICKERS.split(","), "SPY"]
STAGES = ("FetchPrices", "ValidatePrices", "BuildFeatures")

pytestmark = pytest.mark.slow


def every_file(root: Path) -> dict[str, bytes]:
    """Every output and stamp under ``root`` (not the logs, which carry times)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] != "logs"
            and "running" not in p.parts and not p.name.endswith(".lock")}


def batches(root: Path, stage: str) -> list[list[str]]:
    """The tickers of each batch a stage ran, from its log."""
    log = (root / "logs" / f"{stage}.log").read_text()
    return [line.split(", ") for line in re.findall(r"one process for \d+ tickers: (.+)", log)]


@pytest.fixture(scope="module")
def signals_both_ways(tmp_path_factory) -> dict[str, Path]:
    roots = {}
    for size in ("5", "1"):
        root = tmp_path_factory.mktemp(f"batch-{size}") / "var"
        with configured(root, universe_tickers=TICKERS, batch_tickers=size):
            assert run_tasks(GenerateSignals(date=RUN_DATE)).status == LuigiStatusCode.SUCCESS
        roots[size] = root
    return roots


def test_batches_when_five_tickers_a_process_then_every_file_equals_one_task_per_ticker(
        signals_both_ways):
    batched, single = (every_file(signals_both_ways[size]) for size in ("5", "1"))
    assert len(batched) > 3 * len(UNIVERSE)  # bars, cleaned bars, features, stamps, signals
    assert batched.keys() == single.keys()
    assert [name for name in batched if batched[name] != single[name]] == []


def test_batches_when_five_tickers_a_process_then_each_stage_ran_in_batches_of_at_most_five(
        signals_both_ways):
    for stage in STAGES:
        ran = batches(signals_both_ways["5"], stage)
        assert ran and all(2 <= len(tickers) <= 5 for tickers in ran), (stage, ran)
        assert len({t for tickers in ran for t in tickers}) == sum(map(len, ran))
    assert all(batches(signals_both_ways["1"], stage) == [] for stage in STAGES)


def test_batches_when_the_batch_size_changes_then_nothing_is_stale(signals_both_ways):
    root = signals_both_ways["5"]
    before = stamp_times(root)
    with configured(root, universe_tickers=TICKERS, batch_tickers="3"):
        assert run_tasks(GenerateSignals(date=RUN_DATE)).status == LuigiStatusCode.SUCCESS
    assert stamp_times(root) == before


def test_batch_when_one_ticker_raises_then_it_alone_fails_and_the_next_run_redoes_only_it(
        tmp_path, monkeypatch):
    root = tmp_path / "var"
    real_summary = momentum_pipeline.metrics.metrics_summary

    def broken_for_msft(frame, ticker, *args, **kwargs):
        if ticker == "MSFT":
            raise ZeroDivisionError("injected: a bug met by MSFT's data only")
        return real_summary(frame, ticker, *args, **kwargs)

    tasks = [CalculateMetrics(date=RUN_DATE, ticker=t) for t in UNIVERSE]
    with configured(root, universe_tickers=TICKERS, batch_tickers="25"):
        monkeypatch.setattr(momentum_pipeline.metrics, "metrics_summary", broken_for_msft)
        first = run_tasks(*tasks)
        done = {task.ticker for task in tasks if task.complete()}
        msft_outputs = list((root / "data" / "processed").rglob("MSFT_metrics*"))
        alerts = alerts_of_run(root / "logs" / "alerts.log", RUN_DATE)
        stamps = stamp_times(root)
        monkeypatch.setattr(momentum_pipeline.metrics, "metrics_summary", real_summary)
        second = run_tasks(*tasks)
        rerun = {name for name, time in stamp_times(root).items() if stamps.get(name) != time}

    assert first.status == LuigiStatusCode.FAILED
    # one batch, MSFT within it
    assert [sorted(tickers) for tickers in batches(root, "CalculateMetrics")] == [sorted(UNIVERSE)]
    assert done == set(UNIVERSE) - {"MSFT"}  # the others' outputs and stamps are written
    assert msft_outputs == []
    [alert] = [a for a in alerts if a.outcome == "failed"]
    assert (alert.family, alert.parameters["ticker"]) == ("CalculateMetrics", "MSFT")
    assert "ZeroDivisionError: injected" in alert.error
    assert second.status == LuigiStatusCode.SUCCESS
    assert len(rerun) == 1 and "CalculateMetrics" in next(iter(rerun))
    assert "MSFT" in next(iter(rerun))



#: Where a bug met by one ticker is injected into a stage that computes its batch together
#: before writing each ticker (``computed_together``), and how its arguments name the
#: ticker: inside the joint cleaning, and in reading or building one ticker's inputs.
JOINT_WORK = {
    "ValidatePrices, cleaning rules": (ValidatePrices, momentum_pipeline.validation,
                                       "_apply_rules", lambda checked, report, *_: report.ticker),
    "ValidatePrices, reading": (ValidatePrices, ValidatePrices, "raw_bars",
                                lambda task: task.ticker),
    "BuildFeatures, building": (BuildFeatures, BuildFeatures, "unchecked",
                                lambda task: task.ticker),
}


@pytest.mark.parametrize("where", JOINT_WORK, ids=list(JOINT_WORK))
def test_batch_when_one_ticker_breaks_the_batchs_joint_work_then_it_alone_fails(
        tmp_path, monkeypatch, where):
    family, owner, name, ticker_of = JOINT_WORK[where]
    real = getattr(owner, name)

    def broken_for_msft(*args, **kwargs):
        if ticker_of(*args) == "MSFT":
            raise ZeroDivisionError("injected: a bug met by MSFT's data only")
        return real(*args, **kwargs)

    root = tmp_path / "var"
    tasks = [family(date=RUN_DATE, ticker=t) for t in UNIVERSE]
    with configured(root, universe_tickers=TICKERS, batch_tickers="25"):
        monkeypatch.setattr(owner, name, broken_for_msft)
        first = run_tasks(*tasks)
        done = {task.ticker for task in tasks if task.complete()}
        alerts = alerts_of_run(root / "logs" / "alerts.log", RUN_DATE)
        monkeypatch.setattr(owner, name, real)
        second = run_tasks(*tasks)
        again = family(date=RUN_DATE, ticker=",".join(UNIVERSE))  # one batch, run directly
        again.run()

    stage = family.__name__
    assert first.status == LuigiStatusCode.FAILED
    assert [sorted(tickers) for tickers in batches(root, stage)][0] == sorted(UNIVERSE)
    assert done == set(UNIVERSE) - {"MSFT"}
    [alert] = [a for a in alerts if a.outcome == "failed"]
    assert (alert.family, alert.parameters["ticker"]) == (stage, "MSFT")
    assert "ZeroDivisionError: injected" in alert.error
    assert second.status == LuigiStatusCode.SUCCESS
    # nothing of a batch stays on Luigi's task instances, which a later run reuses
    assert [m.ticker for m in again.members
            if m.prepared or m.early_stamp or m.prepared_seconds] == []


def test_batch_when_its_tickers_are_cleaned_together_then_each_ticker_reports_its_share_of_that_time(
        tmp_path, monkeypatch):
    real = momentum_pipeline.validation.clean_prices_together
    pause = 2.4  # seconds: far above a ticker's own run (about 10 ms)

    def slow(*args, **kwargs):
        time.sleep(pause)
        return real(*args, **kwargs)

    reported: dict[str, float] = {}
    real_trigger = ValidatePrices.trigger_event

    def record(task, event, *args, **kwargs):
        if event == luigi.Event.PROCESSING_TIME and not task.is_batch:
            reported[task.ticker] = args[1]
        return real_trigger(task, event, *args, **kwargs)

    monkeypatch.setattr(momentum_pipeline.validation, "clean_prices_together", slow)
    monkeypatch.setattr(ValidatePrices, "trigger_event", record)
    with configured(tmp_path / "var", universe_tickers=TICKERS, batch_tickers="25"):
        assert run_tasks(*(ValidatePrices(date=RUN_DATE, ticker=t) for t in UNIVERSE)
                         ).status == LuigiStatusCode.SUCCESS
    assert sorted(reported) == sorted(UNIVERSE)
    assert min(reported.values()) >= pause / len(UNIVERSE)
