"""The backtest's settings (``[backtest]``) and the frozen, checked value a run uses:
period, capital and costs.

Bad settings fail here, with the setting and the expected value named, before
any price is read or zipline starts. pandas and the calendar are imported where
used, so the settings stay light to import (``tasks.config`` derives the section).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from momentum_pipeline.backtest.costs import CostModel

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class BacktestSettings:
    """BacktestStrategy: period, capital and trading costs (defaults: zipline's US equity
    costs, filled at the next session's open)."""

    start: dt.date = field(default=dt.date(2015, 1, 2), metadata={
        "help": "First date of the backtest period."})
    end: dt.date | None = field(default=None, metadata={
        "help": "Last date of the period; empty: the run date's session."})
    capital: float = field(default=1_000_000.0, metadata={
        "unit": "dollars", "help": "Starting equity."})
    costs: CostModel = field(default_factory=CostModel)

    def config(self, run_date: dt.date, benchmark: str) -> BacktestConfig:
        """The checked backtest of the run date: ``end`` defaults to its session and may
        not come after it (no prices from the future)."""
        from momentum_pipeline.foundation.calendar import last_session_on_or_before

        end = self.end or last_session_on_or_before(run_date).date()
        if end > run_date:
            raise ValueError(f"backtest end {end} is after the run date {run_date}: "
                             "no prices from the future")
        return BacktestConfig(start=self.start, end=end, capital=self.capital,
                              benchmark=benchmark, costs=self.costs)


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
        import pandas as pd

        from momentum_pipeline.foundation.calendar import sessions

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
