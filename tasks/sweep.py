"""SweepStrategy: the momentum strategy over a grid of its parameters, with the statistics
that say how much of the best result is luck (part of ``Research``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from momentum_pipeline.foundation.layout import Layout
from tasks.backtest import IngestBundle, priced_tickers
from tasks.base import PipelineTask
from tasks.config import backtest, report, signals, sweep, universe
from tasks.signals import GenerateSignals
from tasks.targets import DataTarget
from tasks.universe import benchmark_ticker
from tasks.validate import ValidatePrices

#: The report's charts, by file name.
CHARTS = ("sweep_heatmaps.png", "sweep_distribution.png", "sweep_held_out.png")


class SweepStrategy(PipelineTask):
    """Every configuration of ``[sweep] grid_file`` backtested with the vectorised engine
    on the run date's data -> ``research/<date>/``: ``sweep.parquet`` (a row per
    configuration: its parameters, in-sample and held-out Sharpe ratio and returns),
    ``sweep.json`` (the choice, its deflated Sharpe ratio and probability of backtest
    overfitting; the choice confirmed by a zipline run), ``sweep_report.html`` and
    ``.pdf`` with the charts. Each
    configuration's daily returns are kept in ``research/<date>/returns/``, so a widened
    grid computes only its new points.
    """

    settings = (sweep, signals, backtest, universe, report)
    preload = ("pandas", "pyarrow.parquet", "momentum_pipeline.research.sweep",
               "matplotlib.figure", "jinja2", "weasyprint")

    def requires(self) -> dict[str, Any]:
        return {"signals": self.clone(GenerateSignals), "bundle": self.clone(IngestBundle),
                "prices": {t: self.clone(ValidatePrices, ticker=t) for t in priced_tickers()}}

    def external_inputs(self) -> dict[str, str]:
        from tasks.completion import file_digest

        return {"grid_sha256": file_digest(sweep().grid_file)}

    def watched_paths(self) -> tuple[Path, ...]:
        return (sweep().grid_file,)

    def output(self) -> dict[str, DataTarget]:
        files = ("sweep.parquet", "sweep.json", *CHARTS, "sweep_report.html", "sweep_report.pdf")
        return {name: self.target(Layout.RESEARCH, name) for name in files}

    def returns_cache(self):
        """Read and store one configuration's daily returns (``research/<date>/returns/``)."""
        from dataclasses import replace

        folder = self.folder(Layout.RESEARCH) / "returns"
        provenance = self.derived(self.input()["signals"]["weights"])  # read once, not per key

        def cached(key: str):
            target = DataTarget(str(folder / f"{key}.parquet"), self.layout)
            return target.read_frame()["returns"] if target.exists() else None

        def store(key: str, returns) -> None:
            DataTarget(str(folder / f"{key}.parquet"), self.layout).write_frame(
                returns.to_frame("returns"),
                replace(provenance, parameters={**provenance.parameters, "configuration": key}))
        return cached, store

    def produce(self) -> None:
        from momentum_pipeline.backtest.checked_run import Market, run_and_check
        from momentum_pipeline.reporting.render import render_html, render_pdf
        from momentum_pipeline.research import charts
        from momentum_pipeline.research.report import sweep_context
        from momentum_pipeline.research.sweep import (configuration_key, evaluate, load_grid,
                                                      sweep_returns)
        from momentum_pipeline.signals import target_weights

        grid_file = sweep().grid_file
        grid = load_grid(grid_file, signals().strategy_file)
        configurations, invalid = grid.configurations()
        generate = self.requires()["signals"]
        passed, _ = generate.screened_universe()
        inputs = generate.signal_inputs(passed)
        config = backtest().settings().config(self.date, benchmark_ticker())
        prices = self.input()["prices"]
        manifest = self.input()["bundle"].read_json()
        market = Market.of(manifest,
                           lambda ticker: prices[ticker]["prices"].read_frame(), config,
                           list(inputs.close.columns))
        returns, computed = sweep_returns(configurations, inputs, market, config,
                                          *self.returns_cache())
        self.log.info("%s: %d configurations (%d computed, %d from earlier runs), %d left out",
                      self.date, len(configurations), computed, len(configurations) - computed,
                      len(invalid))
        result = evaluate(returns, configurations, grid.base, grid.holdout_start, invalid)
        provenance = self.derived(self.input()["signals"]["weights"], grid_file=grid_file.name)
        chosen = {configuration_key(p): p for p in configurations}[result.best]
        confirmed = run_and_check(
            target_weights(inputs, chosen), manifest,
            lambda ticker: prices[ticker]["prices"].read_frame(), config,
            strategy=f"{chosen.name} (sweep choice {result.best})",
            sample_data=provenance.sample_data, zipline_root=self.input()["bundle"].file.parent,
            run_date=self.date, log=self.log, where=f"sweep configuration {result.best}")
        summary = {**result.summary, "grid_file": grid_file.name, "computed": computed,
                   "zipline_confirmation": {
                       "sharpe": confirmed.summary["strategy_metrics"]["sharpe"],
                       "total_return": confirmed.summary["strategy_metrics"]["total_return"],
                       "period": [confirmed.summary["start"], confirmed.summary["end"]],
                       "vectorised_check": confirmed.summary["vectorised_check"]}}

        outputs = self.output()
        outputs["sweep.parquet"].write_frame(result.table, provenance)
        parameters = sorted(grid.values)
        dpi = report().dpi
        drawn = {CHARTS[0]: charts.sharpe_heatmaps(result.table, parameters, dpi),
                 CHARTS[1]: charts.sharpe_distribution(
                     result.table, summary["expected_max_sharpe_by_luck"], result.best, dpi),
                 CHARTS[2]: charts.in_sample_against_held_out(result.table, result.best,
                                                              summary["base"], dpi)}
        for name, image in drawn.items():
            outputs[name].write_bytes(image)
        html = render_html(sweep_context(
            result, parameters, run_date=self.date, grid_file=grid_file.name,
            strategy=grid.base.name, sample_data=provenance.sample_data, charts=list(drawn),
            confirmation=summary["zipline_confirmation"]), "sweep.html.j2")
        outputs["sweep_report.html"].write_text(html)
        outputs["sweep_report.pdf"].write_bytes(render_pdf(html, outputs["sweep_report.html"].file))
        outputs["sweep.json"].write_json(summary)
        self.log.info("%s: best %s, in-sample Sharpe %.2f, held out %.2f; DSR %.3f, PBO %.2f",
                      self.date, result.best, summary["best_sharpe_in_sample"],
                      summary["best_sharpe_held_out"], summary["deflated_sharpe_ratio"],
                      summary["probability_of_backtest_overfitting"])
