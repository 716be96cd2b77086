"""ExecuteTrades on the FIX venue, run as a person runs it (a ``luigi`` process of its
own) against order_engine_fix_simulator, a real QuickFIX acceptor on loopback, and
killed with SIGKILL: before the send, after the send but before the answer, while the
venue fills the order in pieces, and right after a dropped connection. Each rerun
reconciles with the venue first; the simulator sees every client order id at most once,
the positions equal what the venue filled, and the journal verifies. A halted trading
state sends nothing (the simulator sees no Logon), a journal cut behind a finished day
fails loudly without sending, a day the venue rejects entirely needs attention until a
rerun acts, and a whole day from the real data's signals fills every order once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest

import order_engine as oe
from tests.conftest import REAL_OHLCV, REPO, cli_command, free_port, run_cli
from tests.integration.execution_inputs import DATE, WEIGHTS, expected_shares, write_inputs
from tests.integration.test_execute_trades import trading
from tests.integration.test_execute_trades_crash import (alerts, execute_trades,
                                                         execute_trades_args, journal,
                                                         journal_command, kill_after_submit,
                                                         submits)
from tests.integration.test_execute_trades_fix import session_file, simulator_process

__all__ = ["kill_after_submit"]  # a fixture (the preload library), imported to be used here

#: The day's orders go AAPL, JPM, MSFT (XOM's weight is 0).
WANTED = {t: expected_shares(t, w) for t, w in WEIGHTS.items() if w}


class Venue:
    """The simulator's port, its orders log and output, and the session file naming it."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.port = free_port()
        self.settings = session_file(tmp_path, self.port)
        self.orders_log = tmp_path / "simulator-orders.log"
        self.output = tmp_path / "simulator.out"

    def simulator(self, *flags: str, closes: dict[str, float] | None = None):
        return simulator_process(self.tmp_path, self.port, self.orders_log, *flags,
                                 closes=closes)

    def received(self) -> Counter[str]:
        log = self.orders_log
        return Counter(log.read_text().split()) if log.exists() else Counter()


@pytest.fixture
def venue(tmp_path: Path) -> Venue:
    return Venue(tmp_path)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "var"
    write_inputs(root)
    return root


def on_fix(venue: Venue) -> tuple[str, ...]:
    return ("--confirm", DATE.isoformat(), "--venue", "fix",
            "--execution-fix-settings", str(venue.settings))


def run_on_fix(root: Path, venue: Venue, env: dict[str, str] | None = None):
    return execute_trades(root, *on_fix(venue), env=env)


def kill_at_submit(root: Path, venue: Venue, library: Path, order: str) -> None:
    """ExecuteTrades killed by the preload library once ``order``'s SUBMIT record is
    durable, before the engine sends it."""
    killed = run_on_fix(root, venue, env={
        "LD_PRELOAD": str(library), "KILL_AFTER_SUBMIT_JOURNAL": os.path.realpath(journal(root)),
        "KILL_AFTER_SUBMIT_ORDER": order})
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]


def kill_when(root: Path, venue: Venue, ready: Callable[[], bool]) -> None:
    """ExecuteTrades started in a process group of its own, SIGKILLed (the whole group)
    as soon as ``ready()``."""
    command, environment = cli_command(*execute_trades_args(root, *on_fix(venue)))
    with open(venue.tmp_path / "killed.out", "w") as out:
        process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=out, stderr=out,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not ready():
            assert process.poll() is None, (venue.tmp_path / "killed.out").read_text()[-3000:]
            assert time.monotonic() < deadline, "ExecuteTrades never got there"
            time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def journal_fills(root: Path) -> dict[str, int]:
    """Shares filled per ticker, as the journal's FILL records say."""
    filled: Counter[str] = Counter()
    for record in oe.read_journal(str(journal(root))):
        if record.kind == oe.RecordKind_Fill:
            filled[record.symbol] += int(record.quantity)
    return dict(filled)


def report(root: Path, name: str) -> Path:
    return root / "executions" / DATE.isoformat() / name


def positions(root: Path) -> dict[str, int]:
    return pd.read_csv(report(root, "positions.csv")).set_index("ticker")["shares"].to_dict()


