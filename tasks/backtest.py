"""IngestBundle and BacktestStrategy: the zipline backtest of the target weights."""

from __future__ import annotations

import json
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


class IngestBundle(PipelineTask):
    """The run's cleaned bars (universe and benchmark) as a zipline bundle in
    ``zipline/<date>/``, the bundle's own ``ZIPLINE_ROOT``, with its ``bundle.json``
    (sids, date ranges, why no splits or dividends). Both are built in a fresh folder
    beside it and renamed into place together, so no run deletes a folder that another
    may be writing."""

    reads = (universe,)
    preload = ("pandas", "pyarrow.parquet", "momentum_pipeline.backtest.bundle")

    def requires(self) -> dict[str, ValidatePrices]:
        return {t: ValidatePrices(date=self.date, ticker=t) for t in priced_tickers()}

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(self.dated_path("zipline", "bundle.json")))

    def produce(self) -> None:
        from momentum_pipeline.backtest.bundle import ingest_bundle
        from momentum_pipeline.foundation.built_folder import built_folder
        from momentum_pipeline.foundation.frames import dump_json, read_parquet

        passed, _ = split_exclusions(self.requires())
        bars = {t: read_parquet(task.output()["prices"].path) for t, task in passed.items()}
        manifest_path = Path(self.output().path)
        folder = manifest_path.parent
        with built_folder(folder) as building:
            manifest = ingest_bundle(bars, building, self.date)
            (building / manifest_path.name).write_text(dump_json(manifest))
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
        return {"signals": GenerateSignals(date=self.date), "bundle": IngestBundle(date=self.date),
                "prices": {t: ValidatePrices(date=self.date, ticker=t) for t in priced_tickers()}}

    def output(self) -> dict[str, luigi.LocalTarget]:
        files = {name: f"{name}.parquet" for name in RESULT_FRAMES} | {"summary": "summary.json"}
        return {name: luigi.LocalTarget(str(self.dated_path("backtest_results", file)))
                for name, file in files.items()}

    def produce(self) -> None:
        from dataclasses import asdict

        from momentum_pipeline.backtest.checked_run import run_and_check
        from momentum_pipeline.foundation.frames import dump_json, read_parquet, read_provenance, write_parquet

        config = backtest().settings().config(self.date, benchmark_ticker())
        inputs = self.input()
        bundle_file = Path(inputs["bundle"].path)
        manifest = json.loads(bundle_file.read_text())
        weights_path = inputs["signals"]["weights"].path
        provenance = read_provenance(weights_path)
        strategy = provenance.parameters.get("strategy", {}).get("name", "target_weights")
        checked = run_and_check(
            read_parquet(weights_path), manifest,
            lambda ticker: read_parquet(inputs["prices"][ticker]["prices"].path), config,
            strategy=strategy, sample_data=provenance.sample_data,
            zipline_root=bundle_file.parent, run_date=self.date, log=self.log,
            where=weights_path)
        result, summary = checked.result, checked.summary
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
                      metrics["max_drawdown"], checked.comparison)
