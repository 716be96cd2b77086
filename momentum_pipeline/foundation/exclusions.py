"""Partial failure: a ticker whose data is unusable is excluded from the day, not the day
from the ticker.

Per-ticker stages turn a :class:`TickerDataError` into an exclusion (the ticker, the
stage, the reason); the cross-sectional stages run on the tickers that passed and
record the ones left out. The day itself fails only when the benchmark is excluded
or more than a set share of the universe is (:func:`screen_universe`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any


class TickerDataError(Exception):
    """A ticker's input data is unusable (the source cannot deliver it, it fails its
    schema, a quality rule rejects it). ``transient`` errors (the network) are tried
    again on the next run; the others only once the input changes."""

    transient = False


class DayFailed(RuntimeError):
    """The day cannot be computed: the benchmark, or too much of the universe, is excluded."""


@dataclass(frozen=True)
class Exclusion:
    """A ticker left out of the day: at which ``stage`` and why."""

    ticker: str
    stage: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """``XOM (ValidatePrices: first line of the reason)``."""
        first_line = self.reason.splitlines()[0] if self.reason else ""
        return f"{self.ticker} ({self.stage}: {first_line})"


def screen_universe(universe: Iterable[str], exclusions: Mapping[str, Exclusion],
                    benchmark: str, max_excluded_fraction: float) -> tuple[str, ...]:
    """The universe tickers that passed; raises :class:`DayFailed` when the benchmark is
    excluded or more than ``max_excluded_fraction`` (a fraction of the universe) is."""
    universe = tuple(universe)
    if benchmark in exclusions:
        excluded = exclusions[benchmark]
        raise DayFailed(f"the benchmark {benchmark} is excluded, so the day cannot be "
                        f"computed; fix its data and rerun. {excluded.stage}: {excluded.reason}")
    excluded = [exclusions[t] for t in universe if t in exclusions]
    if universe and len(excluded) / len(universe) > max_excluded_fraction:
        listed = "; ".join(e.summary() for e in excluded)
        raise DayFailed(f"{len(excluded)} of {len(universe)} universe tickers are excluded "
                        f"({len(excluded) / len(universe):.0%}, more than the "
                        f"{max_excluded_fraction:.0%} allowed by --universe-max-excluded-fraction)"
                        f": {listed}")
    passed = tuple(t for t in universe if t not in exclusions)
    if not passed:
        raise DayFailed("no universe ticker passed: nothing to compute")
    return passed
