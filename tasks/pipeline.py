"""Wrapper tasks: what a daily run and a research run consist of.

``ExecuteTrades`` is deliberately absent from both: it runs only when a person
names it.
"""

from __future__ import annotations

import luigi

from tasks.base import PipelineTask
from tasks.universe import benchmark_ticker, universe_tickers
from tasks.validate import ValidatePrices


class DailyPipeline(PipelineTask, luigi.WrapperTask):
    """Everything automatic for the run date: fetch through report."""

    def requires(self):
        tickers = (*universe_tickers(), benchmark_ticker())
        return [ValidatePrices(date=self.date, ticker=t) for t in dict.fromkeys(tickers)]
