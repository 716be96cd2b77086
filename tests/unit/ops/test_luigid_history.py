"""luigid's task-history schema upgrade, written for SQLAlchemy 2."""

from __future__ import annotations

import sqlalchemy

from tasks.commands.luigid import upgrade_schema


def test_upgrade_when_history_was_made_by_an_old_luigi_then_tasks_get_an_indexed_task_id(
        tmp_path):
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'history.db'}")
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(
            "CREATE TABLE tasks (id INTEGER PRIMARY KEY, name VARCHAR(128), host VARCHAR(128))"))
    upgrade_schema(engine)
    upgrade_schema(engine)  # a second start finds the column and leaves it
    inspector = sqlalchemy.inspect(engine)
    assert "task_id" in {column["name"] for column in inspector.get_columns("tasks")}
    assert "ix_task_id" in {index["name"] for index in inspector.get_indexes("tasks")}
