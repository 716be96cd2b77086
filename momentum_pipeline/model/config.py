"""The direction model's settings (``[model]``): forest hyperparameters, splits and
evaluation, each once with its default, unit and help.

Light to import (``tasks.config`` derives the section from it); the seed is not here:
it is ``TrainModel --random-state``, recorded in the model card.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from momentum_pipeline.model.train import ForestSettings


@dataclass(frozen=True)
class ModelSettings:
    """The direction model: forest hyperparameters, splits and evaluation.

    The seed is a task parameter (``TrainModel --random-state``), recorded in the card.
    """

    n_estimators: int = field(default=200, metadata={"unit": "trees",
                                                       "help": "Trees in the forest."})
    max_depth: int = field(default=6, metadata={
        "unit": "levels", "help": "Depth limit of each tree: keeps the pooled model small."})
    min_samples_leaf: int = field(default=50, metadata={"unit": "rows",
                                                         "help": "Fewest rows in a leaf."})
    max_features: float = field(default=0.3, metadata={
        "unit": "fraction of features", "help": "Features tried at each split."})
    max_samples: float = field(default=0.5, metadata={
        "unit": "fraction of rows", "help": "Training rows drawn for each tree."})
    n_jobs: int = field(default=2, metadata={
        "unit": "threads", "help": "Threads fitting trees (results do not depend on it)."})
    validation_fraction: float = field(default=0.15, metadata={
        "unit": "fraction of sessions", "help": "Share of sessions in validation."})
    test_fraction: float = field(default=0.20, metadata={
        "unit": "fraction of sessions", "help": "Share of the newest sessions held out "
                                                "for test."})
    gap: int = field(default=5, metadata={
        "unit": "sessions", "help": "Sessions left out before validation and before test "
                                    "(at least 1)."})
    walk_forward_folds: int = field(default=5, metadata={
        "unit": "folds", "help": "Folds of the walk-forward evaluation."})
    significance: float = field(default=0.05, metadata={
        "unit": "p-value", "help": "p-value below which the model's edge counts."})

    def forest(self, random_state: int) -> ForestSettings:
        """The forest's hyperparameters with this seed."""
        from momentum_pipeline.model.train import ForestSettings

        return ForestSettings(random_state=random_state, **{
            f.name: getattr(self, f.name) for f in fields(ForestSettings)
            if f.name != "random_state"})
