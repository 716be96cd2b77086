"""canonicalize: the same content gives the same bytes, whatever order it was made in."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from momentum_pipeline.foundation.canonical_sqlite import canonicalize

TABLES = ("CREATE TABLE equities (sid INTEGER PRIMARY KEY, symbol TEXT UNIQUE)",
          "CREATE TABLE mappings (sid INTEGER, company_symbol TEXT)")
INDEXES = ("CREATE INDEX ix_mappings_sid ON mappings (sid)",
           "CREATE INDEX ix_mappings_company_symbol ON mappings (company_symbol)")
ROWS = [(0, "AAPL"), (1, "BRK-B"), (2, "SPY")]


def database(path: Path, indexes: tuple[str, ...], rows: list[tuple[int, str]]) -> Path:
    with contextlib.closing(sqlite3.connect(path)) as db:
        for statement in (*TABLES, *indexes):
            db.execute(statement)
        db.executemany("INSERT INTO equities VALUES (?, ?)", rows)
        db.executemany("INSERT INTO mappings VALUES (?, ?)", rows)
        db.commit()
    return path


def content(path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return sorted(db.iterdump())


def test_canonicalize_when_indexes_were_made_in_another_order_then_bytes_are_identical(
        tmp_path):
    first = database(tmp_path / "first.sqlite", INDEXES, ROWS)
    second = database(tmp_path / "second.sqlite", INDEXES[::-1], ROWS[::-1])
    assert first.read_bytes() != second.read_bytes()
    before = content(first)

    canonicalize(first)
    canonicalize(second)

    assert first.read_bytes() == second.read_bytes()
    assert content(first) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.sqlite", "second.sqlite"]
