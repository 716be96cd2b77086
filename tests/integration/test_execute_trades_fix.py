"""ExecuteTrades on the FIX venue against order_engine_fix_simulator, a real QuickFIX
acceptor on loopback: the day's orders fill at the simulator's prices, the simulator
sees each client order id once, and a rerun sends nothing; an order whose answer a
dropped connection took is in doubt until the next run asks the venue; without
fix_settings the task refuses before anything is sent."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd
import pytest
from luigi.execution_summary import LuigiStatusCode

import order_engine as oe
from momentum_pipeline.execution.session import simulator_session
from tasks import ExecuteTrades
from tests.conftest import fix_simulator, free_port, run_tasks
from tests.integration.execution_inputs import (DATE, TICKERS, WEIGHTS, close_on, configure,
                                                expected_shares, write_inputs)




def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def simulator_process(tmp_path: Path, port: int, orders: Path, *flags: str,
                      closes: dict[str, float] | None = None) -> Iterator[None]:
    """The simulator on ``port``, filling at each ticker's close (``closes``, by default
    those of TICKERS on DATE), logging to ``orders``."""
    closes = closes or {t: close_on(t) for t in TICKERS}
    prices = tmp_path / "prices.csv"
    prices.write_text("".join(f"{t},{close:.4f}\n" for t, close in closes.items()))
    with open(tmp_path / "simulator.out", "w") as out:
        process = subprocess.Popen([fix_simulator(), "--port", str(port), "--prices", str(prices),
                                    "--store", str(tmp_path / "simulator-store"),
                                    "--orders-log", str(orders), *flags], stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 10
        while not listening(port) and time.monotonic() < deadline:
            time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def session_file(tmp_path: Path, port: int) -> Path:
    """The QuickFIX settings of a session with the simulator on ``port``."""
    return simulator_session(tmp_path / "session.cfg", tmp_path / "fix-store", port)


@pytest.fixture
def session(tmp_path: Path, pipeline_config) -> tuple[int, Path]:
    """A session file for a simulator on a free port, named by ``[execution]
    fix_settings``; the port and the simulator's orders log."""
    port = free_port()
    pipeline_config.set("execution", "fix_settings", session_file(tmp_path, port))
    return port, tmp_path / "simulator-orders.log"


@pytest.fixture
def simulator(tmp_path: Path, session: tuple[int, Path]) -> Iterator[tuple[int, Path]]:
    """The simulator of the session; its port and orders log."""
    with simulator_process(tmp_path, *session):
        yield session


@pytest.fixture
def root(pipeline_config, data_root: Path) -> Path:
    configure(pipeline_config)
    write_inputs(data_root)
    return data_root


def on_fix() -> ExecuteTrades:
    return ExecuteTrades(date=DATE, confirm=DATE.isoformat(), venue="fix")


def test_execute_trades_on_fix_then_orders_fill_at_the_venue_and_reach_the_targets(
        root, simulator):
    _, orders_log = simulator

    assert run_tasks(on_fix()).status == LuigiStatusCode.SUCCESS

    report = root / "executions" / DATE.isoformat()
    wanted = {t: expected_shares(t, w) for t, w in WEIGHTS.items() if w}
    positions = pd.read_csv(report / "positions.csv").set_index("ticker")["shares"]
    assert positions.to_dict() == wanted
    fills = pd.read_csv(report / "fills.csv")
    for fill in fills.itertuples():
        assert fill.price == pytest.approx(round(close_on(fill.ticker), 4), abs=1e-4)
    summary = json.loads((report / "summary.json").read_text())
    assert (summary["venue"], summary["outcome"]) == ("fix", "done")
    received = Counter(orders_log.read_text().split())
    assert received == Counter(f"{DATE}-{t}-BUY-1" for t in wanted)

    shutil.rmtree(report)  # a rerun of the day: the journal says every id was sent
    assert run_tasks(on_fix()).status == LuigiStatusCode.SUCCESS
    assert Counter(orders_log.read_text().split()) == received


