"""Wrapper tasks: what a daily run and a research run consist of.

``ExecuteTrades`` is deliberately absent from both: it runs only when a person
names it.
"""

from __future__ import annotations

import luigi

from tasks.backtest import BacktestStrategy
from tasks.base import PipelineTask, TickerTask
from tasks.config import report as report_settings
from tasks.features import BuildFeatures
from tasks.metrics import CalculateMetrics
from tasks.model import EvaluateModel, TrainModel
from tasks.report import GenerateReport
from tasks.signals import GenerateSignals
from tasks.sweep import SweepStrategy
from tasks.universe import benchmark_ticker, universe_tickers


class TickerExcluded(RuntimeError):
    """A ticker was left out of the day because its data is unusable."""


class ConfirmTicker(TickerTask):
    """Fails while ``ticker`` is excluded from the day, naming the stage and the reason,
    so an exclusion shows as FAILED in luigid and raises an alert, while the
    cross-sectional stages go on without the ticker. Done once the ticker's metrics
    and features are built; a rerun after its input is fixed brings it back."""

    def requires(self) -> dict[str, TickerTask]:
        return {"metrics": self.clone(CalculateMetrics), "features": self.clone(BuildFeatures)}

    def output(self) -> dict:
        return {}

    def build(self) -> None:
        done = self.new_stamp()
        excluded = self.upstream_exclusion()
        if excluded is not None:
            raise TickerExcluded(
                f"{self.ticker} is excluded from {self.date} at {excluded.stage}: "
                f"{excluded.reason}\nThe day goes on without it (see the report's first page). "
                "Fix the input and rerun the same command: the ticker comes back by itself.")
        self.write_stamp(done)


class PipelineWrapper(PipelineTask, luigi.WrapperTask):
    """A task that only names others: done when they are."""

    stamped = False

    @classmethod
    def bulk_complete(cls, parameter_tuples):
        """The run dates already done, for Luigi's range tools (``RangeDaily`` backfills),
        which otherwise infer it from output paths: a weekend date is its Friday's run,
        whose paths hold Friday's date."""
        return [day for day in parameter_tuples if cls(date=day).complete()]

    def run(self) -> None:
        """Nothing to make."""


class DailyPipeline(PipelineWrapper):
    """Everything automatic for the run date: fetch through report. Each ticker's
    stages are confirmed separately, so an excluded ticker fails alone."""

    def requires(self):
        tickers = (*universe_tickers(), benchmark_ticker(), report_settings().deep_dive_ticker)
        return [*(self.clone(ConfirmTicker, ticker=t) for t in dict.fromkeys(tickers)),
                self.clone(GenerateSignals), self.clone(BacktestStrategy),
                self.clone(GenerateReport)]


class Research(PipelineWrapper):
    """DailyPipeline plus the direction model of the default ticker (TSLA): TrainModel,
    EvaluateModel and the research report that includes the model's evaluation; and the
    parameter sweep of the strategy (SweepStrategy). Choose the seed with
    ``--EvaluateModel-random-state``."""

    def requires(self):
        evaluate = self.clone(EvaluateModel)
        return [self.clone(DailyPipeline), evaluate.clone(TrainModel), evaluate,
                self.clone(GenerateReport, research=True), self.clone(SweepStrategy)]
