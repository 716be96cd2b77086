"""A SQLite file rewritten so that the same content always gives the same bytes.

A database's bytes follow the order its tables and indexes were created in, and
its rows inserted in. zipline's asset writer creates indexes in the order of a
Python set, which changes from process to process, so two ingestions of the same
bars gave different ``assets-7.sqlite`` files. Rebuilt here in one fixed order
(tables by name, their rows by value, then indexes, views and triggers by name),
the file depends on the content only (and on SQLite's file format).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

#: What is created after the rows are in, in this order (tables come first).
_LATER_KINDS = ("index", "view", "trigger")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def canonicalize(database: Path) -> None:
    """Rewrite ``database`` in canonical order, in place (through a file beside it
    renamed over it, so a failure leaves the original)."""
    database = Path(database)
    rebuilt = database.with_name(f".{database.name}.canonical-{os.getpid()}")
    rebuilt.unlink(missing_ok=True)
    try:
        with contextlib.closing(sqlite3.connect(rebuilt)) as target:
            target.execute("ATTACH DATABASE ? AS source", (str(database),))
            schema = target.execute(
                "SELECT type, name, sql FROM source.sqlite_master "
                "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                "ORDER BY name").fetchall()
            tables = [(name, sql) for kind, name, sql in schema if kind == "table"]
            for name, sql in tables:
                target.execute(sql)
                width = len(target.execute(f"PRAGMA main.table_info({_quoted(name)})").fetchall())
                order = ", ".join(str(column) for column in range(1, width + 1))
                target.execute(f"INSERT INTO main.{_quoted(name)} "
                               f"SELECT * FROM source.{_quoted(name)} ORDER BY {order}")
            for kind in _LATER_KINDS:
                for found, _, sql in schema:
                    if found == kind:
                        target.execute(sql)
            version = target.execute("PRAGMA source.user_version").fetchone()[0]
            target.execute(f"PRAGMA main.user_version = {int(version)}")
            target.commit()
            target.execute("DETACH DATABASE source")
        os.replace(rebuilt, database)
    except BaseException:
        rebuilt.unlink(missing_ok=True)
        raise
