"""Many tickers' frames checked against one pandera schema in one call.

A pandera validation is mostly fixed cost (a ticker's raw bars take about 4 ms, ten rows
3.5 ms): a batch of 25 tickers checked as one frame costs about what one ticker does.
The batch is only a fast path: it says whether every frame passes. When any frame
fails, or the frames differ in shape (columns, their order or types, the index), it
says nothing, and the caller checks each frame alone, so a ticker's error is the one
it gets alone, and the others are not held up by it.

For that, a schema's table checks must judge each ticker on its own rows: wrap them in
:func:`per_ticker`. Its unique columns or index stay unique per ticker (a date may
repeat across tickers, not within one).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

#: The column that tells a batch's tickers apart (its frame's position in the batch).
TICKER_KEY = "__ticker_position"


def per_ticker(check: Callable[[pd.DataFrame], pd.Series]) -> Callable[[pd.DataFrame], pd.Series]:
    """``check`` (a table check: a frame in, a row mask out), run on each ticker's rows of
    a batch, without the batch's key column; on a single ticker's frame, as it is."""

    @functools.wraps(check)
    def each_ticker(frame: pd.DataFrame) -> pd.Series:
        if TICKER_KEY not in frame.columns:
            return check(frame)
        return pd.concat([check(rows.drop(columns=TICKER_KEY))
                          for _, rows in frame.groupby(TICKER_KEY, sort=False)])

    return each_ticker


#: Each schema's batch form, by the schema's id (pandera schemas are not hashable); the
#: schema is kept beside it, so its id is not reused.
_BATCH_SCHEMAS: dict[int, tuple[pa.DataFrameSchema, pa.DataFrameSchema | None]] = {}


def _batch_schema(schema: pa.DataFrameSchema) -> pa.DataFrameSchema | None:
    """``schema`` for a batch: the index as a column (last, as pandera puts it), the key
    column after it, uniqueness within each ticker. ``None`` where that cannot be said:
    more than one unique column (joint uniqueness is weaker), a schema-level one, or an
    index that is not one named level. Built once per schema: building one costs as much
    as a validation."""
    if id(schema) not in _BATCH_SCHEMAS:
        index = schema.index
        batch = schema.reset_index() if index is not None else schema
        unique = [name for name, column in batch.columns.items() if column.unique]
        if (len(unique) > 1 or schema.unique
                or (index is not None and (type(index) is not pa.Index or index.name is None))):
            batch = None
        else:
            batch = batch.update_columns({name: {"unique": False} for name in unique})
            batch = batch.add_columns({TICKER_KEY: pa.Column("int64")})
            batch.unique = [TICKER_KEY, *unique] if unique else None
        _BATCH_SCHEMAS[id(schema)] = (schema, batch)
    return _BATCH_SCHEMAS[id(schema)][1]


def _same_shape(frames: Sequence[pd.DataFrame]) -> bool:
    first = frames[0]
    return all(frame.columns.equals(first.columns) and frame.dtypes.equals(first.dtypes)
               and type(frame.index) is type(first.index) and frame.index.name == first.index.name
               and frame.index.dtype == first.index.dtype for frame in frames[1:])


def validate_together(schema: pa.DataFrameSchema,
                      frames: Sequence[pd.DataFrame]) -> list[pd.DataFrame] | None:
    """Each frame as ``schema.validate`` returns it (coerced where the schema coerces),
    from one validation of them all; ``None`` when any fails or they differ in shape:
    then validate each alone, for its own error."""
    batch = _batch_schema(schema)
    if batch is None or len(frames) < 2 or not _same_shape(frames):
        return None
    index = schema.index.name if schema.index is not None else None
    if index is not None and frames[0].index.name != index:  # alone, each fails on it
        return None
    parts = [frame.assign(**{index: frame.index}) if index else frame for frame in frames]
    keyed = pd.concat(parts, ignore_index=True)
    lengths = [len(frame) for frame in frames]
    keyed[TICKER_KEY] = np.repeat(np.arange(len(frames), dtype="int64"), lengths)
    try:
        checked = batch.validate(keyed, lazy=True)
    except (SchemaError, SchemaErrors):
        return None
    if not _coerces(schema):  # validation returns the frames as they were
        return list(frames)
    checked = checked.drop(columns=TICKER_KEY)
    ends = np.cumsum(lengths)
    return [checked.iloc[end - length:end].set_index(index) if index
            else checked.iloc[end - length:end].set_axis(frame.index)
            for frame, end, length in zip(frames, ends, lengths, strict=True)]


def validated_each(schema: pa.DataFrameSchema, frames: Sequence[pd.DataFrame],
                   alone: Callable[[int, pd.DataFrame], Any]) -> list[Any]:
    """Per frame, what :func:`validate_together` gives it where all pass; else what
    ``alone(position, frame)`` returns, or the error it raises (a ticker's own error,
    for its own run to raise)."""
    together = validate_together(schema, frames)
    if together is not None:
        return together
    outcomes: list[Any] = []
    for position, frame in enumerate(frames):
        try:
            outcomes.append(alone(position, frame))
        except Exception as error:  # noqa: BLE001 - that ticker's, raised by its own run
            outcomes.append(error)
    return outcomes


def _coerces(schema: pa.DataFrameSchema) -> bool:
    """Whether validating with ``schema`` may change a frame's types."""
    components = [*schema.columns.values(), *([schema.index] if schema.index is not None else [])]
    return schema.coerce or any(component.coerce for component in components)
