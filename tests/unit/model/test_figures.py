"""The PNG figures: real images, the same bytes for the same inputs."""

from __future__ import annotations

import matplotlib.image
import numpy as np

from momentum_pipeline.model.evaluate import Predictions
from momentum_pipeline.model.figures import (confusion_matrix_figure, feature_importance_figure,
                                             roc_figure)

TARGET = np.array([0, 1, 1, 0, 1, 0, 1, 1])
PREDICTIONS = {"model": Predictions(np.array([0, 1, 1, 1, 0, 0, 1, 1]),
                                    np.array([0.2, 0.7, 0.8, 0.6, 0.4, 0.3, 0.9, 0.55])),
               "always_up": Predictions(np.ones(8, dtype=np.int8), np.full(8, 0.6))}


def _draw_all(folder):
    paths = [folder / n for n in ("confusion.png", "roc.png", "importance.png")]
    confusion_matrix_figure([[2, 1], [1, 4]], "confusion", paths[0])
    roc_figure(TARGET, PREDICTIONS, "roc", paths[1])
    feature_importance_figure({"signal": 0.7, "noise": 0.3}, "importance", paths[2])
    return paths


def test_figures_are_png_images_with_content_and_identical_when_redrawn(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = _draw_all(tmp_path / "a"), _draw_all(tmp_path / "b")
    for one, other in zip(first, second):
        image = matplotlib.image.imread(one)
        assert image.shape[0] >= 150 and image.shape[1] >= 400
        assert image[..., :3].std() > 0.05  # not a blank canvas
        assert one.read_bytes() == other.read_bytes()
