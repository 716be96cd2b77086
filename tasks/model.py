"""TrainModel and EvaluateModel: the RandomForest direction model, part of Research only.

Training is manual while the model is refined, so DailyPipeline requires neither.
``--ticker POOLED`` stacks the whole universe into one model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import luigi

from tasks.base import TickerTask, atomic_path
from tasks.config import model as model_config
from tasks.config import universe
from tasks.features import BuildFeatures
from tasks.universe import universe_tickers
from tasks.validate import ValidatePrices

DEFAULT_TICKER = "TSLA"
#: The ``ticker`` value that trains one model on every universe ticker stacked.
POOLED = "POOLED"


def forest_settings(random_state: int):
    """The ``[model]`` hyperparameters with this seed, as
    :class:`~momentum_pipeline.model.train.ForestSettings`."""
    from momentum_pipeline.model.train import ForestSettings

    settings = model_config()
    return ForestSettings(
        n_estimators=settings.n_estimators, max_depth=settings.max_depth,
        min_samples_leaf=settings.min_samples_leaf, max_features=settings.max_features,
        max_samples=settings.max_samples, random_state=random_state, n_jobs=settings.n_jobs)


class ModelTask(TickerTask):
    """What both model tasks share: the modelled tickers, the seed, the inputs."""

    ticker = luigi.Parameter(default=DEFAULT_TICKER,
                             description=f"Ticker to model, or {POOLED} for the whole universe.")
    random_state = luigi.IntParameter(default=42, description="Seed of the forest: the same "
                                                              "seed and data give identical "
                                                              "predictions.")
    settings = (model_config,)
    reads = (universe,)
    preload = ("pandas", "sklearn.ensemble", "momentum_pipeline.model.evaluate",
               "momentum_pipeline.model.store")

    def tickers(self) -> tuple[str, ...]:
        return universe_tickers() if self.ticker == POOLED else (self.ticker,)

    def data_requirements(self) -> dict[str, dict[str, luigi.Task]]:
        return {t: {"features": BuildFeatures(date=self.date, ticker=t),
                    "prices": ValidatePrices(date=self.date, ticker=t)} for t in self.tickers()}

    @property
    def model_path(self) -> Path:
        return self.dated_path("models", f"random_forest_{self.ticker}.joblib")

    @property
    def card_path(self) -> Path:
        return self.dated_path("models", f"random_forest_{self.ticker}.card.json")

    def load_dataset(self, inputs: dict[str, dict[str, luigi.LocalTarget]]):
        """The labelled rows of every modelled ticker, and the provenance of the inputs."""
        from momentum_pipeline.frames import read_parquet, read_provenance
        from momentum_pipeline.model.dataset import TickerFrames, direction_dataset

        provenances = []

        def frames():
            for number, (ticker, targets) in enumerate(inputs.items()):
                self.report_progress(number, len(inputs), f"reading features of {ticker}")
                features_path = targets["features"].path
                provenances.append(read_provenance(features_path))
                close = read_parquet(targets["prices"]["prices"].path)["close"]
                yield TickerFrames(ticker, read_parquet(features_path), close, features_path)

        data = direction_dataset(frames())
        return data, {"sample_data": any(p.sample_data for p in provenances),
                      "source": ",".join(sorted({p.source for p in provenances})),
                      "code_version": provenances[0].code_version}


class TrainModel(ModelTask):
    """Fit the forest on the oldest sessions -> ``models/<date>/random_forest_<T>.joblib``
    and its model card ``random_forest_<T>.card.json``.

    Validation and test sessions (the newest, after a gap) are not fitted on; the card
    records the windows, the data hash, the seed and the SHA-256 of the model file.
    """

    def requires(self):
        return self.data_requirements()

    def split_settings(self) -> dict[str, float | int]:
        settings = model_config()
        return {"validation_fraction": settings.validation_fraction,
                "test_fraction": settings.test_fraction, "gap": settings.gap}

    def output(self) -> dict[str, luigi.LocalTarget]:
        return {"model": luigi.LocalTarget(str(self.model_path)),
                "card": luigi.LocalTarget(str(self.card_path))}

    def produce(self) -> None:
        from momentum_pipeline.model.dataset import time_split
        from momentum_pipeline.model.evaluate import classification_metrics, model_predictions
        from momentum_pipeline.model.store import ModelCard, save_model
        from momentum_pipeline.model.train import library_versions, train_direction_model

        data, provenance = self.load_dataset(self.input())
        split_settings = self.split_settings()
        split = time_split(data.dates, split_settings["validation_fraction"],
                           split_settings["test_fraction"], split_settings["gap"])
        settings = forest_settings(self.random_state)
        self.report_progress(0, 1, f"fitting {settings.n_estimators} trees")
        trained = train_direction_model(data, split, settings)
        validation = None
        if split.validation:
            rows = data.select(split.validation)
            validation = classification_metrics(rows.target.to_numpy(),
                                                model_predictions(trained.model, rows))
        with atomic_path(self.model_path) as tmp:
            model_sha256 = save_model(trained.model, tmp)
        dates = data.dates
        card = ModelCard(
            model=self.ticker, model_file=self.model_path.name, model_sha256=model_sha256,
            tickers=data.tickers, features=data.feature_names,
            hyperparameters=settings.hyperparameters(), split_settings=split_settings,
            random_state=self.random_state, split=split.to_dict(),
            rows={name: int(window.mask(data.row_dates).sum()) for name, window in
                  (("train", split.train), ("validation", split.validation), ("test", split.test))
                  if window},
            data_window={"start": dates[0].date().isoformat(), "end": dates[-1].date().isoformat()},
            data_sha256=data.sha256(), library_versions=library_versions(),
            training_seconds=trained.training_seconds, validation_metrics=validation,
            **provenance)
        with atomic_path(self.card_path) as tmp:
            tmp.write_text(card.to_json())
        self.log.info("%s: trained on %s to %s (%d rows), random_state %d, %.1f s; %s",
                      self.ticker, split.train.start.date(), split.train.end.date(),
                      card.rows["train"], self.random_state, trained.training_seconds,
                      card.reproducibility)


class EvaluateModel(ModelTask):
    """Score the model on its held-out test period and walk-forward, against the
    baselines -> ``reports/<date>/model_metrics.json`` and ``.txt`` (suffixed
    ``_<T>`` for a ticker other than TSLA) and PNGs under ``reports/<date>/figures/``.

    The verdict says plainly whether the model beats the baselines.
    """

    preload = (*ModelTask.preload, "matplotlib.figure", "momentum_pipeline.model.figures")

    def requires(self):
        return {"model": TrainModel(date=self.date, ticker=self.ticker,
                                    random_state=self.random_state),
                "data": self.data_requirements()}

    def report_path(self, extension: str) -> Path:
        suffix = "" if self.ticker == DEFAULT_TICKER else f"_{self.ticker}"
        return self.dated_path("reports", f"model_metrics{suffix}.{extension}")

    def figure_paths(self) -> dict[str, Path]:
        return {name: self.dated_path("reports", f"figures/model_{name}_{self.ticker}.png")
                for name in ("confusion_matrix", "roc", "feature_importance")}

    def evaluation_settings(self) -> dict[str, float | int]:
        settings = model_config()
        return {"walk_forward_folds": settings.walk_forward_folds,
                "significance": settings.significance}

    def output(self) -> dict[str, Any]:
        return {"json": luigi.LocalTarget(str(self.report_path("json"))),
                "text": luigi.LocalTarget(str(self.report_path("txt"))),
                "figures": {n: luigi.LocalTarget(str(p)) for n, p in self.figure_paths().items()}}

    def draw_figures(self, title: str, evaluation, importance: dict[str, float]) -> None:
        from momentum_pipeline.model import figures

        paths = self.figure_paths()
        drawings = {
            "confusion_matrix": lambda p: figures.confusion_matrix_figure(
                evaluation.confusion_matrix, f"{title}: test period", p),
            "roc": lambda p: figures.roc_figure(evaluation.target, evaluation.predictions,
                                                f"{title}: ROC, test period", p),
            "feature_importance": lambda p: figures.feature_importance_figure(
                importance, f"{title}: feature importance", p),
        }
        for name, draw in drawings.items():
            with atomic_path(paths[name]) as tmp:
                draw(tmp)

    def produce(self) -> None:
        from momentum_pipeline.frames import dump_json
        from momentum_pipeline.metrics import SAMPLE_DATA_LABEL, SAMPLE_DATA_WARNING
        from momentum_pipeline.model.dataset import TimeSplit
        from momentum_pipeline.model.evaluate import (evaluate_window, feature_importance,
                                                      latest_predictions, metrics_text,
                                                      walk_forward)
        from momentum_pipeline.model.store import ModelCard, load_model
        from momentum_pipeline.model.train import ForestSettings

        card = ModelCard.read(self.card_path)
        data, provenance = self.load_dataset(self.input()["data"])
        if data.sha256() != card.data_sha256:
            raise ValueError(f"{self.card_path}: the model was trained on data "
                             f"{card.data_sha256[:12]}, the inputs now hash to "
                             f"{data.sha256()[:12]}; delete {self.model_path} and retrain")
        model = load_model(self.model_path, card, data.feature_names)
        split = TimeSplit.from_dict(card.split)
        settings = self.evaluation_settings()
        evaluation = evaluate_window(model, data.select(split.train), data.select(split.test),
                                     settings["significance"])
        folds = walk_forward(data, ForestSettings(**card.hyperparameters,
                                                  n_jobs=model_config().n_jobs),
                             settings["walk_forward_folds"], split.gap, settings["significance"],
                             on_fold=lambda n, total: self.report_progress(
                                 n - 1, total, "walk-forward: fitting fold"))
        importance = feature_importance(model, card.features)

        sample = f" ({SAMPLE_DATA_LABEL})" if card.sample_data else ""
        title = f"Direction model {self.ticker}{sample}"
        self.draw_figures(title, evaluation, importance)
        notes = [*([f"{SAMPLE_DATA_WARNING}."] if card.sample_data else []),
                 f"Model {card.model_file} (sha256 {card.model_sha256[:12]}), "
                 f"{len(card.tickers)} ticker(s), {len(card.features)} features, trained on "
                 f"{split.train.start.date()} to {split.train.end.date()} "
                 f"({card.rows['train']} rows)",
                 card.reproducibility]
        with atomic_path(self.report_path("txt")) as tmp:
            tmp.write_text(metrics_text(title, evaluation, folds, importance, notes))
        report = {
            "model": self.ticker, "tickers": card.tickers, "model_file": card.model_file,
            "model_sha256": card.model_sha256, "data_sha256": card.data_sha256,
            "random_state": card.random_state, "evaluation_settings": settings,
            **provenance, "note": f"{SAMPLE_DATA_WARNING}." if card.sample_data else None,
            "verdict": evaluation.verdict, "beats_baselines": evaluation.beats_baselines,
            "test": evaluation.to_dict(), "walk_forward": folds,
            # A list keeps the ranking (the JSON's keys are sorted).
            "feature_importance": [{"feature": n, "importance": v} for n, v in importance.items()],
            "latest_prediction": latest_predictions(model, data),
            "figures": {n: str(p.relative_to(self.dated_path("reports", "")))
                        for n, p in self.figure_paths().items()},
        }
        with atomic_path(self.report_path("json")) as tmp:
            tmp.write_text(dump_json(report))
        self.log.info("%s: %s", self.ticker, evaluation.verdict)
