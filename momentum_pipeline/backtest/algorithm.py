"""The zipline algorithm that trades the target weights, and its results as frames.

On a rebalance session (see :mod:`~momentum_pipeline.backtest.targets`) the
algorithm cancels orders still open and orders every ticker to its target
percent of equity (``order_target_percent``: sized on that session's close,
whole shares); orders fill on the next session at the cost model's price. On
other sessions it does nothing, so a run costs little more than zipline's own
bookkeeping. A position in a ticker whose data ends is closed by zipline at the
close of its last bar (the bundle's ``auto_close_date``), without an order or
commission. The benchmark's returns are passed to zipline explicitly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from zipline.algorithm import TradingAlgorithm
from zipline.data.data_portal import DataPortal
from zipline.finance.commission import CommissionModel
from zipline.finance.metrics import (
    PNL, CashFlow, DailyLedgerField, Orders, Returns, SimpleLedgerField, Transactions,
)
from zipline.finance.slippage import LiquidityExceeded, SlippageModel
from zipline.finance.trading import SimulationParameters
from zipline.utils.calendar_utils import get_calendar

from momentum_pipeline.backtest.bundle import load_bundle
from momentum_pipeline.backtest.costs import CostModel
from momentum_pipeline.foundation.calendar import CALENDAR_NAME


class SessionFill(SlippageModel):
    """Fills at the cost model's bar price (``open`` or ``close``) of the session
    after the order, moved by its slippage, up to its share of the session's volume."""

    def __init__(self, costs: CostModel) -> None:
        super().__init__()
        self.costs = costs

    def process_order(self, data, order):
        volume = data.current(order.asset, "volume")
        shares = min(abs(order.open_amount),
                     int(self.costs.volume_limit * volume) - self.volume_for_bar)
        if shares <= 0:
            raise LiquidityExceeded()
        price = data.current(order.asset, self.costs.fill_price)
        return float(self.costs.execution_price(price, order.direction)), shares * order.direction


class CostCommission(CommissionModel):
    """The cost model's commission, charged on every fill."""

    def __init__(self, costs: CostModel) -> None:
        self.costs = costs

    def calculate(self, order, transaction) -> float:
        return float(self.costs.commission_dollars(transaction.amount, transaction.price))


def _metrics() -> set:
    """Only what the outputs need: zipline's default set recomputes risk ratios over
    the whole history every session, which dominates a ten-year run."""
    return {
        Returns(), PNL(), CashFlow(), Orders(), Transactions(), SimpleLedgerField("positions"),
        DailyLedgerField("portfolio.portfolio_value"),
        DailyLedgerField("portfolio.cash", "ending_cash"),
        DailyLedgerField("position_tracker.stats.long_value"),
        DailyLedgerField("position_tracker.stats.short_value"),
        DailyLedgerField("account.gross_leverage"),
        DailyLedgerField("account.net_leverage"),
    }


def benchmark_returns(closes: pd.Series, simulated: pd.DatetimeIndex,
                      ticker: str) -> tuple[pd.Series, list[str]]:
    """Daily returns of the benchmark on the simulated sessions, from its cleaned closes,
    and a note if its bars end before the backtest's last session.

    Returns after its last bar are missing (NaN), never a flat 0: its figures stop there.
    """
    covered = f"its cleaned bars cover {closes.index[0].date()}..{closes.index[-1].date()}"
    before = closes.index[closes.index < simulated[0]]
    if before.empty or simulated[0] not in closes.index:
        raise ValueError(f"benchmark {ticker}: no prices on the backtest's first session "
                         f"{simulated[0].date()} and the one before ({covered})")
    path = closes.reindex(before[-1:].append(simulated))
    returns = path.pct_change(fill_method=None).iloc[1:].rename(ticker)
    missing = int((simulated > closes.index[-1]).sum())
    notes = [f"benchmark {ticker} ends {closes.index[-1].date()}, {missing} "
             f"session{'s' if missing > 1 else ''} before the backtest's end "
             f"{simulated[-1].date()}: its figures stop there"] if missing else []
    return returns, notes


@dataclass(frozen=True)
class BacktestResult:
    """Daily performance, position snapshots, orders (final state) and fills."""

    performance: pd.DataFrame
    positions: pd.DataFrame
    orders: pd.DataFrame
    transactions: pd.DataFrame
    #: (session, ticker) of orders not placed because the ticker had no bar.
    skipped_orders: tuple[tuple[str, str], ...]


