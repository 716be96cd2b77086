"""Metrics, baselines and the verdict: a planted pattern beats them, a random walk not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from momentum_pipeline.model.dataset import (TickerFrames, Window, direction_dataset, time_split,
                                             walk_forward_splits)
from momentum_pipeline.model.evaluate import (Predictions, baseline_predictions,
                                              classification_metrics, evaluate_window,
                                              feature_importance, latest_predictions,
                                              metrics_text, walk_forward)
from momentum_pipeline.model.train import fit_forest
from tests.unit.model.markets import SMALL_FOREST, planted_market, random_walk


def _evaluate(frames):
    data = direction_dataset([frames])
    split = time_split(data.dates, 0.15, 0.25, gap=5)
    train = data.select(split.train)
    model = fit_forest(train, SMALL_FOREST)
    return data, model, evaluate_window(model, train, data.select(split.test), significance=0.05)


def test_classification_metrics_match_hand_counts():
    target = np.array([1, 1, 0, 0])
    predictions = Predictions(np.array([1, 0, 1, 0]), np.array([0.9, 0.4, 0.6, 0.2]))
    metrics = classification_metrics(target, predictions)
    assert metrics["accuracy"] == 0.5
    assert metrics["precision"] == 0.5 and metrics["recall"] == 0.5 and metrics["f1"] == 0.5
    assert metrics["roc_auc"] == 0.75  # 3 of the 4 (up, down) pairs ranked right
    expected_loss = -np.mean(np.log([0.9, 0.4, 0.4, 0.8]))
    assert metrics["log_loss"] == pytest.approx(expected_loss)


def test_classification_metrics_when_one_direction_only_then_roc_auc_is_none():
    metrics = classification_metrics(np.array([1, 1]), Predictions(np.array([1, 1]), np.array([0.6, 0.7])))
    assert metrics["roc_auc"] is None
    assert metrics["accuracy"] == 1.0


def test_baselines_predict_up_and_yesterday_with_training_frequencies_as_probabilities():
    days = pd.bdate_range("2024-01-01", periods=8)
    close = pd.Series([10, 11, 12, 11, 12, 13, 12, 11], index=days, dtype=float)
    data = direction_dataset([TickerFrames("AAA", pd.DataFrame({"x": np.arange(8.0)}, index=days),
                                           close)])
    train, test = data.select(Window(days[1], days[4])), data.select(Window(days[5], days[6]))
    baselines = baseline_predictions(train, test)
    # Training rows: previous up, up, down, up; next day up, down, up, up.
    assert baselines["always_up"].label.tolist() == [1, 1]
    np.testing.assert_allclose(baselines["always_up"].probability_up, [0.75, 0.75])
    # Test rows: previous up, down. Training saw up after 2 of 3 up days, after 1 of 1 down.
    assert baselines["yesterday_direction"].label.tolist() == [1, 0]
    np.testing.assert_allclose(baselines["yesterday_direction"].probability_up, [2 / 3, 1.0])


def test_model_on_a_planted_pattern_beats_the_baselines_clearly():
    _, _, evaluation = _evaluate(planted_market(seed=3))
    metrics = evaluation.metrics
    assert evaluation.beats_baselines
    assert evaluation.verdict.startswith("The model beats the baselines on the test period")
    best = max(metrics[b]["accuracy"] for b in ("always_up", "yesterday_direction"))
    assert metrics["model"]["accuracy"] > best + 0.15
    assert metrics["model"]["roc_auc"] > 0.7
    assert evaluation.comparison["p_value"] < 1e-6


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_model_on_a_random_walk_does_not_beat_the_baselines_and_says_so(seed):
    _, _, evaluation = _evaluate(random_walk(seed))
    assert not evaluation.beats_baselines
    assert evaluation.verdict.startswith("The model does not beat the baselines on the test period")
    assert abs(evaluation.metrics["model"]["roc_auc"] - 0.5) < 0.1


def test_verdict_when_model_equals_a_baseline_then_not_significant_and_not_beating():
    data, model, _ = _evaluate(planted_market(seed=4))
    split = time_split(data.dates, 0.15, 0.25, gap=5)
    train, test = data.select(split.train), data.select(split.test)
    evaluation = evaluate_window(_AlwaysUp(), train, test, significance=0.05)
    assert evaluation.comparison["wins"] == 0 and evaluation.comparison["p_value"] == 1.0
    assert "is not significant (McNemar p = 1 >= 0.05)" in evaluation.verdict


class _AlwaysUp:
    """A stand-in model that predicts what the always-up baseline predicts."""

    classes_ = np.array([0, 1])

    def predict_proba(self, features):
        return np.tile([0.4, 0.6], (len(features), 1))


def test_walk_forward_scores_every_fold_on_its_own_block():
    data = direction_dataset([planted_market(seed=5)])
    result = walk_forward(data, SMALL_FOREST, folds=3, gap=5, significance=0.05)
    expected = walk_forward_splits(data.dates, 3, 5)
    assert [f["test"] for f in result["folds"]] == [s.test.to_dict() for s in expected]
    assert result["folds_beating_baselines"] == 3
    assert result["mean_accuracy"]["model"] == pytest.approx(
        np.mean([f["metrics"]["model"]["accuracy"] for f in result["folds"]]))


def test_feature_importance_ranks_the_planted_signal_first():
    data, model, _ = _evaluate(planted_market(seed=6))
    importance = feature_importance(model, data.feature_names)
    assert list(importance)[0] == "signal"
    assert sum(importance.values()) == pytest.approx(1.0)


def test_latest_prediction_is_for_the_last_session_of_each_ticker():
    data, model, _ = _evaluate(planted_market(seed=7))
    latest = latest_predictions(model, data)
    (ticker, prediction), = latest.items()
    assert ticker == "PLANTED7"
    assert prediction["date"] == data.latest.index[0][0].date().isoformat()
    assert 0 <= prediction["probability_up"] <= 1


def test_metrics_text_carries_notes_verdict_and_every_fold():
    data, model, evaluation = _evaluate(random_walk(seed=8))
    folds = walk_forward(data, SMALL_FOREST, folds=2, gap=5, significance=0.05)
    text = metrics_text("Direction model X", evaluation, folds,
                        feature_importance(model, data.feature_names), ["SAMPLE DATA: synthetic"])
    assert text.splitlines()[2] == "SAMPLE DATA: synthetic"
    assert "Verdict: " + evaluation.verdict in text
    assert all(f"{f['test']['start']} to {f['test']['end']}" in text for f in folds["folds"])
