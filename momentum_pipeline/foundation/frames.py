"""Reading and writing data frames as parquet with provenance in the file metadata.

A frame of dated rows over more than one month is written as a folder of parts: the
closed years (``2010-2024.parquet``), the closed months of the last year
(``2025-01-2025-09.parquet``) and the last month (``2025-10.parquet``, which carries the
provenance). The next run date's output of the same history has the same closed parts
byte for byte, so it shares those files instead of storing the history again
(``tasks.targets``): a day adds about a month of rows, a new month rewrites the year's
part once. ``pandas.read_parquet`` and pyarrow read the folder as one frame too.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from momentum_pipeline.foundation.provenance import Provenance

#: The metadata key of every parquet output written so far: a stored format, kept when
#: modules move (the provenance module is now under foundation/).
PROVENANCE_KEY = b"momentum_pipeline.provenance"


def _write_table(table: pa.Table, path: Path, provenance: Provenance | None) -> None:
    if provenance is not None:
        metadata = dict(table.schema.metadata or {})
        metadata[PROVENANCE_KEY] = json.dumps(provenance.to_dict(), sort_keys=True,
                                              default=str).encode()
        table = table.replace_schema_metadata(metadata)
    path.write_bytes(_parquet_bytes(table))


def _parquet_bytes(table: pa.Table) -> pa.Buffer:
    """``table`` as parquet, written in memory: the same bytes as pyarrow writes to a file,
    without it resolving a file system for the path (a fifth of a small part's write)."""
    # No dictionary pages: prices and indicators are nearly all distinct values, so
    # trying one per column cost a third of the write and made the files larger.
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", use_dictionary=False)
    return sink.getvalue()


def _read_table(source: Path | pa.BufferReader, columns: list[str] | None = None) -> pa.Table:
    """One parquet file through ``pq.ParquetFile``, in this thread: ``pq.read_table``'s
    dataset machinery and thread pool cost more than reading a ticker's part (a third)."""
    with pq.ParquetFile(source) as file:
        return file.read(columns=columns, use_pandas_metadata=True, use_threads=False)


def _dates(frame: pd.DataFrame) -> pd.DatetimeIndex | None:
    """The dates a frame's rows are in: its index, or its ``date`` column."""
    if isinstance(frame.index, pd.DatetimeIndex):
        return frame.index
    if "date" in frame.columns and pd.api.types.is_datetime64_any_dtype(frame["date"]):
        return pd.DatetimeIndex(frame["date"])
    return None


def _span(first: pd.Timestamp, last: pd.Timestamp, unit: str) -> str:
    first_name, last_name = first.strftime(unit), last.strftime(unit)
    return first_name if first_name == last_name else f"{first_name}-{last_name}"


def period_parts(frame: pd.DataFrame) -> list[tuple[str, int, int]] | None:
    """How ``frame`` splits into the closed years, the closed months of its last year and
    its last month: ``(file name, first row, end row)`` of each part that has rows, in
    order. ``None`` for a frame not in date order or within one month (one file)."""
    dates = _dates(frame)
    if dates is None or len(dates) == 0 or not dates.is_monotonic_increasing:
        return None
    last = dates[-1]
    year_start = pd.Timestamp(year=last.year, month=1, day=1, tz=last.tz)
    month_start = pd.Timestamp(year=last.year, month=last.month, day=1, tz=last.tz)
    cuts = [0, int(dates.searchsorted(year_start)), int(dates.searchsorted(month_start)),
            len(dates)]
    parts = [(f"{_span(dates[begin], dates[end - 1], unit)}.parquet", begin, end)
             for begin, end, unit in zip(cuts, cuts[1:], ("%Y", "%Y-%m", "%Y-%m"))
             if end > begin]
    return parts if len(parts) > 1 else None


def write_parquet(frame: pd.DataFrame, path: str | Path, provenance: Provenance) -> None:
    """Write ``frame`` to ``path`` with ``provenance`` in the schema metadata: one file, or
    a folder of period parts (:func:`period_parts`), the provenance in the last.

    The parts are slices of one table, so they share one schema. Callers pass a
    temporary path so the output appears only complete. Output is deterministic: no
    timestamps are embedded.
    """
    path = Path(path)
    # One thread: a ticker's frame is too small to gain from pyarrow's pool (40 % faster).
    table = pa.Table.from_pandas(frame, preserve_index=True, nthreads=1)
    parts = period_parts(frame)
    if parts is None:
        _write_table(table, path, provenance)
        return
    path.mkdir()
    for number, (name, begin, end) in enumerate(parts, start=1):
        _write_table(table.slice(begin, end - begin), path / name,
                     provenance if number == len(parts) else None)


def part_files(path: str | Path) -> list[Path]:
    """The parquet files of an output, in date order: the file itself, or a folder's parts."""
    path = Path(path)
    if not path.is_dir():
        return [path]
    parts = sorted(Path(entry.path) for entry in os.scandir(path)
                   if entry.name.endswith(".parquet"))
    if not parts:
        raise FileNotFoundError(f"{path}: a frame folder without parquet parts")
    return parts


def frame_digest(path: str | Path) -> str:
    """SHA-256 of an output's parquet bytes (of each part, named, in order): what a
    report records of the frame it read."""
    digest = hashlib.sha256()
    for part in part_files(path):
        digest.update(part.name.encode() + b"\0" + part.read_bytes())
    return digest.hexdigest()


def read_parquet(path: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """The frame written by :func:`write_parquet` at ``path`` (a file or a folder of parts)."""
    tables = [_read_table(part, columns) for part in part_files(path)]
    return pa.concat_tables(tables).to_pandas(use_threads=False)


def read_provenance(path: str | Path) -> Provenance:
    """The provenance recorded by :func:`write_parquet` (in a folder's last part)."""
    part = part_files(path)[-1]
    with pq.ParquetFile(part) as file:
        metadata = file.schema_arrow.metadata or {}
    if PROVENANCE_KEY not in metadata:
        raise ValueError(f"{part}: no provenance recorded in the parquet metadata")
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
    table = pa.Table.from_pandas(frame, preserve_index=True, nthreads=1)
    _read_table(pa.BufferReader(_parquet_bytes(table))).to_pandas(use_threads=False)
