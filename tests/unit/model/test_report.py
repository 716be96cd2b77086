"""The model card of a training and the evaluation report (title, notes, text, JSON)."""

from __future__ import annotations

import dataclasses

from momentum_pipeline.foundation.provenance import SAMPLE_DATA_WARNING
from momentum_pipeline.model.dataset import direction_dataset, time_split
from momentum_pipeline.model.evaluate import (evaluate_window, feature_importance,
                                              latest_predictions, validation_metrics,
                                              walk_forward)
from momentum_pipeline.model.report import evaluation_notes, evaluation_report
from momentum_pipeline.model.store import training_card
from momentum_pipeline.model.train import library_versions, train_direction_model
from tests.unit.model.markets import SMALL_FOREST, planted_market

DATA = direction_dataset([planted_market(seed=12, count=400)])
SPLIT = time_split(DATA.dates, 0.15, 0.2, gap=5)
TRAINED = train_direction_model(DATA, SPLIT, SMALL_FOREST)
PROVENANCE = {"sample_data": True, "source": "sample", "code_version": "test"}
SPLIT_SETTINGS = {"validation_fraction": 0.15, "test_fraction": 0.2, "gap": 5}


def card(**changes):
    made = training_card(model="PLANTED12", model_file="random_forest_PLANTED12.joblib",
                         model_sha256="ab" * 32, data=DATA, split=SPLIT, settings=SMALL_FOREST,
                         split_settings=SPLIT_SETTINGS, trained=TRAINED,
                         validation_metrics=validation_metrics(TRAINED.model, DATA, SPLIT),
                         provenance=PROVENANCE)
    return dataclasses.replace(made, **changes)


def test_training_card_counts_the_rows_of_each_window_and_records_the_data():
    made = card()
    assert made.rows == {name: int(window.mask(DATA.row_dates).sum()) for name, window in
                         (("train", SPLIT.train), ("validation", SPLIT.validation),
                          ("test", SPLIT.test))}
    assert sum(made.rows.values()) < len(DATA.row_dates)  # the gaps are left out
    assert made.data_window == {"start": DATA.dates[0].date().isoformat(),
                                "end": DATA.dates[-1].date().isoformat()}
    assert made.random_state == SMALL_FOREST.random_state
    assert made.hyperparameters == SMALL_FOREST.hyperparameters()
    assert made.data_sha256 == DATA.sha256() and made.library_versions == library_versions()
    assert made.sample_data is True and made.source == "sample"
    assert set(made.validation_metrics) >= {"accuracy", "log_loss"}


def test_validation_metrics_without_a_validation_window_are_none():
    no_validation = time_split(DATA.dates, 0.0, 0.2, gap=5)
    assert validation_metrics(TRAINED.model, DATA, no_validation) is None


def test_evaluation_notes_say_sample_data_first_then_the_model_and_reproducibility():
    notes = evaluation_notes(card(), SPLIT)
    assert notes[0] == f"{SAMPLE_DATA_WARNING}."
    assert notes[1].startswith("Model random_forest_PLANTED12.joblib (sha256 abababababab), "
                               "1 ticker(s)")
    assert notes[2] == card().reproducibility
    assert evaluation_notes(card(sample_data=False), SPLIT)[0].startswith("Model ")


def test_evaluation_report_holds_the_verdict_ranking_and_predictions_in_text_and_json():
    model = TRAINED.model
    evaluation = evaluate_window(model, DATA.select(SPLIT.train), DATA.select(SPLIT.test), 0.05)
    folds = walk_forward(DATA, SMALL_FOREST, folds=2, gap=5, significance=0.05)
    importance = feature_importance(model, DATA.feature_names)
    report = evaluation_report(
        model="PLANTED12", card=card(), split=SPLIT,
        settings={"walk_forward_folds": 2, "significance": 0.05}, provenance=PROVENANCE,
        evaluation=evaluation, folds=folds, importance=importance,
        latest=latest_predictions(model, DATA), figures={"roc": "figures/roc.png"})
    assert report.title == "Direction model PLANTED12 (SAMPLE DATA)"
    assert report.text.splitlines()[0] == report.title
    assert "Verdict: " + evaluation.verdict in report.text
    data = report.data
    assert data["verdict"] == evaluation.verdict and data["note"] == f"{SAMPLE_DATA_WARNING}."
    assert [f["feature"] for f in data["feature_importance"]] == list(importance)
    assert data["latest_prediction"] == latest_predictions(model, DATA)
    assert data["figures"] == {"roc": "figures/roc.png"}
    assert data["source"] == "sample" and data["random_state"] == SMALL_FOREST.random_state