def run_backtest(rebalance_targets: pd.DataFrame, sids: Mapping[str, int],
                 simulated: pd.DatetimeIndex, capital: float, costs: CostModel,
                 benchmark: pd.Series, zipline_root: Path, run_date: dt.date) -> BacktestResult:
    """Trade ``rebalance_targets`` (target rows of the rebalance sessions, a column per
    ticker) over the ``simulated`` sessions, on the bundle ingested for ``run_date``.

    ``sids`` maps tickers to the bundle's sids; ``benchmark`` holds the benchmark's
    daily returns on the simulated sessions (NaN after its data ends, as reported;
    zipline's own benchmark metrics, not computed here, would read them as 0);
    ``capital`` is in dollars.
    """
    tickers = list(rebalance_targets.columns)
    plan = {session: row for session, row in zip(rebalance_targets.index,
                                                 rebalance_targets.to_numpy())}
    skipped: list[tuple[str, str]] = []

    bundle = load_bundle(zipline_root, run_date)
    assets = bundle.asset_finder.retrieve_all([sids[t] for t in tickers])
    unclosed = [a for a in assets if a.end_date < simulated[-1] and a.auto_close_date is None]
    if unclosed:
        raise ValueError(f"{zipline_root}: ticker {unclosed[0].symbol}'s bars end "
                         f"{unclosed[0].end_date.date()}, before the backtest's end, but the "
                         "bundle gives it no auto_close_date (ingested by an older version); "
                         "delete its bundle.json to ingest it again")

    def initialize(context) -> None:
        context.set_commission(us_equities=CostCommission(costs))
        context.set_slippage(us_equities=SessionFill(costs))

    def handle_data(context, data) -> None:
        session = data.current_session
        targets = plan.get(session)
        if targets is None:
            return
        for orders in context.get_open_orders().values():
            for order in orders:
                context.cancel_order(order)
        held = context.portfolio.positions
        for asset, weight in zip(assets, targets):
            if weight == 0 and asset not in held:
                continue
            if asset.auto_close_date is not None and asset.auto_close_date <= session:
                continue  # its last bar: zipline closes the position at this close
            if not data.can_trade(asset):
                skipped.append((session.date().isoformat(), asset.symbol))
                continue
            context.order_target_percent(asset, weight)

    calendar = get_calendar(CALENDAR_NAME)
    # No adjustment reader: the prices are adjusted already (see the bundle), and
    # zipline then skips its daily search for splits and dividends.
    portal = DataPortal(bundle.asset_finder, trading_calendar=calendar,
                        first_trading_day=bundle.daily_bars.first_trading_day,
                        equity_daily_reader=bundle.daily_bars)
    algorithm = TradingAlgorithm(
        sim_params=SimulationParameters(start_session=simulated[0], end_session=simulated[-1],
                                        trading_calendar=calendar, capital_base=capital,
                                        data_frequency="daily"),
        data_portal=portal, trading_calendar=calendar, metrics_set=_metrics(),
        benchmark_returns=benchmark, initialize=initialize, handle_data=handle_data)
    perf = algorithm.run()
    perf.index = pd.DatetimeIndex(perf.index.tz_localize(None).normalize(), name="date")
    if not perf.index.equals(simulated):
        raise RuntimeError(f"zipline simulated {len(perf)} sessions, expected {len(simulated)} "
                           f"({simulated[0].date()}..{simulated[-1].date()})")
    order_ids = _order_ids(perf)
    transactions = _transactions(perf, order_ids)
    commission = _daily_commission(perf)
    return BacktestResult(
        performance=_performance(perf, benchmark, transactions, commission),
        positions=_positions(perf),
        orders=_orders(perf, order_ids),
        transactions=transactions,
        skipped_orders=tuple(skipped),
    )


def _order_ids(perf: pd.DataFrame) -> dict[str, str]:
    """zipline's random order ids -> ``<session>-<ticker>``, stable across reruns
    (the algorithm places at most one order per ticker and session)."""
    ids: dict[str, str] = {}
    for orders in perf["orders"]:
        for order in orders:
            if order["id"] not in ids:
                created = pd.Timestamp(order["created"]).tz_localize(None).date()
                ids[order["id"]] = f"{created.isoformat()}-{order['sid'].symbol}"
    return ids


