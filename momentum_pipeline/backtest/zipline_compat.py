"""What the backtest relies on in zipline beyond its public API, and why: the one
module allowed to (``tests/unit/foundation/test_private_api_fenced.py`` checks it).

* :class:`InMemoryDailyBarReader` overrides ``BcolzDailyBarReader._spot_col``, the
  hook its ``get_value`` reads every spot price through, to keep each bar column
  decompressed in memory (``_spot_cols`` is zipline's cache, ``_table`` its bcolz
  table): zipline 3.2 decompresses a block per price, minutes for a long run.
* :func:`ingest_registered` borrows zipline's process-global bundle registry
  (public names, but shared state): ``bundles.ingest`` only ingests a registered
  bundle, so ours is registered for the span of one ingestion.

Tested with zipline-reloaded :data:`TESTED_VERSION` (pyproject.toml pins it). At
import the private names are looked up, so another zipline fails here, naming the
one missing, rather than in the middle of a backtest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd
from zipline.data import bundles
from zipline.data.bcolz_daily_bars import BcolzDailyBarReader

from momentum_pipeline.foundation.private_api import names_used_by, require_private_names

DISTRIBUTION = "zipline-reloaded"
TESTED_VERSION = "3.2.1"

#: Each private name we rely on, and whether this zipline has it where we use it.
PRIVATE_NAMES: Mapping[str, bool] = {
    "BcolzDailyBarReader._spot_col (get_value's spot-price hook)":
        "_spot_col" in names_used_by(getattr(BcolzDailyBarReader, "get_value", None)),
    "BcolzDailyBarReader._spot_cols (the column cache __init__ sets)":
        "_spot_cols" in names_used_by(BcolzDailyBarReader.__init__),
    "BcolzDailyBarReader._table (the bcolz table)": hasattr(BcolzDailyBarReader, "_table"),
}
require_private_names(DISTRIBUTION, TESTED_VERSION, PRIVATE_NAMES, __name__)


class InMemoryDailyBarReader(BcolzDailyBarReader):
    """zipline's daily bar reader with each bar column decompressed once.

    zipline 3.2 reads every spot price (each position, every session) from the
    compressed bcolz column, about a millisecond each: minutes for a ten-year run
    of 100 tickers. The columns take 4 bytes per ticker and session in memory.
    """

    def _spot_col(self, colname):
        if colname not in self._spot_cols:
            self._spot_cols[colname] = self._table[colname][:]
        return self._spot_cols[colname]


def ingest_registered(name: str, ingest: Callable[..., None], *, calendar_name: str,
                      start_session: pd.Timestamp, end_session: pd.Timestamp,
                      environ: Mapping[str, str], timestamp: pd.Timestamp) -> None:
    """Run zipline's ingestion of bundle ``name`` with the ``ingest`` function.

    ``name`` is registered only while it runs (replacing any registration left by an
    earlier call) and unregistered even on failure, as ``ingest`` holds the bars.
    """
    if name in bundles.bundles:
        bundles.unregister(name)
    bundles.register(name, ingest, calendar_name=calendar_name,
                     start_session=start_session, end_session=end_session)
    try:
        bundles.ingest(name, environ=environ, timestamp=timestamp)
    finally:
        bundles.unregister(name)
