"""PNG figures of the direction model: confusion matrix, ROC curves, feature importance.

Drawn on bare matplotlib ``Figure`` objects (the Agg renderer, no pyplot state), and
saved without the software-version stamp so the same inputs give the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from sklearn.metrics import roc_curve

from momentum_pipeline.model.evaluate import BASELINE_NAMES, MODEL, Predictions

DPI = 100


def _save(figure: Figure, path: str | Path) -> None:
    figure.tight_layout()
    figure.savefig(path, format="png", dpi=DPI, metadata={"Software": None})


def confusion_matrix_figure(counts: list[list[int]], title: str, path: str | Path) -> None:
    """Rows are the true direction, columns the predicted one (counts of rows)."""
    figure = Figure(figsize=(4.5, 4))
    axes = figure.add_subplot()
    matrix = np.asarray(counts)
    axes.imshow(matrix, cmap="Blues")
    for (row, column), count in np.ndenumerate(matrix):
        colour = "white" if count > matrix.max() / 2 else "black"
        axes.text(column, row, str(count), ha="center", va="center", color=colour)
    axes.set_xticks([0, 1], ["down", "up"])
    axes.set_yticks([0, 1], ["down", "up"])
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(title, fontsize=9)
    _save(figure, path)


def roc_figure(target: np.ndarray, predictions: dict[str, Predictions], title: str,
               path: str | Path) -> None:
    """ROC curves of the model and the baselines, from their probabilities of up."""
    figure = Figure(figsize=(5, 4.5))
    axes = figure.add_subplot()
    for name, prediction in predictions.items():
        false_positive, true_positive, _ = roc_curve(target, prediction.probability_up)
        axes.plot(false_positive, true_positive, label=BASELINE_NAMES.get(name, name),
                  linewidth=2 if name == MODEL else 1)
    axes.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    axes.set_xlabel("false positive rate")
    axes.set_ylabel("true positive rate")
    axes.set_title(title, fontsize=9)
    axes.legend(loc="lower right", fontsize=8)
    _save(figure, path)


def feature_importance_figure(importance: dict[str, float], title: str, path: str | Path) -> None:
    """Horizontal bars, largest importance on top."""
    names = list(importance)[::-1]
    figure = Figure(figsize=(6, 1.2 + 0.28 * len(names)))
    axes = figure.add_subplot()
    axes.barh(names, [importance[n] for n in names])
    axes.set_xlabel("mean decrease in impurity")
    axes.set_title(title, fontsize=9)
    axes.tick_params(axis="y", labelsize=8)
    _save(figure, path)
