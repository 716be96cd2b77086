"""IngestBundle and BacktestStrategy: the zipline backtest of the target weights."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import luigi

from tasks.base import PipelineTask, atomic_path, split_exclusions
from tasks.config import backtest, universe
from tasks.signals import GenerateSignals
from tasks.universe import benchmark_ticker, universe_tickers
from tasks.validate import ValidatePrices

#: Parquet outputs of BacktestStrategy; ``summary.json`` is written after them.
RESULT_FRAMES = ("performance", "positions", "orders", "transactions")


def priced_tickers() -> tuple[str, ...]:
    """The universe and the benchmark: every ticker the bundle holds."""
    return tuple(dict.fromkeys((*universe_tickers(), benchmark_ticker())))


def backtest_config(run_date: dt.date):
    """The ``[backtest]`` settings, checked (:class:`~momentum_pipeline.backtest.config.BacktestConfig`)."""
    from momentum_pipeline.backtest.config import BacktestConfig
    from momentum_pipeline.backtest.costs import CostModel
    from momentum_pipeline.calendar import last_session_on_or_before

    settings = backtest()
    end = settings.end or last_session_on_or_before(run_date).date()
    if end > run_date:
        raise ValueError(f"backtest end {end} is after the run date {run_date}: "
                         "no prices from the future")
    return BacktestConfig(
        start=settings.start, end=end, capital=settings.capital, benchmark=benchmark_ticker(),
        costs=CostModel(commission=settings.commission, commission_rate=settings.commission_rate,
                        slippage_bps=settings.slippage_bps, volume_limit=settings.volume_limit,
                        fill_price=settings.fill_price))


class IngestBundle(PipelineTask):
    """The run's cleaned bars (universe and benchmark) as a zipline bundle in
    ``zipline/<date>/``, the bundle's own ``ZIPLINE_ROOT``. Its ``bundle.json`` (sids,
    date ranges, why no splits or dividends) is written last, atomically: without it
    the folder is an ingestion cut short, and the next run starts it again."""

    reads = (universe,)
    preload = ("pandas", "pyarrow.parquet", "momentum_pipeline.backtest.bundle")

    def requires(self) -> dict[str, ValidatePrices]:
        return {t: ValidatePrices(date=self.date, ticker=t) for t in priced_tickers()}

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(self.dated_path("zipline", "bundle.json")))

    def produce(self) -> None:
        from momentum_pipeline.backtest.bundle import ingest_bundle
        from momentum_pipeline.frames import dump_json, read_parquet

        passed, _ = split_exclusions(self.requires())
        bars = {t: read_parquet(task.output()["prices"].path) for t, task in passed.items()}
        folder = Path(self.output().path).parent
        if folder.exists():  # an ingestion cut short: it never got its bundle.json
            shutil.rmtree(folder)
        manifest = ingest_bundle(bars, folder, self.date)
        with atomic_path(self.output().path) as tmp:
            tmp.write_text(dump_json(manifest))
        self.log.info("%s: bundle of %d tickers in %s (adjustments: %s)", self.date,
                      len(bars), folder, manifest["adjustments"])


class BacktestStrategy(PipelineTask):
    """The target weights traded by zipline -> ``backtest_results/<date>/``:
    ``performance.parquet`` (a row per session), ``positions.parquet`` (a row per
    position and session), ``orders.parquet`` (last state of every order),
    ``transactions.parquet`` (every fill) and ``summary.json`` (the metrics of the
    strategy and the benchmark, and the vectorised check's agreement with zipline).

    The ``[backtest]`` settings are checked before any price is read.
    """

    settings = (backtest, universe)
    preload = ("pandas", "pyarrow.parquet", "momentum_pipeline.backtest.algorithm",
               "momentum_pipeline.backtest.summary")

    def requires(self) -> dict[str, luigi.Task | dict[str, ValidatePrices]]:
        return {"signals": GenerateSignals(date=self.date), "bundle": IngestBundle(date=self.date),
                "prices": {t: ValidatePrices(date=self.date, ticker=t) for t in priced_tickers()}}

    def output(self) -> dict[str, luigi.LocalTarget]:
        files = {name: f"{name}.parquet" for name in RESULT_FRAMES} | {"summary": "summary.json"}
        return {name: luigi.LocalTarget(str(self.dated_path("backtest_results", file)))
                for name, file in files.items()}

    def produce(self) -> None:
        from dataclasses import asdict

        import pandas as pd

        from momentum_pipeline.backtest.algorithm import benchmark_returns, run_backtest
        from momentum_pipeline.backtest.bundle import bar_ranges as bundle_bar_ranges
        from momentum_pipeline.backtest.summary import backtest_summary
        from momentum_pipeline.backtest.targets import (align_targets, check_targets_have_bars,
                                                        close_ended_positions, rebalances)
        from momentum_pipeline.backtest.vectorised import agrees, compare, vectorised_backtest
        from momentum_pipeline.frames import dump_json, read_parquet, read_provenance, write_parquet

        config = backtest_config(self.date)
        inputs = self.input()
        bundle_file = Path(inputs["bundle"].path)
        manifest = json.loads(bundle_file.read_text())
        bar_ranges = bundle_bar_ranges(manifest)
        simulated = config.simulated_sessions(min(first for first, _ in bar_ranges.values()),
                                              max(last for _, last in bar_ranges.values()))
        weights_path = inputs["signals"]["weights"].path
        targets = align_targets(read_parquet(weights_path), simulated, where=weights_path)
        check_targets_have_bars(targets, bar_ranges)
        prices = {t: read_parquet(inputs["prices"][t]["prices"].path)
                  for t in (*targets.columns, config.benchmark)}
        targets, closed = close_ended_positions(
            targets, bar_ranges, {t: float(prices[t]["close"].iloc[-1]) for t in targets.columns})
        plan = rebalances(targets)
        benchmark, benchmark_notes = benchmark_returns(prices[config.benchmark]["close"],
                                                       simulated, config.benchmark)
        notes = [*closed, *benchmark_notes]
        for note in notes:
            self.log.warning("%s: %s", self.date, note)
        self.log.info("%s: %d sessions %s..%s, %d rebalances, capital %.2f, costs %s", self.date,
                      len(simulated), simulated[0].date(), simulated[-1].date(), len(plan),
                      config.capital, asdict(config.costs))

        result = run_backtest(plan, {t: e["sid"] for t, e in manifest["tickers"].items()},
                              simulated, config.capital, config.costs, benchmark,
                              bundle_file.parent, self.date)
        for session, ticker in result.skipped_orders:
            self.log.warning("%s: no order for %s: no bar on that session", session, ticker)
        check = vectorised_backtest(
            plan, pd.DataFrame({t: prices[t]["open"] for t in plan.columns}),
            pd.DataFrame({t: prices[t]["close"] for t in plan.columns}),
            simulated, config.capital, config.costs)
        comparison = compare(result.performance, check)
        if not agrees(comparison):
            self.log.warning("zipline and the vectorised check disagree beyond tolerance: %s",
                             comparison)

        provenance = read_provenance(weights_path)
        strategy = provenance.parameters.get("strategy", {}).get("name", "target_weights")
        summary = backtest_summary(result.performance, comparison, config, strategy,
                                   provenance.sample_data, len(plan), notes)
        derived = provenance.derive(self.task_id, parameters={
            **self.parameters(), "start": summary["start"], "end": summary["end"],
            "capital": config.capital, "benchmark": config.benchmark, **asdict(config.costs)},
            inputs={"bundle": manifest["timestamp"], "tickers": len(manifest["tickers"])})
        outputs = self.output()
        for name in RESULT_FRAMES:
            with atomic_path(outputs[name].path) as tmp:
                write_parquet(getattr(result, name), tmp, derived)
        with atomic_path(outputs["summary"].path) as tmp:
            tmp.write_text(dump_json(summary))
        metrics = summary["strategy_metrics"]
        self.log.info("%s: total return %s, sharpe %s, max drawdown %s; vectorised check %s",
                      self.date, metrics["total_return"], metrics["sharpe"],
                      metrics["max_drawdown"], comparison)
