"""``python -m tasks.commands.journal`` on a real journal: verify lists what is in doubt,
resolve records the venue's answer (and refuses one that does not add up), repair cuts
only a torn write after the last commit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import order_engine as oe
from momentum_pipeline.execution.session import refused_by_venue
from tests.conftest import REPO


def journal_command(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command, *rest = args
    return subprocess.run([sys.executable, "-m", "tasks.commands.journal", command, "--paths-root",
                           str(root), *rest], cwd=REPO, env={**os.environ, "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg")},
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A root whose journal holds a filled order and one resting when the run ended (in
    doubt: the venue may still hold it)."""
    root = tmp_path / "var"
    journal = root / "executions" / "journal.log"
    journal.parent.mkdir(parents=True)
    config = oe.EngineConfig()
    config.journal_path = str(journal)
    with oe.Engine(config) as engine:
        engine.set_reference_price("AAPL", 100.0)
        engine.set_reference_price("KO", 60.0)
        assert engine.submit(oe.new_order("D-KO-BUY-1", "KO", oe.Side_Buy, 5, 61.0)).status \
            == oe.OrderStatus_Filled
        assert engine.submit(oe.new_order("D-AAPL-BUY-1", "AAPL", oe.Side_Buy, 10, 99.0)).status \
            == oe.OrderStatus_Resting
    return root


def test_verify_when_an_order_is_in_doubt_then_lists_it_and_exits_1(root):
    verified = journal_command(root, "verify")
    assert verified.returncode == 1, verified.stderr
    assert "records verify; positions {'KO': 5}" in verified.stdout
    assert "IN DOUBT order D-AAPL-BUY-1" in verified.stdout


def test_resolve_when_the_state_does_not_add_up_then_refused_and_nothing_recorded(root):
    refused = journal_command(root, "resolve", "--order", "D-AAPL-BUY-1", "--status", "FILLED",
                              "--filled", "4", "--price", "99", "--by", "ops", "--why", "test")
    assert refused.returncode == 2 and "FILLED means all 10 shares filled" in refused.stderr
    unknown = journal_command(root, "resolve", "--order", "D-KO-BUY-1", "--status", "CANCELLED",
                              "--filled", "0", "--by", "ops", "--why", "test")
    assert unknown.returncode == 2 and "no order with this id is in doubt" in unknown.stderr
    assert not (root / "executions" / "resolutions.log").exists()
    assert journal_command(root, "verify").returncode == 1


def test_resolve_when_the_venue_filled_it_then_position_moves_and_who_why_recorded(root):
    resolved = journal_command(root, "resolve", "--order", "D-AAPL-BUY-1", "--status", "FILLED",
                               "--filled", "10", "--price", "98.75", "--by", "ana",
                               "--why", "broker drop copy 14:02")
    assert resolved.returncode == 0, resolved.stderr
    record = json.loads((root / "executions" / "resolutions.log").read_text())
    assert {k: record[k] for k in ("by", "why", "status", "filled_quantity", "average_price")} == {
        "by": "ana", "why": "broker drop copy 14:02", "status": "FILLED", "filled_quantity": 10,
        "average_price": 98.75}
    assert record["host"] and record["time"]
    verified = journal_command(root, "verify")
    assert verified.returncode == 0 and "positions {'AAPL': 10, 'KO': 5}" in verified.stdout


def test_resolve_when_the_venue_never_took_it_then_rejected_and_the_order_may_go_again(root):
    resolved = journal_command(root, "resolve", "--order", "D-AAPL-BUY-1", "--status",
                               "REJECTED", "--filled", "0", "--by", "ana",
                               "--why", "broker: no such order")
    assert resolved.returncode == 0, resolved.stderr
    # Spent, never sent again; ExecuteTrades plans the order under the next id.
    assert refused_by_venue(root / "executions" / "journal.log") == {"D-AAPL-BUY-1"}
    verified = journal_command(root, "verify")
    assert verified.returncode == 0 and "IN DOUBT" not in verified.stdout


def test_repair_when_the_last_write_was_torn_then_cut_back_else_refused(root):
    journal = root / "executions" / "journal.log"
    committed = journal.read_bytes()
    journal.write_bytes(committed + b"7\t17000")  # a crash inside the next write
    assert journal_command(root, "verify").returncode == 2
    repaired = journal_command(root, "repair")
    assert repaired.returncode == 0 and "cut 7 bytes" in repaired.stdout
    assert journal.read_bytes() == committed
    damaged = bytearray(committed)
    damaged[5] ^= 1  # inside the first, committed record
    journal.write_bytes(bytes(damaged))
    refused = journal_command(root, "repair")
    assert refused.returncode == 2 and "within committed records" in refused.stderr
    assert journal.read_bytes() == bytes(damaged)
