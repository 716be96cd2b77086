"""Wrapper tasks: what a daily run and a research run consist of.

``ExecuteTrades`` is deliberately absent from both: it runs only when a person
names it.
"""

from __future__ import annotations

import luigi

from tasks.backtest import BacktestStrategy
from tasks.base import PipelineTask
from tasks.metrics import CalculateMetrics
from tasks.model import EvaluateModel, TrainModel
from tasks.report import GenerateReport
from tasks.signals import GenerateSignals
from tasks.universe import benchmark_ticker, universe_tickers
from tasks.validate import ValidatePrices


class DailyPipeline(PipelineTask, luigi.WrapperTask):
    """Everything automatic for the run date: fetch through report."""

    def requires(self):
        tickers = (*universe_tickers(), benchmark_ticker())
        return [*(ValidatePrices(date=self.date, ticker=t) for t in dict.fromkeys(tickers)),
                *(CalculateMetrics(date=self.date, ticker=t) for t in dict.fromkeys(tickers)),
                GenerateSignals(date=self.date), BacktestStrategy(date=self.date),
                GenerateReport(date=self.date)]


class Research(PipelineTask, luigi.WrapperTask):
    """DailyPipeline plus the direction model of the default ticker (TSLA): TrainModel,
    EvaluateModel and the research report that includes the model's evaluation.
    Choose the seed with ``--EvaluateModel-random-state``."""

    def requires(self):
        evaluate = EvaluateModel(date=self.date)
        return [DailyPipeline(date=self.date),
                TrainModel(date=self.date, ticker=evaluate.ticker,
                           random_state=evaluate.random_state),
                evaluate, GenerateReport(date=self.date, research=True)]
