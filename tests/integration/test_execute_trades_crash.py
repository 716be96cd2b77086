"""ExecuteTrades as a person runs it (``luigi --module tasks ExecuteTrades ...`` in a
process of its own): killed with SIGKILL between the journal write and the venue
send, then rerun, it never sends an order twice and reports the one in doubt.

The packaged engine has no test hook to kill itself (``ORDER_ENGINE_TEST_HOOKS`` is
for ctest builds only), so the kill comes from ``kill_after_submit.cpp``, preloaded
into the process: right after the journal's fsync that made the order's SUBMIT record
durable, before the engine sends it.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

import order_engine as oe
from tests.conftest import REPO, run_cli
from tests.integration.execution_inputs import (CAPITAL, DATE, TICKERS, WEIGHTS,
                                                expected_shares, write_inputs)

KILL_AFTER_SUBMIT = Path(__file__).with_name("kill_after_submit.cpp")
#: The engine's test hook, compiled into ctest builds only.
TEST_HOOK = "ORDER_ENGINE_KILL_BEFORE_SEND"


@pytest.fixture(scope="module")
def kill_after_submit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The preload library, built with the C++ compiler the engine's build uses."""
    compiler = shutil.which("c++") or shutil.which("g++")
    assert compiler, "no C++ compiler (c++ or g++) to build the crash test's preload library"
    library = tmp_path_factory.mktemp("preload") / "kill_after_submit.so"
    built = subprocess.run([compiler, "-std=c++17", "-shared", "-fPIC", "-O1", "-o", str(library),
                            str(KILL_AFTER_SUBMIT), "-ldl"], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    return library


def execute_trades_args(root: Path, *extra: str, date: dt.date = DATE) -> list[str]:
    """The ``luigi --module tasks`` arguments of ExecuteTrades on ``root``'s inputs."""
    return ["ExecuteTrades", "--local-scheduler", "--date", date.isoformat(), "--paths-root",
            str(root), "--universe-tickers", ",".join(TICKERS), "--execution-capital",
            str(CAPITAL), *extra]


def execute_trades(root: Path, *extra: str, env: dict[str, str] | None = None,
                   date: dt.date = DATE):
    return run_cli(*execute_trades_args(root, *extra, date=date), env=env, timeout=300)


def journal_command(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command, *rest = args
    return subprocess.run([sys.executable, "-m", "tasks.commands.journal", command, "--paths-root",
                           str(root), *rest], cwd=REPO, env={**os.environ, "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg")},
                          capture_output=True, text=True, timeout=120)


def alerts(root: Path) -> str:
    return (root / "logs" / "alerts.log").read_text()


def journal(root: Path) -> Path:
    return root / "executions" / "journal.log"


def submits(root: Path) -> list[str]:
    return [r.client_order_id for r in oe.read_journal(str(journal(root)))
            if r.kind == oe.RecordKind_Submit]


def test_installed_engine_when_built_as_the_package_then_has_no_test_hook():
    extension = Path(importlib.util.find_spec("_order_engine").origin)
    assert not hasattr(oe, "kKillBeforeSendEnv")
    assert TEST_HOOK.encode() not in extension.read_bytes(), extension


def test_execute_trades_killed_before_send_then_never_sends_twice_and_blocks_until_resolved(
        tmp_path, kill_after_submit):
    """Killed between journal and venue, the order is in doubt: the rerun sends the rest,
    alerts and is not done; the next day nothing more goes out in its symbol until a
    person resolves it, and then the day finishes. No client order id is sent twice."""
    root = tmp_path / "var"
    day, next_day = DATE.replace(day=7), DATE
    write_inputs(root, day=day)
    second = f"{day}-JPM-BUY-1"  # orders go AAPL, JPM, MSFT
    killed = execute_trades(root, "--confirm", day.isoformat(), date=day, env={
        "LD_PRELOAD": str(kill_after_submit),
        "KILL_AFTER_SUBMIT_JOURNAL": os.path.realpath(journal(root)),
        "KILL_AFTER_SUBMIT_ORDER": second})
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert oe.read_journal(str(journal(root)))[-1].kind == oe.RecordKind_Submit  # not sent
    assert submits(root) == [f"{day}-AAPL-BUY-1", second]
    assert not (root / "executions" / day.isoformat() / "summary.json").exists()

    rerun = execute_trades(root, "--confirm", day.isoformat(), date=day)
    assert rerun.returncode == 30, rerun.stderr[-3000:]  # in doubt: alerted, not done
    jpm = expected_shares("JPM", WEIGHTS["JPM"], day)
    assert f"order {second} (BUY {jpm} JPM, 0 filled) is in doubt" in alerts(root)
    assert sorted(submits(root)) == sorted(f"{day}-{t}-BUY-1" for t, w in WEIGHTS.items() if w)
    report = root / "executions" / day.isoformat()
    summary = json.loads((report / "summary.json").read_text())
    assert [o["client_order_id"] for o in summary["in_doubt"]] == [second]
    assert summary["outcome"] == "needs attention"
    orders = pd.read_csv(report / "orders.csv").set_index("ticker")["status"]
    assert orders.to_dict() == {"JPM": "DUPLICATE", "MSFT": "FILLED"}  # AAPL was done
    positions = pd.read_csv(report / "positions.csv").set_index("ticker")["shares"]
    assert positions.to_dict() == {"AAPL": expected_shares("AAPL", WEIGHTS["AAPL"], day),
                                   "JPM": 0, "MSFT": expected_shares("MSFT", WEIGHTS["MSFT"], day)}
    assert f"IN DOUBT order {second}" in (root / "logs" / "trade_exec.log").read_text()

    # The next day JPM stays blocked while its order is in doubt; the rest trades.
    write_inputs(root, day=next_day)
    blocked = execute_trades(root, "--confirm", next_day.isoformat(), date=next_day)
    assert blocked.returncode == 30, blocked.stderr[-3000:]
    rejected = pd.read_csv(root / "executions" / next_day.isoformat() / "rejections.csv")
    assert rejected[["ticker", "reason"]].values.tolist() == [["JPM", "IN_DOUBT"]]
    assert f"{next_day}-JPM-BUY-1" not in submits(root)

    # A person asks the venue, which never got it, and resolves it; the day finishes.
    resolved = journal_command(root, "resolve", "--order", second, "--status", "CANCELLED",
                               "--filled", "0", "--by", "ops desk", "--why", "venue: no such order")
    assert resolved.returncode == 0, resolved.stderr
    record = json.loads((root / "executions" / "resolutions.log").read_text())
    assert (record["by"], record["why"], record["client_order_id"], record["status"]) == (
        "ops desk", "venue: no such order", second, "CANCELLED")
    assert journal_command(root, "verify").returncode == 0
    finished = execute_trades(root, "--confirm", next_day.isoformat(), date=next_day)
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert f"{next_day}-JPM-BUY-1" in submits(root)
    assert Counter(submits(root)).most_common(1)[0][1] == 1  # no client order id sent twice


def test_execute_trades_from_the_command_line_without_confirmation_says_how_to_confirm(tmp_path):
    root = tmp_path / "var"
    write_inputs(root)
    refused = execute_trades(root)
    assert refused.returncode != 0
    assert f"rerun with --confirm {DATE}" in refused.stderr
    assert not (root / "executions").exists()
