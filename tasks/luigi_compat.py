"""What the pipeline relies on in Luigi beyond its public API, and why: the one
module allowed to (``tests/unit/foundation/test_private_api_fenced.py`` checks it).

* :func:`replace_history_schema_upgrade` swaps ``luigi.db_task_history._upgrade_schema``,
  which ``DbTaskHistory.__init__`` calls on every luigid start with task history on:
  Luigi's own runs plain SQL strings, which SQLAlchemy 2 rejects (spotify/luigi#3227).

Tested with luigi :data:`TESTED_VERSION` (pyproject.toml pins it). At import the
private names are looked up, so another Luigi fails here, naming the one missing,
rather than when luigid first records a task.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sqlalchemy
from luigi import db_task_history

from momentum_pipeline.foundation.private_api import names_used_by, require_private_names

DISTRIBUTION = "luigi"
TESTED_VERSION = "3.8.1"

#: Each private name we rely on, and whether this Luigi has it where we use it.
PRIVATE_NAMES: Mapping[str, bool] = {
    "luigi.db_task_history._upgrade_schema": hasattr(db_task_history, "_upgrade_schema"),
    "DbTaskHistory.__init__ calling _upgrade_schema by its module-level name":
        "_upgrade_schema" in names_used_by(db_task_history.DbTaskHistory.__init__),
}
require_private_names(DISTRIBUTION, TESTED_VERSION, PRIVATE_NAMES, __name__)


def replace_history_schema_upgrade(upgrade: Callable[[sqlalchemy.engine.Engine], None]) -> None:
    """Make luigid's task history upgrade its database schema with ``upgrade`` (it
    looks the function up at each start, so call this before ``luigid()``)."""
    db_task_history._upgrade_schema = upgrade
