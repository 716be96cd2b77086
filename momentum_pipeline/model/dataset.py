"""Targets and time-ordered splits of the direction model.

The target of session t is 1 when close[t+1] > close[t] (up tomorrow), else 0: a
flat close, as on a filled session, is not up. The last session has no target yet.
Rows are keyed by (date, ticker), so one ticker and the pooled universe share the
code. Splits cut the sorted session dates and leave ``gap`` sessions out before
validation and before test: the last training label reads the close of the first
left-out session, and no price dated after ``TimeSplit.train_data_end`` reaches a
training row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: The forest's trees compute in float32 anyway; storing features so halves memory.
FEATURE_DTYPE = np.float32
#: A window shorter than about a month of sessions says nothing about a model.
MIN_WINDOW_SESSIONS = 20


class DatasetError(ValueError):
    """The inputs cannot make a dataset: misaligned dates, NaN after warm-up, too short."""


@dataclass(frozen=True)
class TickerFrames:
    """One ticker's inputs: its feature frame, its cleaned close, and the file named in errors."""

    ticker: str
    features: pd.DataFrame
    close: pd.Series
    where: str = ""

    @property
    def label(self) -> str:
        return f"{self.where}: ticker {self.ticker}" if self.where else f"ticker {self.ticker}"


def direction(close: pd.Series) -> pd.Series:
    """1.0 where the next session's close is above this one, 0.0 where not, NaN on the last."""
    following = close.shift(-1)
    return (following > close).astype("float64").where(following.notna())


def _check_features(frames: TickerFrames) -> int:
    """Position of the first complete row, after checking the features contract."""
    features, label = frames.features, frames.label
    if features.empty:
        raise DatasetError(f"{label}: the feature frame has no rows")
    if not (features.index.is_unique and features.index.is_monotonic_increasing):
        raise DatasetError(f"{label}: feature dates must be unique and ascending")
    not_float = {c: str(t) for c, t in features.dtypes.items() if not np.issubdtype(t, np.floating)}
    if not_float:
        raise DatasetError(f"{label}: feature columns must be float, got {not_float}")
    missing = features.index.difference(frames.close.index)
    if len(missing):
        raise DatasetError(f"{label}: {len(missing)} feature dates have no cleaned close "
                           f"(first {missing[0].date()})")
    values = features.to_numpy()
    infinite = np.isinf(values)
    if infinite.any():
        row, column = np.argwhere(infinite)[0]
        raise DatasetError(f"{label}: column '{features.columns[column]}' is infinite at "
                           f"{features.index[row].date()}")
    incomplete = np.isnan(values).any(axis=1)
    complete = np.flatnonzero(~incomplete)
    if not len(complete):
        raise DatasetError(f"{label}: no row has all {features.shape[1]} features "
                           f"(the whole frame is warm-up)")
    first = complete[0]
    late = np.flatnonzero(incomplete[first:])
    if len(late):
        row = first + late[0]
        columns = features.columns[np.isnan(values[row])].tolist()
        raise DatasetError(f"{label}: NaN in {columns} at {features.index[row].date()}, after "
                           f"the warm-up ended on {features.index[first].date()} (NaN is "
                           f"allowed only in the first rows)")
    return first


def _keyed(frame: pd.DataFrame | pd.Series, ticker: str):
    keyed = frame.copy(deep=False)
    keyed.index = pd.MultiIndex.from_arrays(
        [frame.index, np.full(len(frame), ticker, dtype=object)], names=["date", "ticker"])
    return keyed