def assert_day_done_once(root: Path, venue: Venue, rerun) -> None:
    """The rerun finished the day: every id at the simulator once, positions at the
    targets and equal to the journal's fills, the journal verifies."""
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert max(venue.received().values()) == 1, venue.received()
    assert positions(root) == WANTED
    assert journal_fills(root) == WANTED
    summary = json.loads(report(root, "summary.json").read_text())
    assert (summary["venue"], summary["outcome"]) == ("fix", "done")
    verified = journal_command(root, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_execute_trades_on_fix_when_killed_before_send_then_the_rerun_sends_it_under_a_new_id(
        root, venue, kill_after_submit):
    second = f"{DATE}-JPM-BUY-1"
    with venue.simulator():
        kill_at_submit(root, venue, kill_after_submit, second)
        assert submits(root) == [f"{DATE}-AAPL-BUY-1", second]
        assert venue.received() == Counter([f"{DATE}-AAPL-BUY-1"])  # never got JPM's

        rerun = run_on_fix(root, venue)  # the venue does not know it: REJECTED, spent
    assert_day_done_once(root, venue, rerun)
    orders = pd.read_csv(report(root, "orders.csv")).set_index("ticker")
    assert orders.loc["JPM", "client_order_id"] == f"{DATE}-JPM-BUY-2"
    assert "AAPL" not in orders.index  # filled before the kill, not sent again
    assert venue.received() == Counter([f"{DATE}-AAPL-BUY-1", f"{DATE}-JPM-BUY-2",
                                        f"{DATE}-MSFT-BUY-1"])


def test_execute_trades_on_fix_when_killed_before_the_answer_then_the_rerun_books_the_fill(
        root, venue):
    first = f"{DATE}-AAPL-BUY-1"
    with venue.simulator("--delay-ms", "3000"):
        kill_when(root, venue, lambda: first in venue.received())
        assert submits(root) == [first]
        assert journal_fills(root) == {}  # the answer had not come

        rerun = run_on_fix(root, venue)  # the venue filled it meanwhile
    assert_day_done_once(root, venue, rerun)
    assert venue.received() == Counter(f"{DATE}-{t}-BUY-1" for t in WANTED)
    assert "RECONCILED with the venue" in (root / "logs" / "trade_exec.log").read_text()


def test_execute_trades_on_fix_when_killed_while_it_fills_in_pieces_then_booked_once(
        root, venue):
    """The engine journals an order's execution reports in one commit once its answer is
    final, and the simulator sends the pieces of ``--partial`` back to back, so the kill
    comes while the venue fills the order in two pieces that the engine never heard of:
    the rerun asks the venue and books the whole order once, resending nothing."""
    first = f"{DATE}-AAPL-BUY-1"
    with venue.simulator("--partial", "2", "--delay-ms", "2000"):
        kill_when(root, venue, lambda: first in venue.received())
        assert submits(root) == [first] and journal_fills(root) == {}

        rerun = run_on_fix(root, venue)
    assert_day_done_once(root, venue, rerun)
    assert venue.received() == Counter(f"{DATE}-{t}-BUY-1" for t in WANTED)
    aapl = [r for r in oe.read_journal(str(journal(root)))
            if r.kind == oe.RecordKind_Fill and r.client_order_id == first]
    assert sum(int(r.quantity) for r in aapl) == WANTED["AAPL"]  # not twice


def test_execute_trades_on_fix_when_killed_after_the_connection_dropped_then_reconciled(
        root, venue, kill_after_submit):
    """The connection drops before the second order's answer (the venue traded it); the
    process is killed as it journals the third, before sending it. The rerun, against
    the same venue, books the second as the venue filled it and sends the third anew."""
    dropped, third = f"{DATE}-JPM-BUY-1", f"{DATE}-MSFT-BUY-1"
    with venue.simulator("--drop-after", "2"):
        kill_at_submit(root, venue, kill_after_submit, third)
        assert f"dropping the connection after order {dropped}" in venue.output.read_text()
        assert submits(root) == [f"{DATE}-AAPL-BUY-1", dropped, third]
        assert journal_fills(root) == {"AAPL": WANTED["AAPL"]}  # JPM's answer was dropped

        rerun = run_on_fix(root, venue)
    assert_day_done_once(root, venue, rerun)
    assert venue.received() == Counter([f"{DATE}-AAPL-BUY-1", dropped, f"{DATE}-MSFT-BUY-2"])
    orders = pd.read_csv(report(root, "orders.csv")).set_index("ticker")["client_order_id"]
    assert orders.to_dict() == {"MSFT": f"{DATE}-MSFT-BUY-2"}  # JPM reconciled, not resent


def test_execute_trades_on_fix_when_trading_is_halted_then_refuses_before_the_logon(root, venue):
    halted = trading(root, "halt", "--by", "ana", "--why", "broker outage")
    assert halted.returncode == 0, halted.stderr
    with venue.simulator():
        refused = run_on_fix(root, venue)
    assert refused.returncode != 0
    assert "trading is HALTED, set by ana" in alerts(root) and "broker outage" in alerts(root)
    assert venue.received() == Counter()
    assert "logon" not in venue.output.read_text()  # no message left the engine
    assert not journal(root).exists()
    assert not report(root, "summary.json").exists()


def test_execute_trades_on_fix_when_records_were_cut_from_the_journal_then_fails_and_sends_nothing(
        root, venue):
    with venue.simulator():
        assert run_on_fix(root, venue).returncode == 0
        sent = venue.received()
        lines = journal(root).read_bytes().splitlines(keepends=True)
        journal(root).write_bytes(b"".join(lines[:-3]))  # MSFT's SUBMIT, FILL, STATUS
        assert Path(oe.journal_head_path(str(journal(root)))).exists()
        report(root, "summary.json").unlink()

        cut = run_on_fix(root, venue)
    assert cut.returncode != 0
    assert f"but {len(lines)} records" in alerts(root) and "were committed" in alerts(root)
    assert str(journal(root)) in alerts(root)
    assert venue.received() == sent
    assert not report(root, "summary.json").exists()


def test_execute_trades_on_fix_when_the_venue_rejects_all_then_needs_attention_until_rerun(
        tmp_path, venue):
    root = tmp_path / "var"
    write_inputs(root, weights={"AAPL": 0.10, "JPM": 0.0, "MSFT": 0.0, "XOM": 0.0})
    refused = f"{DATE}-AAPL-BUY-1"
    with venue.simulator("--reject", "AAPL"):
        rejected = run_on_fix(root, venue)
    assert rejected.returncode == 30, rejected.stderr[-3000:]  # needs attention
    assert refused in alerts(root) and "rejected" in alerts(root)
    summary = json.loads(report(root, "summary.json").read_text())
    assert summary["outcome"] == "needs attention"
    assert positions(root).get("AAPL", 0) == 0

    with venue.simulator():  # the broker fixed its side: the rerun acts
        rerun = run_on_fix(root, venue)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    orders = pd.read_csv(report(root, "orders.csv")).set_index("ticker")
    assert (orders.loc["AAPL", "client_order_id"], orders.loc["AAPL", "status"]) == (
        f"{DATE}-AAPL-BUY-2", "FILLED")
    assert positions(root) == {"AAPL": WANTED["AAPL"]}
    assert json.loads(report(root, "summary.json").read_text())["outcome"] == "done"
    assert venue.received() == Counter([refused, f"{DATE}-AAPL-BUY-2"])
    assert journal_command(root, "verify").returncode == 0


@pytest.mark.slow
def test_execute_trades_on_fix_when_run_on_the_real_data_signals_then_every_order_fills_once(
        tmp_path, venue):
    """The whole default universe from the real daily prices: GenerateSignals, then the
    day's orders on the FIX venue, which fills each at the close the plan priced it at."""
    root = tmp_path / "var"
    day = ("--local-scheduler", "--date", DATE.isoformat(), "--paths-root", str(root),
           "--data-source", "csv", "--data-csv-dir", str(REAL_OHLCV))
    signals = run_cli("GenerateSignals", *day, timeout=600)
    assert signals.returncode == 0, signals.stderr[-3000:]
    cleaned = root / "data" / "cleaned" / DATE.isoformat()
    closes = {path.stem: float(pd.read_parquet(path)["close"].iloc[-1])
              for path in cleaned.glob("*.parquet")}

    with venue.simulator(closes=closes):
        executed = run_cli("ExecuteTrades", *day, *on_fix(venue), timeout=600)
    assert executed.returncode == 0, executed.stderr[-3000:]
    orders = pd.read_csv(report(root, "orders.csv"))
    assert len(orders) > 10 and (orders["status"] == "FILLED").all(), orders
    assert venue.received() == Counter(orders["client_order_id"])  # each id once
    fills = pd.read_csv(report(root, "fills.csv"))
    for fill in fills.itertuples():
        assert fill.price == pytest.approx(round(closes[fill.ticker], 4), abs=1e-4)
    filled = fills.groupby("ticker")["quantity"].sum().to_dict()
    held = {t: s for t, s in positions(root).items() if s}
    assert held == filled == journal_fills(root)
    assert filled == orders.set_index("ticker")["quantity"].to_dict()
