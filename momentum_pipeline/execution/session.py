"""A day's orders through the C++ order engine (``order_engine``): risk checks, the
paper or FIX venue, the journal; and what came back, as frames."""

from __future__ import annotations

import logging
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import order_engine as oe
import pandas as pd

from momentum_pipeline.execution.config import ExecutionSettings

SIDES = {"BUY": oe.Side_Buy, "SELL": oe.Side_Sell}
FILL_COLUMNS = ["client_order_id", "ticker", "side", "quantity", "price"]
OUTCOME_COLUMNS = ["status", "filled_quantity", "average_price", "reason", "message"]
#: Statuses of orders that reached the venue.
SENT = ("FILLED", "PARTIALLY_FILLED", "RESTING", "CANCELLED", "EXPIRED")
#: paper: the simulated market in the engine; fix: a broker's FIX 4.4 session.
VENUES = ("paper", "fix")


class ExecutionRefused(RuntimeError):
    """ExecuteTrades will not act (no confirmation, no usable venue): nothing was sent."""


class ExecutionNeedsAttention(RuntimeError):
    """The day's orders went out, but some are in doubt or were rejected: a person
    resolves the cause, then a rerun finishes the day."""


def journal_problem(journal: Path) -> str | None:
    """Why the journal at ``journal`` does not verify (records and head, as the engine
    checks them at open); ``None`` when it does or does not exist yet."""
    if not journal.exists() and not Path(oe.journal_head_path(str(journal))).exists():
        return None
    try:
        oe.read_journal(str(journal))
    except (oe.JournalCorruptedError, OSError) as error:
        return str(error)
    return None


def struct_fields(struct: type) -> tuple[str, ...]:
    """The fields of a bound C++ struct (``oe.RiskLimits``), in declaration order."""
    return tuple(n for n, v in vars(struct).items() if isinstance(v, property) and n != "thisown")


#: Every limit of the engine's ``RiskLimits``: each is set from the settings, none is
#: left to its C++ default (a limit added in C++ fails here until the settings have it).
RISK_LIMITS = struct_fields(oe.RiskLimits)
#: The paper venue's ``LiquidityProfile`` fields, set from ``paper_<field>``.
PAPER_MARKET = struct_fields(oe.LiquidityProfile)


def engine_config(settings: ExecutionSettings, journal: Path) -> oe.EngineConfig:
    """Every risk limit and paper-market value set explicitly from ``settings``: the
    C++ defaults of ``RiskLimits`` and ``LiquidityProfile`` never decide."""
    config = oe.EngineConfig()
    for name in RISK_LIMITS:
        setattr(config.limits, name, getattr(settings, name))
    for name in PAPER_MARKET:
        setattr(config.liquidity, name, getattr(settings, f"paper_{name}"))
    config.journal_path = str(journal)
    return config


def limits_in_force(engine: oe.Engine) -> dict[str, float | int]:
    """The risk limits the engine enforces, read back from it (for the report)."""
    limits = engine.limits()
    return {name: getattr(limits, name) for name in RISK_LIMITS}


def open_engine(venue: str, settings: ExecutionSettings, journal: Path,
                reports: list[Path] = ()) -> oe.Engine:
    """The journalled engine on ``venue``: replays the journal (positions, ids sent);
    on ``fix`` it logs on to ``[execution] fix_settings``' session first. An unknown
    venue, a FIX venue the module was built without or whose session does not log on
    refuses, as does a missing journal where execution ``reports`` show orders went out
    before (a new journal would forget their ids and positions, and send them again)."""
    if venue not in VENUES:
        raise ExecutionRefused(f"unknown venue {venue!r}: one of {', '.join(VENUES)}. "
                               "Nothing was sent.")
    if venue == "fix" and not oe.built_with_fix():
        raise ExecutionRefused("the fix venue needs the order engine built with QuickFIX: "
                               "install the Debian package libquickfix-dev (scripts/"
                               "system-deps.sh test), then reinstall momentum-pipeline. "
                               "Nothing was sent.")
    if venue == "fix" and settings.fix_settings is None:
        raise ExecutionRefused("the fix venue needs [execution] fix_settings, a QuickFIX "
                               "settings file (config/fix/session.cfg.example). "
                               "Nothing was sent.")
    if reports and not journal.exists():
        raise ExecutionRefused(f"order journal {journal} is missing, but {len(reports)} "
                               f"execution report(s) show orders were sent ({reports[-1]}): "
                               "restore the journal from a backup. Nothing was sent.")
    journal.parent.mkdir(parents=True, exist_ok=True)
    if venue == "paper":
        return oe.Engine(engine_config(settings, journal))
    try:
        return oe.open_fix_engine(engine_config(settings, journal), str(settings.fix_settings),
                                  settings.fix_logon_timeout, settings.fix_answer_timeout)
    except RuntimeError as error:
        raise ExecutionRefused(f"{error}. Nothing was sent.") from None


def set_trading_state(engine: oe.Engine, record: dict[str, Any]) -> None:
    """Put the engine's kill switch in the state a person set
    (:mod:`momentum_pipeline.execution.trading_state`); it checks it before every send."""
    states = {oe.trading_state_name(s): s for s in
              (oe.TradingState_Active, oe.TradingState_Reducing, oe.TradingState_Halted)}
    engine.set_trading_state(states[record["state"]])