def _positions(perf: pd.DataFrame) -> pd.DataFrame:
    rows = [(session, p["sid"].symbol, p["amount"], p["cost_basis"], p["last_sale_price"])
            for session, positions in zip(perf.index, perf["positions"]) for p in positions]
    frame = pd.DataFrame(rows, columns=["date", "ticker", "shares", "cost_basis", "last_price"])
    frame = frame.astype({"date": "datetime64[ns]", "ticker": str, "shares": "int64",
                          "cost_basis": "float64", "last_price": "float64"})
    frame["market_value"] = frame["shares"] * frame["last_price"]
    equity = perf["portfolio_value"].reindex(frame["date"]).to_numpy()
    frame["weight"] = frame["market_value"] / equity
    return frame


def _orders(perf: pd.DataFrame, order_ids: Mapping[str, str]) -> pd.DataFrame:
    """Every order in its last state: shares asked and filled, commission, status."""
    last: dict[str, dict] = {}
    for orders in perf["orders"]:
        for order in orders:
            last[order["id"]] = order
    rows = [(order_ids[o["id"]], o["sid"].symbol,
             pd.Timestamp(o["created"]).tz_localize(None).normalize(),
             pd.Timestamp(o["dt"]).tz_localize(None).normalize(),
             o["amount"], o["filled"], o["commission"], o["status"].name.lower())
            for o in last.values()]
    frame = pd.DataFrame(rows, columns=["order_id", "ticker", "created", "last_update",
                                        "shares", "filled", "commission", "status"])
    return frame.astype({"order_id": str, "ticker": str, "created": "datetime64[ns]",
                         "last_update": "datetime64[ns]", "shares": "int64", "filled": "int64",
                         "commission": "float64", "status": str})


def _transactions(perf: pd.DataFrame, order_ids: Mapping[str, str]) -> pd.DataFrame:
    """Every fill. One without an order is zipline's close of a position whose data
    ended (the asset's ``auto_close_date``): its id is ``<session>-<ticker>-auto-close``."""
    rows = [(session, t["sid"].symbol, t["amount"], t["price"],
             order_ids[t["order_id"]] if t["order_id"] is not None
             else f"{session.date().isoformat()}-{t['sid'].symbol}-auto-close")
            for session, fills in zip(perf.index, perf["transactions"]) for t in fills]
    frame = pd.DataFrame(rows, columns=["date", "ticker", "shares", "price", "order_id"])
    frame = frame.astype({"date": "datetime64[ns]", "ticker": str, "shares": "int64",
                          "price": "float64", "order_id": str})
    frame["value"] = frame["shares"] * frame["price"]
    return frame


def _daily_commission(perf: pd.DataFrame) -> pd.Series:
    """Dollars of commission charged per session (zipline keeps a running total per order)."""
    charged: dict[str, float] = {}
    daily = np.zeros(len(perf))
    for day, orders in enumerate(perf["orders"]):
        for order in orders:
            daily[day] += order["commission"] - charged.get(order["id"], 0.0)
            charged[order["id"]] = order["commission"]
    return pd.Series(daily, index=perf.index)


def _performance(perf: pd.DataFrame, benchmark: pd.Series, transactions: pd.DataFrame,
                 commission: pd.Series) -> pd.DataFrame:
    """One row per session: dollars, fractions of equity and the position count."""
    traded = (transactions["value"].abs().groupby(transactions["date"]).sum()
              .reindex(perf.index, fill_value=0.0))
    frame = pd.DataFrame({
        "portfolio_value": perf["portfolio_value"],
        "returns": perf["returns"],
        "benchmark_returns": benchmark.reindex(perf.index).to_numpy(),
        "cash": perf["ending_cash"],
        "pnl": perf["pnl"],
        "long_value": perf["long_value"],
        "short_value": perf["short_value"],
        "gross_exposure": perf["gross_leverage"],
        "net_exposure": perf["net_leverage"],
        "traded_value": traded,
        "turnover": traded / perf["portfolio_value"],
        "commission": commission,
        "positions": perf["positions"].map(len).astype("int64"),
    }, index=perf.index)
    return frame.astype({c: "float64" for c in frame.columns if c != "positions"})
