"""Reading and writing data frames as parquet with provenance in the file metadata."""

from __future__ import annotations

import functools
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from momentum_pipeline.foundation.provenance import Provenance

#: The metadata key of every parquet output written so far: a stored format, kept when
#: modules move (the provenance module is now under foundation/).
PROVENANCE_KEY = b"momentum_pipeline.provenance"


def write_parquet(frame: pd.DataFrame, path: str | Path, provenance: Provenance) -> None:
    """Write ``frame`` to ``path`` with ``provenance`` in the schema metadata.

    Callers pass a temporary path (Luigi's ``temporary_path()``) so the final file
    appears only complete. Output is deterministic: no timestamps are embedded.
    """
    table = pa.Table.from_pandas(frame, preserve_index=True)
    metadata = dict(table.schema.metadata or {})
    metadata[PROVENANCE_KEY] = json.dumps(provenance.to_dict(), sort_keys=True,
                                          default=str).encode()
    pq.write_table(table.replace_schema_metadata(metadata), str(path),
                   compression="zstd")


def read_parquet(path: str | Path) -> pd.DataFrame:
    return pd.read_parquet(path)


def read_provenance(path: str | Path) -> Provenance:
    """The provenance recorded in a parquet file written by :func:`write_parquet`."""
    metadata = pq.read_schema(str(path)).metadata or {}
    if PROVENANCE_KEY not in metadata:
        raise ValueError(f"{path}: no provenance recorded in the parquet metadata")
    return Provenance.from_dict(json.loads(metadata[PROVENANCE_KEY]))


def dump_json(data: Any) -> str:
    """Stable JSON text (sorted keys) so recomputed sidecars are byte-identical."""
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"


@functools.cache
def warm_up() -> None:
    """Round-trip a one-row frame through parquet in memory, once per process.

    A process's first parquet write and read cost about 80 ms of imports and set-up;
    tasks preload this so Luigi's forked workers inherit it instead of paying per task.
    """
    frame = pd.DataFrame({"close": [1.0]}, index=pd.DatetimeIndex(["2024-01-02"], name="date"))
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(frame), sink, compression="zstd")
    pd.read_parquet(io.BytesIO(sink.getvalue().to_pybytes()))
