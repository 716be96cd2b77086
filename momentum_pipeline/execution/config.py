"""ExecuteTrades' settings (``[execution]``): the capital, every pre-trade risk limit
the order engine enforces, the paper venue's simulated market, the FIX venue's
session and the order journal,
each once with its default, unit and help.

The one home of these values: the engine gets every limit from here (its C++
``RiskLimits`` defaults never decide), and ``summary.json`` records the limits in
force. Light to import (no engine), so ``tasks.config`` can derive the section.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ExecutionSettings:
    """ExecuteTrades: the capital the target weights apply to, the order engine's
    pre-trade risk limits, the paper venue's simulated market and the order journal.
    Limits are in shares, dollars at the run date's close, and fractions of it."""

    capital: float = field(default=1_000_000.0, metadata={
        "unit": "dollars", "help": "Equity the target weights are fractions of."})
    max_order_quantity: int = field(default=100_000, metadata={
        "unit": "shares", "help": "Shares in one order."})
    max_order_notional: float = field(default=150_000.0, metadata={
        "unit": "dollars", "help": "Dollars in one order, at its limit."})
    max_position_quantity: int = field(default=200_000, metadata={
        "unit": "shares", "help": "|Shares| held in one ticker."})
    max_position_notional: float = field(default=150_000.0, metadata={
        "unit": "dollars", "help": "|Dollars| held in one ticker, at the close."})
    max_gross_exposure: float = field(default=1_500_000.0, metadata={
        "unit": "dollars", "help": "Dollars of all |positions| together, at the close."})
    price_collar: float = field(default=0.05, metadata={
        "unit": "fraction of the close",
        "help": "Largest distance of a limit price from the close; orders are priced at "
                "half of it."})
    max_orders_per_second: float = field(default=200.0, metadata={
        "unit": "orders per second",
        "help": "Accepted orders per second: a guard against a runaway loop."})
    paper_levels: int = field(default=10, metadata={
        "unit": "levels", "help": "Price levels per side of the paper market."})
    paper_level_spacing: float = field(default=0.0005, metadata={
        "unit": "fraction of the close", "help": "Paper market: distance between levels."})
    paper_level_notional: float = field(default=250_000.0, metadata={
        "unit": "dollars", "help": "Paper market: dollars offered at each level."})
    fix_settings: Path | None = field(default=None, metadata={
        "help": "The QuickFIX settings file of the FIX venue (--venue fix), as "
                "config/fix/session.cfg.example; keep it outside the repository."})
    fix_logon_timeout: float = field(default=10.0, metadata={
        "unit": "seconds", "help": "FIX venue: how long to wait for the broker's Logon."})
    fix_answer_timeout: float = field(default=5.0, metadata={
        "unit": "seconds",
        "help": "FIX venue: how long an order waits for its final execution report; "
                "past it the order is in doubt."})
    journal: Path | None = field(default=None, metadata={
        "help": "The order journal (positions carry over in it); empty: "
                "executions/journal.log under the data root."})

    @classmethod
    def from_config(cls, config: Any) -> ExecutionSettings:
        """From an object with one attribute per field (the ``[execution]`` section)."""
        return cls(**{f.name: getattr(config, f.name) for f in fields(cls)})
