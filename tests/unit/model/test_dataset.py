"""Targets, the stacked panel, and time-ordered splits without leakage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from momentum_pipeline.model.dataset import (MIN_WINDOW_SESSIONS, DatasetError, TickerFrames,
                                             direction, direction_dataset, time_split,
                                             walk_forward_splits)
from tests.unit.model.markets import planted_market, real_bars, real_frames

DAYS = pd.bdate_range("2024-01-01", periods=6, name="date")


def small_frames(ticker: str = "AAA", close=(10, 11, 11, 10, 12, 13), **columns) -> TickerFrames:
    features = pd.DataFrame(columns or {"x": np.arange(6, dtype=float)}, index=DAYS)
    return TickerFrames(ticker, features, pd.Series(close, index=DAYS, dtype=float), "f.parquet")


def test_direction_is_one_for_a_higher_next_close_zero_for_flat_or_lower_and_nan_on_last_day():
    moves = direction(pd.Series([10.0, 11.0, 11.0, 10.0, 12.0]))
    assert moves.iloc[:4].tolist() == [1.0, 0.0, 0.0, 1.0]
    assert np.isnan(moves.iloc[4])


def test_dataset_keeps_rows_after_warm_up_with_known_target_and_previous_direction():
    data = direction_dataset([small_frames(x=[np.nan, np.nan, 2.0, 3.0, 4.0, 5.0])])
    # Day 0 and 1: warm-up; day 5: no next close yet.
    assert data.row_dates.tolist() == DAYS[2:5].tolist()
    assert data.target.tolist() == [0, 1, 1]         # 11->10, 10->12, 12->13
    assert data.previous_direction.tolist() == [0, 0, 1]  # 11->11, 11->10, 10->12
    assert data.features.dtypes.unique().tolist() == [np.float32]
    assert data.latest.index.tolist() == [(DAYS[5], "AAA")]


def test_dataset_when_nan_after_warm_up_then_error_names_file_ticker_column_and_date():
    frames = small_frames(x=[np.nan, 1.0, 2.0, np.nan, 4.0, 5.0], y=np.ones(6))
    with pytest.raises(DatasetError, match=r"f.parquet: ticker AAA: NaN in \['x'\] at 2024-01-04"):
        direction_dataset([frames])


def test_dataset_when_a_feature_date_has_no_close_then_error_names_the_date():
    frames = small_frames()
    frames = TickerFrames("AAA", frames.features, frames.close.iloc[:-1], "f.parquet")
    with pytest.raises(DatasetError, match="1 feature dates have no cleaned close .first 2024-01-08"):
        direction_dataset([frames])


def test_dataset_when_a_feature_is_infinite_then_error_names_column_and_date():
    with pytest.raises(DatasetError, match="column 'x' is infinite at 2024-01-03"):
        direction_dataset([small_frames(x=[0.0, 1.0, np.inf, 3.0, 4.0, 5.0])])


def test_dataset_when_tickers_have_different_feature_columns_then_error_names_the_ticker():
    with pytest.raises(DatasetError, match=r"ticker BBB: feature columns \['y'\] differ"):
        direction_dataset([small_frames("AAA"), small_frames("BBB", y=np.ones(6))])


def test_pooled_dataset_is_sorted_by_date_then_ticker_with_targets_of_each_ticker():
    rising, falling = (10, 11, 12, 13, 14, 15), (15, 14, 13, 12, 11, 10)
    data = direction_dataset([small_frames("ZZZ", rising), small_frames("AAA", falling)])
    keys = data.features.index.tolist()
    assert keys == sorted(keys)
    assert data.target.xs("ZZZ", level="ticker").eq(1).all()
    assert data.target.xs("AAA", level="ticker").eq(0).all()
    assert data.tickers == ["ZZZ", "AAA"]


def test_data_hash_is_stable_for_the_same_rows_and_changes_with_one_feature_value():
    frames = planted_market(seed=1, count=200)
    same = direction_dataset([frames]).sha256()
    assert direction_dataset([frames]).sha256() == same
    changed = frames.features.copy()
    changed.iloc[100, 1] += 1e-3
    other = TickerFrames(frames.ticker, changed, frames.close)
    assert direction_dataset([other]).sha256() != same


def test_time_split_orders_train_validation_test_with_gap_sessions_left_out():
    dates = pd.bdate_range("2020-01-01", periods=500)
    split = time_split(dates, validation_fraction=0.2, test_fraction=0.2, gap=5)
    position = {d: i for i, d in enumerate(dates)}
    assert position[split.test.end] == 499
    assert position[split.test.start] == 400
    assert position[split.validation.end] == 400 - 5 - 1
    assert position[split.validation.start] == 400 - 5 - 100
    assert position[split.train.end] == 295 - 5 - 1
    assert split.train.start == dates[0]
    # The last training label reads the close of the next session.
    assert position[split.train_data_end] == position[split.train.end] + 1


def test_time_split_when_too_few_sessions_then_error_says_how_many_are_needed():
    dates = pd.bdate_range("2020-01-01", periods=60)
    with pytest.raises(DatasetError, match=f"at least {MIN_WINDOW_SESSIONS} sessions"):
        time_split(dates, 0.2, 0.2, gap=5)


def test_time_split_when_gap_is_zero_then_error_explains_the_label_overlap():
    with pytest.raises(ValueError, match="next session's close"):
        time_split(pd.bdate_range("2020-01-01", periods=500), 0.2, 0.2, gap=0)


def test_walk_forward_folds_test_consecutive_blocks_and_train_up_to_a_gap_before_each():
    dates = pd.bdate_range("2020-01-01", periods=600)
    folds = walk_forward_splits(dates, folds=5, gap=3)
    position = {d: i for i, d in enumerate(dates)}
    assert [position[f.test.start] for f in folds] == [100, 200, 300, 400, 500]
    assert [position[f.test.end] for f in folds] == [199, 299, 399, 499, 599]
    assert all(f.train.start == dates[0] for f in folds)
    assert all(position[f.test.start] - position[f.train.end] == 4 for f in folds)


# Leakage: the real TSLA bars, the pipeline's own features, the configured split.

TSLA = real_bars("TSLA")


def _training_rows(bars: pd.DataFrame):
    data = direction_dataset([real_frames("TSLA", bars)])
    split = time_split(data.dates, 0.15, 0.2, gap=5)
    train = data.select(split.train)
    return split, train.features, train.target


SPLIT, TRAIN_FEATURES, TRAIN_TARGET = _training_rows(TSLA)
AFTER_SPLIT = np.flatnonzero(TSLA.index > SPLIT.train_data_end)


def _changed(bars: pd.DataFrame, rows: np.ndarray, factor: float) -> pd.DataFrame:
    changed = bars.copy()
    changed.iloc[rows, :4] *= factor
    changed.iloc[rows, 4] = (changed.iloc[rows, 4] * 3 + 1).astype(changed.dtypes.iloc[4])
    return changed


def _assert_same_training_rows(bars: pd.DataFrame) -> None:
    split, features, target = _training_rows(bars)
    assert split == SPLIT
    pd.testing.assert_frame_equal(features, TRAIN_FEATURES)
    pd.testing.assert_series_equal(target, TRAIN_TARGET)


def test_training_rows_when_every_row_after_the_split_point_changes_then_unchanged():
    _assert_same_training_rows(_changed(TSLA, AFTER_SPLIT, 0.5))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(offset=st.integers(0, len(AFTER_SPLIT) - 1), factor=st.floats(0.2, 5.0))
def test_training_rows_when_any_one_row_after_the_split_point_changes_then_unchanged(offset, factor):
    _assert_same_training_rows(_changed(TSLA, AFTER_SPLIT[[offset]], factor))


def test_training_rows_when_the_split_point_row_changes_then_the_last_label_sees_it():
    # The check above would pass vacuously if nothing reached the training rows.
    at_split = np.flatnonzero(TSLA.index == SPLIT.train_data_end)
    previous_close = TSLA["close"].iloc[at_split[0] - 1]
    lower = TSLA.copy()
    lower.iloc[at_split, 3] = previous_close * 0.9
    higher = TSLA.copy()
    higher.iloc[at_split, 3] = previous_close * 1.1
    assert _training_rows(lower)[2].iloc[-1] == 0
    assert _training_rows(higher)[2].iloc[-1] == 1