#: The final states a person may give an order in doubt.
RESOLVED_STATES = {"FILLED": oe.OrderStatus_Filled, "CANCELLED": oe.OrderStatus_Cancelled,
                   "EXPIRED": oe.OrderStatus_Expired, "REJECTED": oe.OrderStatus_Rejected}


def resolve_order(engine: oe.Engine, client_order_id: str, status: str, filled: int,
                  price: float) -> dict[str, Any]:
    """Journal the final state of an order in doubt (as the venue reports it): its
    fills move the position, and its symbol trades again. Raises ValueError for an
    order not in doubt or a state that does not add up."""
    if status not in RESOLVED_STATES:
        raise ValueError(f"status {status!r}: an order in doubt resolves to "
                         f"{', '.join(RESOLVED_STATES)}")
    report = engine.resolve(client_order_id, RESOLVED_STATES[status], filled, price)
    return {"client_order_id": report.client_order_id, "ticker": report.symbol,
            "side": oe.side_name(report.side), "quantity": int(report.quantity),
            "status": oe.order_status_name(report.status),
            "filled_quantity": int(report.filled_quantity),
            "average_price": float(report.average_price) if report.filled_quantity else None}


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


#: How long each venue's orders work. The paper book fills a DAY order's remainder as the
#: session goes on and expires it at the end; a FIX order is IOC, so its final report
#: comes while the engine waits for it (the venue interface is synchronous: fills of an
#: order a broker acknowledged as resting would arrive unasked).
TIME_IN_FORCE = {"paper": oe.TimeInForce_Day, "fix": oe.TimeInForce_Ioc}


def execute_plan(engine: oe.Engine, plan: pd.DataFrame, log: logging.Logger,
                 prefix: str = "", venue: str = "paper") -> ExecutionResult:
    """Submits the plan in order, with the venue's time in force, then ends the session
    (unfilled DAY remainders expire). Each order is logged as it returns; ``prefix``
    starts every line."""
    outcomes: dict[str, dict[str, Any]] = {}
    fills: list[dict[str, Any]] = []
    for order in plan.to_dict("records"):
        report = engine.submit(oe.new_order(order["client_order_id"], order["ticker"],
                                            SIDES[order["side"]], int(order["quantity"]),
                                            float(order["limit_price"]), TIME_IN_FORCE[venue]))
        fills.extend({"client_order_id": f.client_order_id, "ticker": f.symbol,
                      "side": oe.side_name(f.side), "quantity": int(f.quantity),
                      "price": float(f.price)} for f in report.fills)
        outcomes[order["client_order_id"]] = outcome(report)
        log.info("%s%s", prefix, log_line({**order, **outcomes[order["client_order_id"]]}))
    for report in engine.end_of_day():
        outcomes[report.client_order_id] = outcome(report)
        if report.status == oe.OrderStatus_InDoubt:  # the venue's cancel did not add up
            log.warning("%sIN DOUBT %s", prefix, report.message)
            continue
        log.info("%s%s: DAY remainder expired at the end of the session, %d of %d filled",
                 prefix, report.client_order_id, report.filled_quantity, report.quantity)
    results = pd.DataFrame([outcomes[i] for i in plan["client_order_id"]], columns=OUTCOME_COLUMNS)
    return ExecutionResult(orders=pd.concat([plan, results.set_index(plan.index)], axis=1),
                           fills=pd.DataFrame(fills, columns=FILL_COLUMNS),
                           positions={k: int(v) for k, v in engine.positions().items()},
                           gross_exposure=float(engine.gross_exposure()))


def simulator_session(settings: Path, store: Path, port: int) -> Path:
    """Writes to ``settings`` the session with the local FIX simulator on ``port``
    (``config/fix/simulator.cfg``), its sequence numbers kept in ``store``."""
    from tasks.config import CONFIG_DIR

    template = string.Template((CONFIG_DIR / "fix" / "simulator.cfg").read_text())
    settings.write_text(template.substitute(store=store, port=port))
    return settings


def refused_by_venue(journal: Path) -> set[str]:
    """Client order ids the venue refused outright (a REJECTED status, nothing filled),
    as the journal records them: sent, so never sent again, while the order itself may
    go again under the next id (:func:`~momentum_pipeline.execution.orders.client_order_id`)."""
    records = oe.read_journal(str(journal)) if journal.exists() else []
    filled = {r.client_order_id for r in records if r.kind == oe.RecordKind_Fill}
    return {r.client_order_id for r in records
            if r.kind == oe.RecordKind_Status and r.status == oe.OrderStatus_Rejected} - filled


def reconcile(engine: oe.Engine) -> list[dict[str, Any]]:
    """Asks the venue about each order in doubt, before anything is sent: those it
    reports final are journalled as it says (one it never received as REJECTED, nothing
    filled), the others stay in doubt. The paper venue cannot tell: nothing changes."""
    return [{"client_order_id": r.client_order_id, "ticker": r.symbol,
             "status": oe.order_status_name(r.status),
             "filled_quantity": int(r.filled_quantity),
             "average_price": float(r.average_price) if r.filled_quantity else None}
            for r in engine.reconcile()]


def in_doubt(engine: oe.Engine) -> list[dict[str, Any]]:
    """Orders the journal shows as sent without a final state: never re-sent; a person
    reconciles them with the venue."""
    return [{"client_order_id": r.client_order_id, "ticker": r.symbol,
             "side": oe.side_name(r.side), "quantity": int(r.quantity),
             "filled_quantity": int(r.filled_quantity), "message": r.message}
            for r in engine.in_doubt()]
