"""Scoring the direction model against naive baselines, held out and walk-forward.

Baselines: ``always_up`` (predicts up, with the training share of up days as its
probability) and ``yesterday_direction`` (predicts the previous session's
direction, with the training frequency of up after an up or a down day as its
probability). The model beats the baselines only if its accuracy is above every
baseline's, its log loss below every baseline's, and its accuracy edge over the
best baseline is significant (one-sided exact McNemar test on the rows where
exactly one of the two is right). Otherwise the verdict says plainly that it does not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import binomtest
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score, log_loss,
                             precision_score, recall_score, roc_auc_score)

from momentum_pipeline.model.dataset import (DirectionData, TimeSplit, Window,
                                             walk_forward_splits)
from momentum_pipeline.model.train import ForestSettings, fit_forest, probability_up

MODEL = "model"
BASELINE_NAMES = {"always_up": "always up", "yesterday_direction": "yesterday's direction"}


@dataclass(frozen=True)
class Predictions:
    """Per row: the predicted direction (1 = up) and the probability of up."""

    label: np.ndarray
    probability_up: np.ndarray


def model_predictions(model: RandomForestClassifier, data: DirectionData) -> Predictions:
    probability = probability_up(model, data.features)
    # The forest's own predict(): up only when more likely than not.
    return Predictions((probability > 0.5).astype(np.int8), probability)


def baseline_predictions(train: DirectionData, test: DirectionData) -> dict[str, Predictions]:
    """The naive forecasts for ``test``, their probabilities estimated on ``train``."""
    target, previous = train.target.to_numpy(), train.previous_direction.to_numpy()
    up_share = float(target.mean())
    up_after = {day: float(target[previous == day].mean()) if (previous == day).any() else up_share
                for day in (0, 1)}
    yesterday = test.previous_direction.to_numpy().astype(np.int8)
    rows = len(test.target)
    return {
        "always_up": Predictions(np.ones(rows, dtype=np.int8), np.full(rows, up_share)),
        "yesterday_direction": Predictions(yesterday, np.where(yesterday == 1, up_after[1],
                                                               up_after[0])),
    }


def classification_metrics(target: np.ndarray, predictions: Predictions) -> dict[str, Any]:
    """Accuracy, precision, recall, F1 (of the up class), ROC AUC and log loss.

    ROC AUC is None when the rows hold only one direction (it is undefined then).
    """
    label, probability = predictions.label, predictions.probability_up
    return {
        "rows": int(len(target)),
        "accuracy": float(accuracy_score(target, label)),
        "precision": float(precision_score(target, label, zero_division=0)),
        "recall": float(recall_score(target, label, zero_division=0)),
        "f1": float(f1_score(target, label, zero_division=0)),
        "roc_auc": float(roc_auc_score(target, probability)) if len(np.unique(target)) == 2 else None,
        "log_loss": float(log_loss(target, probability, labels=[0, 1])),
        "predicted_up_share": float(label.mean()),
    }


def _mcnemar(target: np.ndarray, model: Predictions, baseline: Predictions) -> dict[str, Any]:
    """Rows only the model gets right (wins) vs only the baseline (losses), and the
    one-sided p-value of so many wins if both were equally accurate."""
    model_right, baseline_right = model.label == target, baseline.label == target
    wins = int(np.sum(model_right & ~baseline_right))
    losses = int(np.sum(~model_right & baseline_right))
    p_value = binomtest(wins, wins + losses, 0.5, alternative="greater").pvalue if wins + losses else 1.0
    return {"wins": wins, "losses": losses, "p_value": float(p_value)}


@dataclass
class Evaluation:
    """The model and its baselines scored on one window of sessions."""

    window: Window
    sessions: int
    metrics: dict[str, dict[str, Any]]
    comparison: dict[str, Any]
    beats_baselines: bool
    verdict: str
    confusion_matrix: list[list[int]]
    target: np.ndarray = field(repr=False)
    predictions: dict[str, Predictions] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"window": self.window.to_dict(), "sessions": self.sessions,
                "metrics": self.metrics, "comparison": self.comparison,
                "beats_baselines": self.beats_baselines, "verdict": self.verdict,
                "confusion_matrix": {"rows_true_columns_predicted": ["down", "up"],
                                     "counts": self.confusion_matrix}}


def _verdict(period: str, metrics: dict[str, dict[str, Any]], comparison: dict[str, Any],
             significance: float) -> tuple[bool, str]:
    model = metrics[MODEL]
    accuracies = ", ".join(f"{metrics[b]['accuracy']:.3f} ({BASELINE_NAMES[b]})" for b in BASELINE_NAMES)
    losses = ", ".join(f"{metrics[b]['log_loss']:.4f}" for b in BASELINE_NAMES)
    figures = (f"accuracy {model['accuracy']:.3f} vs {accuracies}; "
               f"log loss {model['log_loss']:.4f} vs {losses}")
    best = BASELINE_NAMES[comparison["best_baseline"]]
    failures = []
    if not comparison["beats_accuracy"]:
        failures.append("its accuracy is not above every baseline's")
    if not comparison["beats_log_loss"]:
        failures.append("its log loss is not below every baseline's")
    if comparison["p_value"] >= significance:
        failures.append(f"its accuracy edge over {best} is not significant "
                        f"(McNemar p = {comparison['p_value']:.3g} >= {significance})")
    if failures:
        return False, (f"The model does not beat the baselines on the {period}: "
                       f"{'; '.join(failures)}. {figures[0].upper()}{figures[1:]}.")
    return True, (f"The model beats the baselines on the {period}: {figures}; its accuracy "
                  f"edge over {best} is significant (McNemar p = {comparison['p_value']:.3g}).")


def evaluate_window(model: RandomForestClassifier, train: DirectionData, test: DirectionData,
                    significance: float) -> Evaluation:
    """Score ``model`` (fitted on ``train``) and the baselines on ``test``."""
    target = test.target.to_numpy()
    predictions = {MODEL: model_predictions(model, test), **baseline_predictions(train, test)}
    metrics = {name: classification_metrics(target, p) for name, p in predictions.items()}
    best = max(BASELINE_NAMES, key=lambda b: metrics[b]["accuracy"])
    comparison = {
        "best_baseline": best,
        "beats_accuracy": all(metrics[MODEL]["accuracy"] > metrics[b]["accuracy"] for b in BASELINE_NAMES),
        "beats_log_loss": all(metrics[MODEL]["log_loss"] < metrics[b]["log_loss"] for b in BASELINE_NAMES),
        "significance": significance,
        **_mcnemar(target, predictions[MODEL], predictions[best]),
    }
    dates = test.dates
    window = Window(dates[0], dates[-1])
    period = (f"test period {dates[0].date()} to {dates[-1].date()} ({len(dates)} sessions, "
              f"{len(target)} rows)")
    beats, verdict = _verdict(period, metrics, comparison, significance)
    matrix = confusion_matrix(target, predictions[MODEL].label, labels=[0, 1]).tolist()
    return Evaluation(window, len(dates), metrics, comparison, beats, verdict, matrix,
                      target, predictions)


def walk_forward(data: DirectionData, settings: ForestSettings, folds: int, gap: int,
                 significance: float,
                 on_fold: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Refit on an expanding window and score each following block (see
    :func:`~momentum_pipeline.model.dataset.walk_forward_splits`); ``on_fold(number,
    folds)`` is called as each fold starts."""
    results = []
    for number, split in enumerate(walk_forward_splits(data.dates, folds, gap), start=1):
        if on_fold:
            on_fold(number, folds)
        train = data.select(split.train)
        evaluation = evaluate_window(fit_forest(train, settings), train,
                                     data.select(split.test), significance)
        results.append({"fold": number, "train": split.train.to_dict(),
                        "test": evaluation.window.to_dict(), "metrics": evaluation.metrics,
                        "beats_baselines": evaluation.beats_baselines})
    names = [MODEL, *BASELINE_NAMES]
    return {
        "folds": results,
        "folds_beating_baselines": sum(r["beats_baselines"] for r in results),
        "mean_accuracy": {n: float(np.mean([r["metrics"][n]["accuracy"] for r in results]))
                          for n in names},
        "mean_log_loss": {n: float(np.mean([r["metrics"][n]["log_loss"] for r in results]))
                          for n in names},
    }