def test_execute_trades_on_fix_when_the_broker_acknowledges_first_then_ioc_fills_are_booked(
        root, session, tmp_path):
    # A broker answers NEW before it trades: a DAY order would stop at the NEW, resting,
    # and its fills would come unasked; the FIX venue's orders are IOC, whose answer ends
    # with the fills.
    port, orders_log = session
    with simulator_process(tmp_path, port, orders_log, "--ack-first"):
        assert run_tasks(on_fix()).status == LuigiStatusCode.SUCCESS
    report = root / "executions" / DATE.isoformat()
    wanted = {t: expected_shares(t, w) for t, w in WEIGHTS.items() if w}
    positions = pd.read_csv(report / "positions.csv").set_index("ticker")["shares"]
    assert positions.to_dict() == wanted
    assert json.loads((report / "summary.json").read_text())["outcome"] == "done"
    submitted = [r for r in oe.read_journal(str(root / "executions" / "journal.log"))
                 if r.kind == oe.RecordKind_Submit]
    assert {r.time_in_force for r in submitted} == {oe.TimeInForce_Ioc}


def test_execute_trades_on_fix_without_settings_then_refuses_and_sends_nothing(root):
    assert run_tasks(on_fix()).status == LuigiStatusCode.FAILED
    assert not (root / "executions" / "journal.log").exists()
    assert not (root / "executions" / DATE.isoformat() / "summary.json").exists()


def test_execute_trades_on_fix_when_the_connection_drops_then_the_next_run_reconciles(
        root, session, tmp_path):
    port, orders_log = session
    with simulator_process(tmp_path, port, orders_log, "--drop-after", "2"):
        assert run_tasks(on_fix()).status == LuigiStatusCode.FAILED
        report = root / "executions" / DATE.isoformat()
        summary = json.loads((report / "summary.json").read_text())
        dropped = f"{DATE}-JPM-BUY-1"  # the second order: its answer never came
        assert summary["outcome"] == "needs attention"
        assert any(dropped in problem and "in doubt" in problem for problem in summary["problems"])
        assert pd.read_csv(report / "orders.csv").set_index("ticker")["status"].to_dict() == {
            "AAPL": "FILLED", "JPM": "IN_DOUBT", "MSFT": "FILLED"}

        shutil.rmtree(report)  # the rerun asks the venue first: it had filled the order
        assert run_tasks(on_fix()).status == LuigiStatusCode.SUCCESS
    wanted = {t: expected_shares(t, w) for t, w in WEIGHTS.items() if w}
    positions = pd.read_csv(report / "positions.csv").set_index("ticker")["shares"]
    assert positions.to_dict() == wanted
    assert Counter(orders_log.read_text().split()) == Counter(f"{DATE}-{t}-BUY-1" for t in wanted)


def test_execute_trades_on_fix_when_the_broker_rejects_then_a_rerun_sends_it_under_a_new_id(
        root, session, tmp_path):
    port, orders_log = session
    refused = f"{DATE}-JPM-BUY-1"
    with simulator_process(tmp_path, port, orders_log, "--reject", "JPM"):
        assert run_tasks(on_fix()).status == LuigiStatusCode.FAILED  # needs attention
    report = root / "executions" / DATE.isoformat()
    summary = json.loads((report / "summary.json").read_text())
    assert any(refused in problem and "rejected" in problem for problem in summary["problems"])

    shutil.rmtree(report)  # the broker fixed its side: the rerun acts
    with simulator_process(tmp_path, port, orders_log):
        assert run_tasks(on_fix()).status == LuigiStatusCode.SUCCESS
    orders = pd.read_csv(report / "orders.csv").set_index("ticker")
    assert orders.loc["JPM", "client_order_id"] == f"{DATE}-JPM-BUY-2"
    assert orders.loc["JPM", "status"] == "FILLED"
    wanted = {t: expected_shares(t, w) for t, w in WEIGHTS.items() if w}
    positions = pd.read_csv(report / "positions.csv").set_index("ticker")["shares"]
    assert positions.to_dict() == wanted
    received = Counter(orders_log.read_text().split())
    assert max(received.values()) == 1 and refused in received  # every id once
