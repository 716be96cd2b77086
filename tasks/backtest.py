"""IngestBundle and BacktestStrategy: the zipline backtest of the target weights."""

from __future__ import annotations

import luigi

from momentum_pipeline.foundation.layout import Layout
from tasks.base import PipelineTask, split_exclusions
from tasks.config import backtest, universe
from tasks.signals import GenerateSignals
from tasks.targets import DataTarget
from tasks.universe import benchmark_ticker, universe_tickers
from tasks.validate import ValidatePrices

#: Parquet outputs of BacktestStrategy; ``summary.json`` is written after them.
RESULT_FRAMES = ("performance", "positions", "orders", "transactions")


def priced_tickers() -> tuple[str, ...]:
    """The universe and the benchmark: every ticker the bundle holds."""
    return tuple(dict.fromkeys((*universe_tickers(), benchmark_ticker())))


class IngestBundle(PipelineTask):
    """The run's cleaned bars (universe and benchmark) as a zipline bundle in
    ``zipline/<date>/``, the bundle's own ``ZIPLINE_ROOT``, with its ``bundle.json``
    (sids, date ranges, why no splits or dividends). Both are built in a fresh folder
    beside it and renamed into place together, so no run deletes a folder that another
    may be writing."""

    reads = (universe,)
    preload = ("pandas", "pyarrow.parquet", "momentum_pipeline.backtest.bundle")

    def requires(self) -> dict[str, ValidatePrices]:
        return {t: self.clone(ValidatePrices, ticker=t) for t in priced_tickers()}

    def output(self) -> DataTarget:
        return self.target(Layout.BUNDLE, "bundle.json")

    def produce(self) -> None:
        from momentum_pipeline.backtest.bundle import ingest_bundle
        from momentum_pipeline.foundation.built_folder import built_folder
        from momentum_pipeline.foundation.frames import dump_json

        passed, _ = split_exclusions(self.requires())
        bars = {t: task.output()["prices"].read_frame() for t, task in passed.items()}
        folder = self.folder(Layout.BUNDLE)
        with built_folder(folder) as building:  # a fresh folder, renamed in whole
            manifest = ingest_bundle(bars, building, self.date)
            (building / self.output().file.name).write_text(dump_json(manifest))
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
    preload = ("pandas", "pyarrow.parquet", "momentum_pipeline.backtest.checked_run")

    def requires(self) -> dict[str, luigi.Task | dict[str, ValidatePrices]]:
        return {"signals": self.clone(GenerateSignals), "bundle": self.clone(IngestBundle),
                "prices": {t: self.clone(ValidatePrices, ticker=t) for t in priced_tickers()}}

    def output(self) -> dict[str, DataTarget]:
        files = {name: f"{name}.parquet" for name in RESULT_FRAMES} | {"summary": "summary.json"}
        return {name: self.target(Layout.BACKTEST, file) for name, file in files.items()}

    def produce(self) -> None:
        from dataclasses import asdict

        from momentum_pipeline.backtest.checked_run import run_and_check

        config = backtest().settings().config(self.date, benchmark_ticker())
        inputs = self.input()
        manifest = inputs["bundle"].read_json()
        weights = inputs["signals"]["weights"]
        provenance = weights.provenance()
        strategy = provenance.parameters.get("strategy", {}).get("name", "target_weights")
        checked = run_and_check(
            weights.read_frame(), manifest,
            lambda ticker: inputs["prices"][ticker]["prices"].read_frame(), config,
            strategy=strategy, sample_data=provenance.sample_data,
            zipline_root=inputs["bundle"].file.parent, run_date=self.date, log=self.log,
            where=weights.path)
        result, summary = checked.result, checked.summary
        derived = provenance.derive(self.task_id, parameters={
            **self.parameters(), "start": summary["start"], "end": summary["end"],
            "capital": config.capital, "benchmark": config.benchmark, **asdict(config.costs)},
            inputs={"bundle": manifest["timestamp"], "tickers": len(manifest["tickers"])})
        outputs = self.output()
        for name in RESULT_FRAMES:
            outputs[name].write_frame(getattr(result, name), derived)
        outputs["summary"].write_json(summary)
        metrics = summary["strategy_metrics"]
        self.log.info("%s: total return %s, sharpe %s, max drawdown %s; vectorised check %s",
                      self.date, metrics["total_return"], metrics["sharpe"],
                      metrics["max_drawdown"], checked.comparison)
