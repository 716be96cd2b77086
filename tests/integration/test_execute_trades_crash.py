"""ExecuteTrades as a person runs it (``luigi --module tasks ExecuteTrades ...`` in a
process of its own): killed with SIGKILL between the journal write and the venue
send, then rerun, it never sends an order twice and reports the one in doubt."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pandas as pd

import order_engine as oe
from tests.conftest import run_cli
from tests.integration.execution_inputs import (CAPITAL, DATE, TICKERS, WEIGHTS,
                                                expected_shares, write_inputs)


def execute_trades(root: Path, *extra: str, env: dict[str, str] | None = None):
    return run_cli("ExecuteTrades", "--local-scheduler", "--date", DATE.isoformat(),
                   "--paths-root", str(root), "--universe-tickers", ",".join(TICKERS),
                   "--execution-capital", str(CAPITAL), *extra, env=env, timeout=300)


def submits(root: Path) -> list[str]:
    return [r.client_order_id for r in oe.read_journal(str(root / "executions" / "journal.log"))
            if r.kind == oe.RecordKind_Submit]


def test_execute_trades_killed_before_send_then_rerun_never_sends_an_order_twice(tmp_path):
    root = tmp_path / "var"
    write_inputs(root)
    second = f"{DATE}-JPM-BUY-1"  # orders go AAPL, JPM, MSFT
    killed = execute_trades(root, "--confirm", DATE.isoformat(),
                            env={oe.kKillBeforeSendEnv: second})
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert submits(root) == [f"{DATE}-AAPL-BUY-1", second]
    assert not (root / "executions" / DATE.isoformat() / "summary.json").exists()

    rerun = execute_trades(root, "--confirm", DATE.isoformat())
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert sorted(submits(root)) == sorted(f"{DATE}-{t}-BUY-1" for t, w in WEIGHTS.items() if w)
    report = root / "executions" / DATE.isoformat()
    summary = json.loads((report / "summary.json").read_text())
    assert [o["client_order_id"] for o in summary["in_doubt"]] == [second]
    orders = pd.read_csv(report / "orders.csv").set_index("ticker")["status"]
    assert orders.to_dict() == {"JPM": "DUPLICATE", "MSFT": "FILLED"}  # AAPL was done
    positions = pd.read_csv(report / "positions.csv").set_index("ticker")["shares"]
    assert positions.to_dict() == {"AAPL": expected_shares("AAPL", WEIGHTS["AAPL"]), "JPM": 0,
                                   "MSFT": expected_shares("MSFT", WEIGHTS["MSFT"])}
    assert f"IN DOUBT order {second}" in (root / "logs" / "trade_exec.log").read_text()


def test_execute_trades_from_the_command_line_without_confirmation_says_how_to_confirm(tmp_path):
    root = tmp_path / "var"
    write_inputs(root)
    refused = execute_trades(root)
    assert refused.returncode != 0
    assert f"rerun with --confirm {DATE}" in refused.stderr
    assert not (root / "executions").exists()
