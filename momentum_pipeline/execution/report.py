"""ExecuteTrades' report: the files of ``executions/<date>/`` as text, so the task
only writes them (atomically, ``summary.json`` last: with ``outcome`` "done" it marks
the day's execution complete; "needs attention" lists the problems a person must
resolve before a rerun can finish the day)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from momentum_pipeline.execution import REPORT_FILES
from momentum_pipeline.execution.session import SENT, ExecutionResult
from momentum_pipeline.foundation.frames import dump_json

REJECTION_COLUMNS = ["client_order_id", "ticker", "side", "quantity", "reason", "message"]
POSITION_COLUMNS = ["ticker", "shares", "reference_price", "market_value", "weight",
                    "target_weight"]


def appended(frame: pd.DataFrame, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """``rows`` (column -> value, the missing ones empty) after ``frame``'s rows. Empty
    parts are left out of the concatenation (pandas deprecates typing columns by them)."""
    parts = [part for part in (frame, pd.DataFrame(rows, columns=frame.columns)) if len(part)]
    return pd.concat(parts, ignore_index=True) if parts else frame


def rejections(orders: pd.DataFrame, unpriced: Mapping[str, str]) -> pd.DataFrame:
    """Orders the risk checks refused, and tickers that needed an order but had no
    usable close (reason NO_REFERENCE_PRICE): nothing of these was sent."""
    refused = orders.loc[orders["status"] == "REJECTED", REJECTION_COLUMNS]
    return appended(refused, [{"client_order_id": "", "ticker": t, "side": "", "quantity": 0,
                               "reason": "NO_REFERENCE_PRICE", "message": why}
                              for t, why in sorted(unpriced.items())])


def skipped_rows(skipped: Mapping[str, str], target: pd.Series,
                 prices: pd.Series) -> list[dict[str, Any]]:
    """Targets that got no order because their whole shares round to 0 (status SKIPPED,
    reason ROUNDS_TO_0_SHARES), with the weight, the close (dollars) and why."""
    return [{"client_order_id": "", "ticker": t, "side": "", "quantity": 0,
             "reference_price": float(prices[t]), "target_weight": float(target[t]),
             "current_shares": 0, "target_shares": 0, "status": "SKIPPED",
             "filled_quantity": 0, "reason": "ROUNDS_TO_0_SHARES", "message": why}
            for t, why in sorted(skipped.items())]


def positions_frame(positions: Mapping[str, int], prices: pd.Series, target: pd.Series,
                    capital: float) -> pd.DataFrame:
    """Shares held after the session, valued at the reference close, beside the target
    weight (fractions of capital). Tickers held outside the targets show no target."""
    tickers = sorted({t for t, shares in positions.items() if shares}
                     | {t for t, w in target.items() if w})
    frame = pd.DataFrame({"ticker": tickers,
                          "shares": [int(positions.get(t, 0)) for t in tickers],
                          "reference_price": [prices.get(t, float("nan")) for t in tickers],
                          "target_weight": [target.get(t, float("nan")) for t in tickers]})
    frame["market_value"] = frame["shares"] * frame["reference_price"]
    frame["weight"] = frame["market_value"] / capital
    return frame[POSITION_COLUMNS]


#: How a person resolves an order in doubt, once the venue (or the broker) says what became of it.
RESOLVE_COMMAND = ("python -m tasks.commands.journal resolve --order {id} --status "
                   "FILLED|CANCELLED|EXPIRED --filled <shares> --price <average> --by <name> "
                   "--why <text>")


def problems(orders: pd.DataFrame, in_doubt: list[dict[str, Any]]) -> list[str]:
    """What a person must look at before the day counts as done: orders in doubt (nothing
    more is sent in their symbols until each is resolved) and orders rejected (the
    target is not reached; a rerun after fixing the cause sends them)."""
    said = [f"order {o['client_order_id']} ({o['side']} {o['quantity']} {o['ticker']}, "
            f"{o['filled_quantity']} filled) is in doubt: ask the venue what became of it, then "
            f"{RESOLVE_COMMAND.format(id=o['client_order_id'])}" for o in in_doubt]
    rejected = orders[orders["status"] == "REJECTED"]
    said += [f"order {r.client_order_id} ({r.side} {r.quantity} {r.ticker}) rejected: {r.message}"
             for r in rejected.itertuples()]
    if len(orders) and len(rejected) == len(orders):
        said.append(f"nothing could be sent: all {len(orders)} orders were rejected")
    return said


def status_counts(orders: pd.DataFrame) -> dict[str, int]:
    counts = orders["status"].value_counts()
    return {"planned": len(orders), "sent": int(orders["status"].isin(SENT).sum()),
            **{status: int(n) for status, n in sorted(counts.items())}}


def report_files(result: ExecutionResult, *, target: pd.Series, prices: pd.Series,
                 unpriced: Mapping[str, str], skipped: Mapping[str, str],
                 in_doubt: list[dict[str, Any]], header: dict[str, Any],
                 warning: str | None) -> dict[str, str]:
    """File name -> text. ``skipped``: targets whose shares round to 0, with why: the
    last rows of orders.csv and a list of summary.json. ``header`` opens summary.json
    (date, venue, capital, journal, provenance, ...); ``warning`` (SAMPLE DATA) becomes a
    column of every CSV."""
    capital = float(header["capital"])
    orders_csv, fills_csv, rejections_csv, positions_csv, summary_json = REPORT_FILES
    unordered = skipped_rows(skipped, target, prices)
    frames = {orders_csv: appended(result.orders, unordered), fills_csv: result.fills,
              rejections_csv: rejections(result.orders, unpriced),
              positions_csv: positions_frame(result.positions, prices, target, capital)}
    texts = {name: (frame.assign(warning=warning) if warning else frame).to_csv(index=False)
             for name, frame in frames.items()}
    held = frames[positions_csv]
    attention = problems(result.orders, in_doubt)
    texts[summary_json] = dump_json({
        **header,
        "outcome": "needs attention" if attention else "done",
        "problems": attention,
        "orders": status_counts(result.orders),
        "fills": len(result.fills),
        "rejections": len(frames[rejections_csv]),
        "skipped": [{k: row[k] for k in ("ticker", "target_weight", "reference_price", "reason",
                                         "message")} for row in unordered],
        "in_doubt": in_doubt,
        "positions": int((held["shares"] != 0).sum()),
        "long_value": float(held.loc[held["shares"] > 0, "market_value"].sum()),
        "short_value": float(held.loc[held["shares"] < 0, "market_value"].sum()),
        "gross_exposure": result.gross_exposure,
    })
    return texts