def feature_importance(model: RandomForestClassifier, names: list[str]) -> dict[str, float]:
    """Mean decrease in impurity per feature (on the training rows), largest first."""
    pairs = sorted(zip(names, model.feature_importances_), key=lambda p: (-p[1], p[0]))
    return {name: float(value) for name, value in pairs}


def validation_metrics(model: RandomForestClassifier, data: DirectionData,
                       split: TimeSplit) -> dict[str, Any] | None:
    """The model's scores on the split's validation window (None without one)."""
    if not split.validation:
        return None
    rows = data.select(split.validation)
    return classification_metrics(rows.target.to_numpy(), model_predictions(model, rows))


def latest_predictions(model: RandomForestClassifier, data: DirectionData) -> dict[str, Any]:
    """Each ticker's probability of an up close on the session after its last one."""
    probability = probability_up(model, data.latest)
    return {ticker: {"date": date.date().isoformat(), "probability_up": float(p)}
            for (date, ticker), p in zip(data.latest.index, probability)}


def metrics_text(title: str, evaluation: Evaluation, folds: dict[str, Any],
                 importance: dict[str, float], notes: list[str]) -> str:
    """The human-readable ``model_metrics.txt``: notes, verdict, tables."""
    names = [MODEL, *BASELINE_NAMES]
    keys = ["accuracy", "precision", "recall", "f1", "roc_auc", "log_loss"]
    lines = [title, "=" * len(title), *notes, "", "Verdict: " + evaluation.verdict, "",
             f"Held-out test period {evaluation.window.start.date()} to "
             f"{evaluation.window.end.date()} ({evaluation.sessions} sessions)",
             f"{'':22}" + "".join(f"{k:>11}" for k in keys)]
    for name in names:
        values = evaluation.metrics[name]
        cells = "".join(f"{'n/a':>11}" if values[k] is None else f"{values[k]:>11.4f}" for k in keys)
        lines.append(f"{name:22}{cells}")
    comparison = evaluation.comparison
    (down_down, down_up), (up_down, up_up) = evaluation.confusion_matrix
    lines += [
        f"McNemar vs {comparison['best_baseline']}: {comparison['wins']} rows only the model got "
        f"right, {comparison['losses']} only the baseline; one-sided p = {comparison['p_value']:.4g}",
        f"Confusion matrix (true x predicted): down/down {down_down}, down/up {down_up}, "
        f"up/down {up_down}, up/up {up_up}", "",
        f"Walk-forward ({len(folds['folds'])} folds, expanding window): the model beats the "
        f"baselines in {folds['folds_beating_baselines']} of {len(folds['folds'])} folds",
        f"{'fold':6}{'test period: accuracy':26}" + "".join(f"{n:>22}" for n in names)]
    for fold in folds["folds"]:
        period = f"{fold['test']['start']} to {fold['test']['end']}"
        lines.append(f"{fold['fold']:<6}{period:26}"
                     + "".join(f"{fold['metrics'][n]['accuracy']:>22.4f}" for n in names))
    lines.append(f"{'mean':32}" + "".join(f"{folds['mean_accuracy'][n]:>22.4f}" for n in names))
    lines += ["", "Feature importance (mean decrease in impurity)"]
    lines += [f"  {name:30}{value:.4f}" for name, value in importance.items()]
    return "\n".join(lines) + "\n"