@dataclass(frozen=True)
class Window:
    """An inclusive range of session dates."""

    start: pd.Timestamp
    end: pd.Timestamp

    def mask(self, dates: pd.Index) -> np.ndarray:
        return np.asarray((dates >= self.start) & (dates <= self.end))

    def to_dict(self) -> dict[str, str]:
        return {"start": self.start.date().isoformat(), "end": self.end.date().isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Window:
        return cls(pd.Timestamp(data["start"]), pd.Timestamp(data["end"]))


@dataclass(frozen=True)
class DirectionData:
    """Labelled rows keyed (date, ticker), sorted by date then ticker.

    ``features`` are float32; ``target`` is 1 for an up next session, else 0;
    ``previous_direction`` is the same for the session before (the persistence
    baseline). ``latest`` holds each ticker's last row, whose target is not known yet.
    """

    features: pd.DataFrame
    target: pd.Series
    previous_direction: pd.Series
    latest: pd.DataFrame

    @property
    def feature_names(self) -> list[str]:
        return [str(c) for c in self.features.columns]

    @property
    def row_dates(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.features.index.get_level_values("date"))

    @property
    def dates(self) -> pd.DatetimeIndex:
        """Sorted unique session dates of the labelled rows."""
        return self.row_dates.unique()

    @property
    def tickers(self) -> list[str]:
        return [str(t) for t in self.latest.index.get_level_values("ticker")]

    def select(self, window: Window) -> DirectionData:
        """The rows dated inside ``window``."""
        keep = window.mask(self.row_dates)
        return DirectionData(self.features.loc[keep], self.target.loc[keep],
                             self.previous_direction.loc[keep], self.latest)

    def sha256(self) -> str:
        """Hash of the labelled rows (names, keys, features, targets): the card's data hash."""
        digest = hashlib.sha256(json.dumps(self.feature_names).encode())
        digest.update(self.row_dates.asi8.tobytes())
        digest.update("\0".join(self.features.index.get_level_values("ticker")).encode())
        digest.update(np.ascontiguousarray(self.features.to_numpy()).tobytes())
        digest.update(self.target.to_numpy().tobytes())
        return digest.hexdigest()


def direction_dataset(inputs: Iterable[TickerFrames]) -> DirectionData:
    """Stack the tickers' labelled rows; ``inputs`` may be a generator, so only one
    ticker's float64 frames are in memory at a time."""
    parts: list[tuple[pd.DataFrame, pd.Series, pd.Series]] = []
    latest: list[pd.DataFrame] = []
    columns: list[str] | None = None
    for frames in inputs:
        first = _check_features(frames)
        if columns is None:
            columns = list(frames.features.columns)
        elif list(frames.features.columns) != columns:
            raise DatasetError(f"{frames.label}: feature columns {list(frames.features.columns)} "
                               f"differ from the first ticker's {columns}")
        rows = frames.features.iloc[first:].astype(FEATURE_DTYPE)
        moves = direction(frames.close)
        target = moves.reindex(rows.index)
        previous = moves.shift(1).reindex(rows.index)
        known = (target.notna() & previous.notna()).to_numpy()
        parts.append((_keyed(rows.loc[known], frames.ticker),
                      _keyed(target.loc[known].astype(np.int8), frames.ticker),
                      _keyed(previous.loc[known].astype(np.int8), frames.ticker)))
        latest.append(_keyed(rows.iloc[[-1]], frames.ticker))
    if not parts:
        raise DatasetError("no tickers given to the direction dataset")
    features = pd.concat([p[0] for p in parts])
    if features.empty:
        raise DatasetError(f"no labelled rows for tickers {[f.index[0][1] for f in latest]}")
    order = np.lexsort((features.index.get_level_values("ticker"),
                        features.index.get_level_values("date")))
    return DirectionData(
        features=features.iloc[order],
        target=pd.concat([p[1] for p in parts]).iloc[order].rename("target"),
        previous_direction=pd.concat([p[2] for p in parts]).iloc[order].rename("previous_direction"),
        latest=pd.concat(latest),
    )


@dataclass(frozen=True)
class TimeSplit:
    """Train, optional validation, and test windows of session dates.

    ``gap`` sessions are left out before each later window; ``train_data_end`` is
    the last session whose prices the training rows use (the last label's close).
    """

    train: Window
    validation: Window | None
    test: Window
    gap: int
    train_data_end: pd.Timestamp

    def to_dict(self) -> dict[str, Any]:
        return {"train": self.train.to_dict(),
                "validation": self.validation.to_dict() if self.validation else None,
                "test": self.test.to_dict(), "gap_sessions": self.gap,
                "train_data_end": self.train_data_end.date().isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TimeSplit:
        validation = data["validation"]
        return cls(train=Window.from_dict(data["train"]),
                   validation=Window.from_dict(validation) if validation else None,
                   test=Window.from_dict(data["test"]), gap=int(data["gap_sessions"]),
                   train_data_end=pd.Timestamp(data["train_data_end"]))


def _cut(dates: pd.DatetimeIndex, train_stop: int, gap: int, test: slice,
         validation: slice | None = None) -> TimeSplit:
    """A split from positions in ``dates``: train is ``dates[:train_stop]``."""
    windows = [slice(0, train_stop), test, *([validation] if validation else [])]
    if min(w.stop - w.start for w in windows) < MIN_WINDOW_SESSIONS:
        raise DatasetError(
            f"{len(dates)} labelled sessions ({dates[0].date()} to {dates[-1].date()}) are too "
            f"few: every window needs at least {MIN_WINDOW_SESSIONS} sessions, got train "
            f"{train_stop}, test {test.stop - test.start}"
            + (f", validation {validation.stop - validation.start}" if validation else "")
            + f" with a gap of {gap}")
    return TimeSplit(
        train=Window(dates[0], dates[train_stop - 1]),
        validation=Window(dates[validation.start], dates[validation.stop - 1]) if validation else None,
        test=Window(dates[test.start], dates[test.stop - 1]),
        gap=gap, train_data_end=dates[train_stop])


def _check_gap(gap: int) -> None:
    if gap < 1:
        raise ValueError(f"gap must be at least 1 session (got {gap}): the last training "
                         f"label reads the next session's close")


def time_split(dates: pd.DatetimeIndex, validation_fraction: float, test_fraction: float,
               gap: int) -> TimeSplit:
    """Train on the oldest sessions, validate on the next, test on the newest.

    Fractions are of the labelled sessions; ``gap`` sessions are left out before
    validation and before test.
    """
    _check_gap(gap)
    if not (0 < test_fraction and 0 <= validation_fraction and validation_fraction + test_fraction < 1):
        raise ValueError(f"fractions must satisfy 0 < test ({test_fraction}) and 0 <= validation "
                         f"({validation_fraction}) with validation + test < 1")
    n = len(dates)
    n_test, n_validation = round(n * test_fraction), round(n * validation_fraction)
    test = slice(n - n_test, n)
    validation = slice(test.start - gap - n_validation, test.start - gap) if n_validation else None
    train_stop = (validation.start if validation else test.start) - gap
    return _cut(dates, max(train_stop, 0), gap, test, validation)


def walk_forward_splits(dates: pd.DatetimeIndex, folds: int, gap: int) -> list[TimeSplit]:
    """Expanding-window folds: the sessions after a first training block are cut into
    ``folds`` consecutive test blocks; each fold trains on every session up to ``gap``
    sessions before its block."""
    _check_gap(gap)
    if folds < 1:
        raise ValueError(f"walk-forward needs at least 1 fold, got {folds}")
    block = len(dates) // (folds + 1)
    splits = []
    for fold in range(1, folds + 1):
        stop = len(dates) if fold == folds else (fold + 1) * block
        splits.append(_cut(dates, max(fold * block - gap, 0), gap, slice(fold * block, stop)))
    return splits
