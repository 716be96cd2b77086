"""Saving and loading with a model card: hash check before unpickling, feature check."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest

from momentum_pipeline.model.dataset import direction_dataset, time_split
from momentum_pipeline.model.store import (FeatureSetMismatch, ModelCard, ModelIntegrityError,
                                           load_model, save_model)
from momentum_pipeline.model.train import library_versions, probability_up, train_direction_model
from tests.unit.model.markets import SMALL_FOREST, planted_market

DATA = direction_dataset([planted_market(seed=11, count=400)])
SPLIT = time_split(DATA.dates, 0.15, 0.2, gap=5)
MODEL = train_direction_model(DATA, SPLIT, SMALL_FOREST).model


def _card(sha256: str, **changes) -> ModelCard:
    card = ModelCard(
        model="PLANTED11", model_file="random_forest_PLANTED11.joblib", model_sha256=sha256,
        tickers=DATA.tickers, features=DATA.feature_names,
        hyperparameters=SMALL_FOREST.hyperparameters(),
        split_settings={"validation_fraction": 0.15, "test_fraction": 0.2, "gap": 5},
        random_state=SMALL_FOREST.random_state, split=SPLIT.to_dict(), rows={"train": 1},
        data_window={"start": "2010-01-04", "end": "2011-08-01"}, data_sha256=DATA.sha256(),
        library_versions=library_versions(), training_seconds=0.1, validation_metrics=None,
        sample_data=False, source="test", code_version="test")
    return dataclasses.replace(card, **changes)


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "random_forest_PLANTED11.joblib"
    return path, _card(save_model(MODEL, path))


def test_saved_model_loads_with_its_card_and_predicts_the_same(saved, tmp_path):
    path, card = saved
    card_path = tmp_path / "card.json"
    card_path.write_text(card.to_json())
    read = ModelCard.read(card_path)
    assert read == card
    loaded = load_model(path, read, DATA.feature_names)
    np.testing.assert_array_equal(probability_up(loaded, DATA.features),
                                  probability_up(MODEL, DATA.features))


def test_card_says_the_run_is_reproducible_from_data_hash_and_seed(saved):
    _, card = saved
    assert card.reproducibility == (f"Reproducible: the same data (sha256 {DATA.sha256()[:12]}) "
                                    f"and random_state 7 give identical predictions.")


class _Payload:
    """Unpickling this runs code: it creates the marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (self.marker.__class__.touch, (self.marker,))


def test_loading_when_the_file_was_replaced_then_error_and_it_is_never_unpickled(saved, tmp_path):
    path, card = saved
    marker = tmp_path / "unpickled"
    path.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(ModelIntegrityError, match="differs from the model card's .* not loaded"):
        load_model(path, card, DATA.feature_names)
    assert not marker.exists()


def test_loading_when_one_byte_changed_then_error_names_the_file(saved):
    path, card = saved
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0xFF
    path.write_bytes(bytes(content))
    with pytest.raises(ModelIntegrityError, match=f"{path.name}: SHA-256 [0-9a-f]{{64}} differs"):
        load_model(path, card, DATA.feature_names)


def test_loading_when_features_differ_then_error_lists_missing_and_unexpected(saved):
    path, card = saved
    columns = ["signal", "noise_a", "momentum"]
    with pytest.raises(FeatureSetMismatch,
                       match=r"trained on 3 features, the frame has 3: missing \['noise_b'\], "
                             r"unexpected \['momentum'\]"):
        load_model(path, card, columns)


def test_loading_when_features_come_in_another_order_then_error(saved):
    path, card = saved
    with pytest.raises(FeatureSetMismatch, match="same features in another order"):
        load_model(path, card, list(reversed(DATA.feature_names)))


def test_loading_when_trained_with_another_scikit_learn_then_error_names_both(saved):
    path, card = saved
    older = dataclasses.replace(card, library_versions={**card.library_versions,
                                                        "scikit-learn": "1.0.0"})
    with pytest.raises(ModelIntegrityError, match="trained with scikit-learn 1.0.0, this is"):
        load_model(path, older, DATA.feature_names)


def test_reading_a_card_without_a_field_then_error_names_it(tmp_path, saved):
    _, card = saved
    path = tmp_path / "card.json"
    path.write_text(card.to_json().replace('"model_sha256"', '"sha"'))
    with pytest.raises(ModelIntegrityError, match=r"model card lacks \['model_sha256'\]"):
        ModelCard.read(path)
