"""``python -m tasks.commands.luigid [luigid options]``: Luigi's central scheduler, with task history.

luigid's task history (``[scheduler] record_task_history``) upgrades its database
schema at start-up with plain SQL strings, which SQLAlchemy 2 (a zipline
dependency here) rejects, so a plain ``luigid`` with history on stops at once
(spotify/luigi#3227). This entry point swaps in the same upgrade written for
SQLAlchemy 2 (through :mod:`tasks.luigi_compat`), then runs luigid unchanged.
``scripts/luigid.sh`` starts it.
"""

from __future__ import annotations

import sqlalchemy
from luigi.cmdline import luigid

from tasks.luigi_compat import replace_history_schema_upgrade


def upgrade_schema(engine: sqlalchemy.engine.Engine) -> None:
    """Add ``tasks.task_id`` to a history database made by an old Luigi (the one
    upgrade a SQLite database can take; a new one is created complete)."""
    columns = {column["name"] for column in sqlalchemy.inspect(engine).get_columns("tasks")}
    if "task_id" not in columns:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text("ALTER TABLE tasks ADD COLUMN task_id VARCHAR(200)"))
            connection.execute(sqlalchemy.text("CREATE INDEX ix_task_id ON tasks (task_id)"))


if __name__ == "__main__":
    replace_history_schema_upgrade(upgrade_schema)
    luigid()
