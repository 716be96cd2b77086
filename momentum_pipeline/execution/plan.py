"""What ExecuteTrades decides around the engine, as pure functions: the reference
prices of the targets, the tickers that need an order but have no usable price, the
targets too small for one whole share, the holdings it leaves alone, and the header
of the execution report. The task reads the
files, logs what these return and passes them on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from momentum_pipeline.execution.orders import reference_prices, target_shares
from momentum_pipeline.foundation.provenance import sample_data_label

#: Why a priced, non-zero target gets no order: its whole shares round to zero.
ROUNDS_TO_ZERO = "skipped: rounds to 0 shares"


@dataclass(frozen=True)
class PlanInput:
    """The session's targets (weights by ticker), their reference closes (dollars) and
    the tickers without one, with why (no close that session, not validated, excluded
    from the day)."""

    session: pd.Timestamp
    target: pd.Series
    prices: pd.Series
    missing: dict[str, str]

    def unpriced(self, positions: Mapping[str, int]) -> dict[str, str]:
        """The tickers without a price that matter: a non-zero target or a held position.
        No order is sent for them; the report lists them as NO_REFERENCE_PRICE."""
        return {t: why for t, why in self.missing.items()
                if (t in self.target.index and self.target[t]) or positions.get(t)}

    def rounds_to_zero(self, positions: Mapping[str, int], capital: float) -> dict[str, str]:
        """The priced, non-zero targets whose whole shares of ``capital`` (dollars) are 0
        while none are held, with why: no order is planned for them, so the task logs
        and reports each rather than dropping it. (Shares held are sold to the 0 target
        by an ordinary order.)"""
        skipped = {}
        for ticker, price in self.prices.items():
            weight = float(self.target[ticker])
            if weight and not positions.get(ticker) and not target_shares(weight, capital, price):
                skipped[ticker] = (f"{ROUNDS_TO_ZERO}: target weight {weight:.2%} of capital "
                                   f"{capital:,.2f} is {abs(weight) * capital:,.2f} dollars, "
                                   f"less than one share at {price:,.2f}")
        return skipped

    def held_outside(self, positions: Mapping[str, int]) -> dict[str, int]:
        """Shares held in tickers outside the targets, by ticker: left alone (a ticker
        out of the universe or the day is never sold because of it)."""
        return {t: int(shares) for t, shares in sorted(positions.items())
                if shares and t not in self.target.index}


def plan_input(target: pd.Series, session: pd.Timestamp, closes: Mapping[str, pd.Series],
               excluded: Mapping[str, str]) -> PlanInput:
    """``closes``: the validated closes by ticker (those of tickers outside ``target``
    are not used); ``excluded``: the universe tickers excluded from the day, with the
    exclusion's summary. A target without a validated close has no price; an excluded
    ticker says why, held or targeted."""
    prices, missing = reference_prices({t: c for t, c in closes.items() if t in target.index},
                                       session)
    missing.update({t: "not in the universe's validated prices"
                    for t in target.index if t not in closes})
    missing.update({t: f"excluded from the day: {why}" for t, why in excluded.items()})
    return PlanInput(session=session, target=target, prices=prices, missing=missing)


def report_header(*, day: dt.date, session: pd.Timestamp, venue: str, capital: float,
                  journal: Path, limits: Mapping[str, float | int],
                  trading_state: Mapping[str, Any], sample_data: bool,
                  provenance: dict[str, Any]) -> dict[str, Any]:
    """The opening of ``summary.json``: what was run, on what, the risk limits the
    engine enforced (read back from it) and the trading state a person set."""
    return {"date": day.isoformat(), "session": session.date().isoformat(), "venue": venue,
            "capital": capital, "journal": str(journal), "limits": dict(limits),
            "trading_state": dict(trading_state),
            **sample_data_label(sample_data), "provenance": provenance}
