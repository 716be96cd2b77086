"""The order journal seen from Python: its records, its checksums (zlib's CRC-32), and
a damaged tail reported as JournalCorruptedError with the line and byte offset."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

import order_engine as oe


def journalled(path: Path) -> oe.Engine:
    config = oe.EngineConfig()
    config.journal_path = str(path)
    engine = oe.Engine(config)
    engine.set_reference_price("AAPL", 100.0)
    return engine


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    path = tmp_path / "journal.log"
    with journalled(path) as engine:
        engine.submit(oe.new_order("D-AAPL-BUY-1", "AAPL", oe.Side_Buy, 10, 101.0))
        engine.submit(oe.new_order("D-AAPL-SELL-1", "AAPL", oe.Side_Sell, 4, None,
                                   oe.TimeInForce_Ioc))
    return path


def test_journal_records_submit_fill_status_in_order_for_each_order(journal):
    records = oe.read_journal(str(journal))
    assert [(r.sequence, oe.record_kind_name(r.kind), r.client_order_id) for r in records] == [
        (1, "SUBMIT", "D-AAPL-BUY-1"), (2, "FILL", "D-AAPL-BUY-1"), (3, "STATUS", "D-AAPL-BUY-1"),
        (4, "SUBMIT", "D-AAPL-SELL-1"), (5, "FILL", "D-AAPL-SELL-1"),
        (6, "STATUS", "D-AAPL-SELL-1")]
    assert records[0].quantity == 10 and records[4].quantity == 4


def test_journal_lines_end_in_the_zlib_crc32_of_the_rest(journal):
    for line in journal.read_bytes().splitlines():
        body, _, checksum = line.rpartition(b"\t")
        assert int(checksum, 16) == zlib.crc32(body)


def test_reopened_engine_restores_positions_and_sent_ids(journal):
    with journalled(journal) as engine:
        assert engine.position("AAPL") == 6
        assert engine.was_sent("D-AAPL-BUY-1")
        again = engine.submit(oe.new_order("D-AAPL-BUY-1", "AAPL", oe.Side_Buy, 10, 101.0))
        assert again.status == oe.OrderStatus_Duplicate
        assert engine.position("AAPL") == 6


def test_a_second_engine_on_the_same_journal_is_refused(journal):
    with journalled(journal):
        with pytest.raises(RuntimeError, match="locked by another process"):
            journalled(journal)


@pytest.mark.parametrize("damage", ["torn", "flipped"])
def test_a_damaged_tail_raises_journal_corrupted_error_with_line_and_offset(journal, damage):
    text = journal.read_bytes()
    last = text.rstrip(b"\n").rfind(b"\n") + 1
    if damage == "torn":
        journal.write_bytes(text[:-4])
    else:
        journal.write_bytes(text[:last + 2] + b"9" + text[last + 3:])
    for open_it in (lambda: oe.read_journal(str(journal)), lambda: journalled(journal)):
        with pytest.raises(oe.JournalCorruptedError) as raised:
            open_it()
        assert (raised.value.line, raised.value.offset) == (6, last)
        assert "Never cut the journal by hand" in str(raised.value)


def test_records_cut_at_a_line_boundary_are_detected_by_the_head_file(journal):
    """Every line left is intact, so only the head file (records and bytes committed)
    tells that two records are gone; no repair can bring back the ids they held."""
    text = journal.read_bytes()
    cut = text[:text.rstrip(b"\n").rfind(b"\n") + 1]
    cut = cut[:cut.rstrip(b"\n").rfind(b"\n") + 1]
    journal.write_bytes(cut)
    for open_it in (lambda: oe.read_journal(str(journal)), lambda: journalled(journal)):
        with pytest.raises(oe.JournalCorruptedError, match="but 6 records .* were committed"):
            open_it()
    with pytest.raises(RuntimeError, match="it was cut"):
        oe.repair_journal(str(journal))
    assert journal.read_bytes() == cut


def test_repair_cuts_a_write_torn_after_the_last_commit_and_keeps_the_damaged_copy(journal):
    text = journal.read_bytes()
    journal.write_bytes(text + text[:30])  # a crash inside the next write: never sent
    said = oe.repair_journal(str(journal))
    assert "cut 30 bytes" in said and journal.read_bytes() == text
    assert Path(said.rsplit(" ", 1)[1]).read_bytes() == text + text[:30]
    with journalled(journal) as engine:
        assert engine.position("AAPL") == 6
