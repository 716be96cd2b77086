"""Fitting the RandomForest direction model.

Given the same rows and ``random_state`` the forest is the same, whatever
``n_jobs``: a run is reproducible from the data hash and seed its card records.
"""

from __future__ import annotations

import platform
import time
from dataclasses import asdict, dataclass

import joblib
import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import RandomForestClassifier

from momentum_pipeline.model.dataset import DirectionData, DatasetError, TimeSplit


@dataclass(frozen=True)
class ForestSettings:
    """Hyperparameters of the forest (defaults live in
    :class:`~momentum_pipeline.model.config.ModelSettings`, the ``[model]`` section);
    ``max_features`` and ``max_samples`` are fractions (of the feature columns, of the
    training rows per tree)."""

    n_estimators: int
    max_depth: int
    min_samples_leaf: int
    max_features: float
    max_samples: float
    random_state: int
    n_jobs: int

    def hyperparameters(self) -> dict[str, float | int]:
        """What decides the predictions (``n_jobs`` does not)."""
        return {k: v for k, v in asdict(self).items() if k != "n_jobs"}

    def estimator(self) -> RandomForestClassifier:
        return RandomForestClassifier(
            n_estimators=self.n_estimators, max_depth=self.max_depth,
            min_samples_leaf=self.min_samples_leaf, max_features=self.max_features,
            max_samples=self.max_samples, random_state=self.random_state, n_jobs=self.n_jobs)


def fit_forest(data: DirectionData, settings: ForestSettings) -> RandomForestClassifier:
    """A forest fitted on every row of ``data``; both directions must occur in it."""
    classes = np.unique(data.target.to_numpy())
    if len(classes) < 2:
        dates = data.dates
        raise DatasetError(f"training rows {dates[0].date()} to {dates[-1].date()} hold only "
                           f"target {classes.tolist()}: a direction model needs up and down days")
    model = settings.estimator().fit(data.features.to_numpy(), data.target.to_numpy())
    # Threads add up the trees' votes in whatever order they finish (results differ in
    # the last bit); predicting on one thread keeps predictions bit-identical.
    return model.set_params(n_jobs=1)


def probability_up(model: RandomForestClassifier, features: pd.DataFrame) -> np.ndarray:
    """The model's probability that the next close is up, one per row."""
    return model.predict_proba(features.to_numpy())[:, list(model.classes_).index(1)]


@dataclass
class TrainedModel:
    """A fitted forest, the split it was fitted on, and how long fitting took (seconds)."""

    model: RandomForestClassifier
    split: TimeSplit
    training_seconds: float


def train_direction_model(data: DirectionData, split: TimeSplit,
                          settings: ForestSettings) -> TrainedModel:
    """Fit on the split's training window only; validation and test stay unseen."""
    started = time.perf_counter()
    model = fit_forest(data.select(split.train), settings)
    return TrainedModel(model, split, round(time.perf_counter() - started, 3))


def library_versions() -> dict[str, str]:
    """Versions that decide whether a saved forest loads and predicts the same."""
    return {"python": platform.python_version(), "numpy": np.__version__,
            "pandas": pd.__version__, "scikit-learn": sklearn.__version__,
            "joblib": joblib.__version__}
