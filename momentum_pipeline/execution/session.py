"""A day's orders through the C++ order engine (``order_engine``): risk checks, the
paper venue, the journal; and what came back, as frames."""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import order_engine as oe
import pandas as pd

SIDES = {"BUY": oe.Side_Buy, "SELL": oe.Side_Sell}
FILL_COLUMNS = ["client_order_id", "ticker", "side", "quantity", "price"]
OUTCOME_COLUMNS = ["status", "filled_quantity", "average_price", "reason", "message"]
#: Statuses of orders that reached the venue.
SENT = ("FILLED", "PARTIALLY_FILLED", "RESTING", "CANCELLED", "EXPIRED")


class ExecutionRefused(RuntimeError):
    """ExecuteTrades will not act (no confirmation, no usable venue): nothing was sent."""


@dataclass(frozen=True)
class ExecutionSettings:
    """Capital (dollars) and the engine's limits: shares, dollars, fractions of the close."""

    capital: float
    max_order_quantity: int
    max_order_notional: float
    max_position_quantity: int
    max_position_notional: float
    max_gross_exposure: float
    price_collar: float
    max_orders_per_second: float
    paper_levels: int
    paper_level_spacing: float
    paper_level_notional: float
    live_venue: str = ""

    @classmethod
    def from_config(cls, config: Any) -> ExecutionSettings:
        """From an object with one attribute per field (the ``[execution]`` section)."""
        return cls(**{f.name: getattr(config, f.name) for f in fields(cls)})

    def engine_config(self, journal: Path) -> oe.EngineConfig:
        config = oe.EngineConfig()
        limits = config.limits
        limits.max_order_quantity = self.max_order_quantity
        limits.max_order_notional = self.max_order_notional
        limits.max_position_quantity = self.max_position_quantity
        limits.max_position_notional = self.max_position_notional
        limits.max_gross_exposure = self.max_gross_exposure
        limits.price_collar = self.price_collar
        limits.max_orders_per_second = self.max_orders_per_second
        config.liquidity.levels = self.paper_levels
        config.liquidity.level_spacing = self.paper_level_spacing
        config.liquidity.level_notional = self.paper_level_notional
        config.journal_path = str(journal)
        return config


def open_engine(venue: str, settings: ExecutionSettings, journal: Path) -> oe.Engine:
    """The journalled engine on ``venue``: replays the journal (positions, ids sent).

    Only the paper venue is built in; ``live`` refuses, saying why, before anything
    is opened: unconfigured, or configured without an adapter in this build.
    """
    if venue == "live":
        if not settings.live_venue:
            raise ExecutionRefused(
                "venue 'live' is not configured ([execution] live_venue is empty); "
                "the paper venue is the default. Nothing was sent.")
        raise ExecutionRefused(
            f"live venue adapter {settings.live_venue!r} ([execution] live_venue) is not "
            "built into this order engine: only the paper venue is. Nothing was sent.")
    if venue != "paper":
        raise ExecutionRefused(f"unknown venue {venue!r}: expected 'paper' or 'live'. "
                               "Nothing was sent.")
    journal.parent.mkdir(parents=True, exist_ok=True)
    return oe.Engine(settings.engine_config(journal))


def outcome(report: oe.OrderReport) -> dict[str, Any]:
    """The engine's answer for one order, in report columns."""
    rejected = report.status == oe.OrderStatus_Rejected
    return {"status": oe.order_status_name(report.status),
            "filled_quantity": int(report.filled_quantity),
            "average_price": float(report.average_price) if report.filled_quantity else float("nan"),
            "reason": oe.reject_reason_name(report.reason) if rejected else "",
            "message": report.message}


def log_line(order: dict[str, Any]) -> str:
    """One line of the trade log: the order and what became of it."""
    line = (f"{order['client_order_id']}: {order['side']} {order['quantity']} {order['ticker']} "
            f"limit {order['limit_price']:.2f} DAY (close {order['reference_price']:.2f}) -> "
            f"{order['status']}")
    if order["filled_quantity"]:
        line += f" {order['filled_quantity']} @ {order['average_price']:.4f}"
    return f"{line}: {order['message']}" if order["message"] else line


@dataclass(frozen=True)
class ExecutionResult:
    """The plan with each order's outcome, our fills, and the positions after the session."""

    orders: pd.DataFrame      # plan columns + OUTCOME_COLUMNS
    fills: pd.DataFrame       # FILL_COLUMNS, in the order they happened
    positions: dict[str, int]
    gross_exposure: float     # dollars at reference prices


def execute_plan(engine: oe.Engine, plan: pd.DataFrame, log: logging.Logger,
                 prefix: str = "") -> ExecutionResult:
    """Submits the plan in order, then ends the session (unfilled DAY remainders
    expire). Each order is logged as it returns; ``prefix`` starts every line."""
    outcomes: dict[str, dict[str, Any]] = {}
    fills: list[dict[str, Any]] = []
    for order in plan.to_dict("records"):
        report = engine.submit(oe.new_order(order["client_order_id"], order["ticker"],
                                            SIDES[order["side"]], int(order["quantity"]),
                                            float(order["limit_price"])))
        fills.extend({"client_order_id": f.client_order_id, "ticker": f.symbol,
                      "side": oe.side_name(f.side), "quantity": int(f.quantity),
                      "price": float(f.price)} for f in report.fills)
        outcomes[order["client_order_id"]] = outcome(report)
        log.info("%s%s", prefix, log_line({**order, **outcomes[order["client_order_id"]]}))
    for report in engine.end_of_day():
        outcomes[report.client_order_id] = outcome(report)
        log.info("%s%s: DAY remainder expired at the end of the session, %d of %d filled",
                 prefix, report.client_order_id, report.filled_quantity, report.quantity)
    results = pd.DataFrame([outcomes[i] for i in plan["client_order_id"]], columns=OUTCOME_COLUMNS)
    return ExecutionResult(orders=pd.concat([plan, results.set_index(plan.index)], axis=1),
                           fills=pd.DataFrame(fills, columns=FILL_COLUMNS),
                           positions={k: int(v) for k, v in engine.positions().items()},
                           gross_exposure=float(engine.gross_exposure()))


def in_doubt(engine: oe.Engine) -> list[dict[str, Any]]:
    """Orders the journal shows as sent without a final state: never re-sent; a person
    reconciles them with the venue."""
    return [{"client_order_id": r.client_order_id, "ticker": r.symbol,
             "side": oe.side_name(r.side), "quantity": int(r.quantity),
             "filled_quantity": int(r.filled_quantity), "message": r.message}
            for r in engine.in_doubt()]
