"""EvaluateModel's report of one evaluation: the title (also the figures'), the notes,
``model_metrics.txt`` and the content of ``model_metrics.json``, assembled from the
model card, the scores and the predictions. The task only draws and writes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from momentum_pipeline.foundation.provenance import SAMPLE_DATA_LABEL, SAMPLE_DATA_WARNING
from momentum_pipeline.model.dataset import TimeSplit
from momentum_pipeline.model.evaluate import Evaluation, metrics_text
from momentum_pipeline.model.store import ModelCard


@dataclass(frozen=True)
class EvaluationReport:
    title: str
    text: str             # model_metrics.txt
    data: dict[str, Any]  # model_metrics.json


def evaluation_notes(card: ModelCard, split: TimeSplit) -> list[str]:
    """What the report says first: sample data, which model on what, how to reproduce it."""
    return [*([f"{SAMPLE_DATA_WARNING}."] if card.sample_data else []),
            f"Model {card.model_file} (sha256 {card.model_sha256[:12]}), "
            f"{len(card.tickers)} ticker(s), {len(card.features)} features, trained on "
            f"{split.train.start.date()} to {split.train.end.date()} "
            f"({card.rows['train']} rows)",
            card.reproducibility]


def evaluation_report(*, model: str, card: ModelCard, split: TimeSplit,
                      settings: dict[str, float | int], provenance: dict[str, Any],
                      evaluation: Evaluation, folds: dict[str, Any],
                      importance: dict[str, float], latest: dict[str, Any],
                      figures: dict[str, str]) -> EvaluationReport:
    """``settings``: the evaluation settings (folds, significance); ``provenance``: of
    the inputs (sample_data, source, code_version); ``figures``: name -> path relative
    to the report's folder."""
    sample = f" ({SAMPLE_DATA_LABEL})" if card.sample_data else ""
    title = f"Direction model {model}{sample}"
    text = metrics_text(title, evaluation, folds, importance, evaluation_notes(card, split))
    data = {
        "model": model, "tickers": card.tickers, "model_file": card.model_file,
        "model_sha256": card.model_sha256, "data_sha256": card.data_sha256,
        "random_state": card.random_state, "evaluation_settings": settings,
        **provenance, "note": f"{SAMPLE_DATA_WARNING}." if card.sample_data else None,
        "verdict": evaluation.verdict, "beats_baselines": evaluation.beats_baselines,
        "test": evaluation.to_dict(), "walk_forward": folds,
        # A list keeps the ranking (the JSON's keys are sorted).
        "feature_importance": [{"feature": n, "importance": v} for n, v in importance.items()],
        "latest_prediction": latest,
        "figures": figures,
    }
    return EvaluationReport(title=title, text=text, data=data)
