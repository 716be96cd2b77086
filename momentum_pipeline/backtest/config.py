"""The backtest's settings as one frozen, checked value: period, capital and costs.

Bad settings fail here, with the setting and the expected value named, before
any price is read or zipline starts.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from momentum_pipeline.backtest.costs import CostModel
from momentum_pipeline.calendar import sessions


@dataclass(frozen=True)
class BacktestConfig:
    """Period ``[start, end]`` (dates; trading happens on the NYSE sessions in it),
    starting ``capital`` in dollars, the ``benchmark`` ticker and the trading costs."""

    start: dt.date
    end: dt.date
    capital: float
    benchmark: str
    costs: CostModel = field(default_factory=CostModel)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.capital) and self.capital > 0):
            raise ValueError(f"backtest capital must be a positive number of dollars, "
                             f"got {self.capital}")
        if self.start > self.end:
            raise ValueError(f"backtest start {self.start} is after its end {self.end}")

    def simulated_sessions(self, first_bar: pd.Timestamp, last_bar: pd.Timestamp) -> pd.DatetimeIndex:
        """The NYSE sessions to simulate, given the first and last session with bars.

        zipline prices the first simulated session against the one before, so the
        period must start at least one session after the first bar.
        """
        available = sessions(first_bar, last_bar)
        period = f"backtest period {self.start}..{self.end}"
        covered = f"the cleaned bars cover {first_bar.date()}..{last_bar.date()}"
        simulated = available[(available >= pd.Timestamp(self.start))
                              & (available <= pd.Timestamp(self.end))]
        if simulated.empty:
            raise ValueError(f"{period} has no sessions with data: {covered}")
        if simulated[0] == available[0]:
            raise ValueError(f"{period} starts on the first session with data "
                             f"({available[0].date()}): zipline needs one session before "
                             f"the start; start on or after {available[1].date()}")
        if pd.Timestamp(self.end) > last_bar:
            raise ValueError(f"{period} ends after the last session with data: {covered}")
        return simulated
