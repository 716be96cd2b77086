"""Saving and loading the direction model with its model card.

The card (JSON beside the model file) says what the model is: features, settings,
data window and hash, library versions, seed, training time, and the SHA-256 of
the model file. Loading checks that hash before unpickling, because unpickling a
file runs code from it: a changed file is never opened. The card's features must
equal the frame's columns, in order, since the forest only sees positions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import joblib
from sklearn.ensemble import RandomForestClassifier

from momentum_pipeline.foundation.frames import dump_json
from momentum_pipeline.model.dataset import DirectionData, TimeSplit
from momentum_pipeline.model.train import ForestSettings, TrainedModel, library_versions


class ModelIntegrityError(ValueError):
    """The model file is not the one its card describes (changed, truncated, replaced)."""


class FeatureSetMismatch(ValueError):
    """The frame to predict on does not have the features the model was trained on."""


@dataclass(frozen=True)
class ModelCard:
    """What a saved model is and how to reproduce it."""

    model: str  # a ticker, or the pooled universe's name
    model_file: str
    model_sha256: str
    tickers: list[str]
    features: list[str]
    hyperparameters: dict[str, Any]
    split_settings: dict[str, Any]
    random_state: int
    split: dict[str, Any]
    rows: dict[str, int]
    data_window: dict[str, str]
    data_sha256: str
    library_versions: dict[str, str]
    training_seconds: float
    validation_metrics: dict[str, Any] | None
    sample_data: bool
    source: str
    code_version: str

    @property
    def reproducibility(self) -> str:
        return (f"Reproducible: the same data (sha256 {self.data_sha256[:12]}) and "
                f"random_state {self.random_state} give identical predictions.")

    def to_json(self) -> str:
        return dump_json({**asdict(self), "reproducibility": self.reproducibility})

    @classmethod
    def read(cls, path: str | Path) -> ModelCard:
        data = json.loads(Path(path).read_text())
        names = [f.name for f in fields(cls)]
        missing = [n for n in names if n not in data]
        if missing:
            raise ModelIntegrityError(f"{path}: model card lacks {missing}")
        return cls(**{n: data[n] for n in names})


def training_card(*, model: str, model_file: str, model_sha256: str, data: DirectionData,
                  split: TimeSplit, settings: ForestSettings, split_settings: dict[str, Any],
                  trained: TrainedModel, validation_metrics: dict[str, Any] | None,
                  provenance: dict[str, Any]) -> ModelCard:
    """The card of a model just trained on ``data`` over ``split``: rows per window,
    the data's window and hash, the seed and the library versions. ``provenance``
    gives ``sample_data``, ``source`` and ``code_version`` of the inputs."""
    windows = (("train", split.train), ("validation", split.validation), ("test", split.test))
    return ModelCard(
        model=model, model_file=model_file, model_sha256=model_sha256, tickers=data.tickers,
        features=data.feature_names, hyperparameters=settings.hyperparameters(),
        split_settings=split_settings, random_state=settings.random_state,
        split=split.to_dict(),
        rows={name: int(window.mask(data.row_dates).sum()) for name, window in windows if window},
        data_window={"start": data.dates[0].date().isoformat(),
                     "end": data.dates[-1].date().isoformat()},
        data_sha256=data.sha256(), library_versions=library_versions(),
        training_seconds=trained.training_seconds, validation_metrics=validation_metrics,
        **provenance)


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save_model(model: RandomForestClassifier, path: str | Path) -> str:
    """Write ``model`` with joblib (zlib-compressed) and return the file's SHA-256."""
    joblib.dump(model, path, compress=3)
    return file_sha256(path)


def check_features(card: ModelCard, columns: Sequence[str], where: str) -> None:
    """Fail unless ``columns`` are the card's features in the card's order."""
    columns = [str(c) for c in columns]
    if columns == card.features:
        return
    missing = [c for c in card.features if c not in columns]
    unexpected = [c for c in columns if c not in card.features]
    detail = (f"missing {missing}, unexpected {unexpected}" if missing or unexpected
              else f"same features in another order: expected {card.features}, got {columns}")
    raise FeatureSetMismatch(f"{where}: model {card.model_file} was trained on "
                             f"{len(card.features)} features, the frame has {len(columns)}: "
                             f"{detail}")


def load_model(model_path: str | Path, card: ModelCard,
               columns: Sequence[str]) -> RandomForestClassifier:
    """The model at ``model_path``, after checking its hash, features and scikit-learn version."""
    actual = file_sha256(model_path)
    if actual != card.model_sha256:
        raise ModelIntegrityError(
            f"{model_path}: SHA-256 {actual} differs from the model card's "
            f"{card.model_sha256}; the file changed after training, so it is not loaded")
    check_features(card, columns, str(model_path))
    trained_with = card.library_versions.get("scikit-learn")
    running = library_versions()["scikit-learn"]
    if trained_with != running:
        raise ModelIntegrityError(f"{model_path}: trained with scikit-learn {trained_with}, "
                                  f"this is {running}; retrain rather than trust its predictions")
    return joblib.load(model_path)
