"""Fitting the forest: reproducible from the seed, only on the training window."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from momentum_pipeline.model.dataset import DatasetError, TickerFrames, direction_dataset, time_split
from momentum_pipeline.model.train import fit_forest, probability_up, train_direction_model
from tests.unit.model.markets import SMALL_FOREST, real_frames

DATA = direction_dataset([real_frames("TSLA")])
SPLIT = time_split(DATA.dates, 0.15, 0.2, gap=5)
TEST = DATA.select(SPLIT.test)


def _test_probabilities(settings) -> np.ndarray:
    return probability_up(train_direction_model(DATA, SPLIT, settings).model, TEST.features)


def test_training_when_same_seed_and_data_then_identical_predictions_whatever_n_jobs():
    first = _test_probabilities(SMALL_FOREST)
    again = _test_probabilities(dataclasses.replace(SMALL_FOREST, n_jobs=2))
    np.testing.assert_array_equal(first, again)


def test_training_when_seeds_differ_then_predictions_differ():
    other = _test_probabilities(dataclasses.replace(SMALL_FOREST, random_state=8))
    assert not np.array_equal(_test_probabilities(SMALL_FOREST), other)


def test_training_fits_on_the_training_window_only():
    trained = train_direction_model(DATA, SPLIT, SMALL_FOREST)
    on_train = fit_forest(DATA.select(SPLIT.train), SMALL_FOREST)
    on_everything = fit_forest(DATA, SMALL_FOREST)
    expected = probability_up(on_train, TEST.features)
    np.testing.assert_array_equal(probability_up(trained.model, TEST.features), expected)
    assert not np.array_equal(probability_up(on_everything, TEST.features), expected)
    assert trained.split == SPLIT


def test_training_when_every_day_is_up_then_error_names_the_window():
    days = pd.bdate_range("2024-01-01", periods=30)
    rising = TickerFrames("UP", pd.DataFrame({"x": np.arange(30.0)}, index=days),
                          pd.Series(np.arange(1.0, 31.0), index=days))
    with pytest.raises(DatasetError, match="2024-01-02 to 2024-02-08 hold only target .1."):
        fit_forest(direction_dataset([rising]), SMALL_FOREST)
