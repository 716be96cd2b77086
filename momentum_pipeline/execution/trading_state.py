"""The trading state a person sets for the order engine's kill switch: ACTIVE, REDUCING
(only orders that shrink a position) or HALTED (nothing is sent; ExecuteTrades refuses
to start). It lives in a file under the data root, so it holds across runs and restarts
until a person changes it, and every change is kept with who, why and when."""

from __future__ import annotations

import datetime as dt
import json
import socket
from pathlib import Path
from typing import Any

#: The states, as the engine names them (``order_engine.trading_state_name``).
STATES = ("ACTIVE", "REDUCING", "HALTED")
#: The state of a root where nobody ever set one.
UNSET = {"state": "ACTIVE", "by": None, "why": "never set", "time": None, "host": None}


def read_trading_state(path: Path) -> dict[str, Any]:
    """The state recorded at ``path`` (ACTIVE when none was ever set); a file that does
    not parse or names no known state raises ValueError naming it: trading stops rather
    than guess."""
    if not path.exists():
        return dict(UNSET)
    try:
        record = json.loads(path.read_text())
    except ValueError as error:
        raise ValueError(f"{path}: not a trading-state record ({error})") from None
    if not isinstance(record, dict) or record.get("state") not in STATES:
        raise ValueError(f"{path}: the trading state must be one of {', '.join(STATES)}, "
                         f"not {record.get('state') if isinstance(record, dict) else record!r}")
    return record


def new_trading_state(state: str, by: str, why: str) -> dict[str, Any]:
    """The record of a person setting ``state``, with when and on which host."""
    if state not in STATES:
        raise ValueError(f"trading state {state!r}: one of {', '.join(STATES)}")
    if not by.strip() or not why.strip():
        raise ValueError("a trading state is set by someone (--by) for a reason (--why)")
    return {"state": state, "by": by, "why": why, "host": socket.gethostname(),
            "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}


def describe(record: dict[str, Any]) -> str:
    if record.get("by") is None:
        return f"{record['state']} (never set)"
    return f"{record['state']}, set by {record['by']} at {record['time']} on {record['host']}: {record['why']}"
