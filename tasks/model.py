"""TrainModel and EvaluateModel: the RandomForest direction model, part of Research only.

Training is manual while the model is refined, so DailyPipeline requires neither.
``--ticker POOLED`` stacks the whole universe into one model.
"""

from __future__ import annotations

from typing import Any

import luigi

from momentum_pipeline.foundation.layout import Layout
from tasks.base import TickerTask
from tasks.config import model as model_config
from tasks.config import universe
from tasks.features import BuildFeatures
from tasks.targets import DataTarget
from tasks.universe import universe_tickers
from tasks.validate import ValidatePrices

DEFAULT_TICKER = "TSLA"
#: The ``ticker`` value that trains one model on every universe ticker stacked.
POOLED = "POOLED"


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
        return {t: {"features": self.clone(BuildFeatures, ticker=t),
                    "prices": self.clone(ValidatePrices, ticker=t)} for t in self.tickers()}

    @property
    def model_target(self) -> DataTarget:
        return self.target(Layout.MODELS, f"random_forest_{self.ticker}.joblib")

    @property
    def card_target(self) -> DataTarget:
        return self.target(Layout.MODELS, f"random_forest_{self.ticker}.card.json")

    def load_dataset(self, inputs: dict[str, dict[str, luigi.LocalTarget]]):
        """The labelled rows of every modelled ticker, and the provenance of the inputs."""
        from momentum_pipeline.model.dataset import TickerFrames, direction_dataset

        provenances = []

        def frames():
            for number, (ticker, targets) in enumerate(inputs.items()):
                self.report_progress(number, len(inputs), f"reading features of {ticker}")
                features = targets["features"]
                provenances.append(features.provenance())
                close = targets["prices"]["prices"].read_frame(["close"])["close"]
                yield TickerFrames(ticker, features.read_frame(), close, features.path)

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

    def output(self) -> dict[str, DataTarget]:
        return {"model": self.model_target, "card": self.card_target}

    def produce(self) -> None:
        from momentum_pipeline.model.dataset import time_split
        from momentum_pipeline.model.evaluate import validation_metrics
        from momentum_pipeline.model.store import save_model, training_card
        from momentum_pipeline.model.train import train_direction_model

        data, provenance = self.load_dataset(self.input())
        split_settings = self.split_settings()
        split = time_split(data.dates, split_settings["validation_fraction"],
                           split_settings["test_fraction"], split_settings["gap"])
        settings = model_config().settings().forest(self.random_state)
        self.report_progress(0, 1, f"fitting {settings.n_estimators} trees")
        trained = train_direction_model(data, split, settings)
        with self.model_target.writing() as tmp:
            model_sha256 = save_model(trained.model, tmp)
        card = training_card(model=self.ticker, model_file=self.model_target.file.name,
                             model_sha256=model_sha256, data=data, split=split,
                             settings=settings, split_settings=split_settings, trained=trained,
                             validation_metrics=validation_metrics(trained.model, data, split),
                             provenance=provenance)
        self.card_target.write_text(card.to_json())
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
        return {"model": self.clone(TrainModel), "data": self.data_requirements()}

    def report_target(self, extension: str) -> DataTarget:
        suffix = "" if self.ticker == DEFAULT_TICKER else f"_{self.ticker}"
        return self.target(Layout.REPORTS, f"model_metrics{suffix}.{extension}")

    def figure_names(self) -> dict[str, str]:
        """Each figure's file, relative to the reports folder (as the report links it)."""
        return {name: f"figures/model_{name}_{self.ticker}.png"
                for name in ("confusion_matrix", "roc", "feature_importance")}

    def evaluation_settings(self) -> dict[str, float | int]:
        settings = model_config()
        return {"walk_forward_folds": settings.walk_forward_folds,
                "significance": settings.significance}

    def output(self) -> dict[str, Any]:
        return {"json": self.report_target("json"), "text": self.report_target("txt"),
                "figures": {n: self.target(Layout.REPORTS, file)
                            for n, file in self.figure_names().items()}}

    def draw_figures(self, title: str, evaluation, importance: dict[str, float]) -> None:
        from momentum_pipeline.model import figures

        targets = self.output()["figures"]
        drawings = {
            "confusion_matrix": lambda p: figures.confusion_matrix_figure(
                evaluation.confusion_matrix, f"{title}: test period", p),
            "roc": lambda p: figures.roc_figure(evaluation.target, evaluation.predictions,
                                                f"{title}: ROC, test period", p),
            "feature_importance": lambda p: figures.feature_importance_figure(
                importance, f"{title}: feature importance", p),
        }
        for name, draw in drawings.items():
            with targets[name].writing() as tmp:
                draw(tmp)

    def produce(self) -> None:
        from momentum_pipeline.model.dataset import TimeSplit
        from momentum_pipeline.model.evaluate import (evaluate_window, feature_importance,
                                                      latest_predictions, walk_forward)
        from momentum_pipeline.model.report import evaluation_report
        from momentum_pipeline.model.store import ModelCard, load_model
        from momentum_pipeline.model.train import ForestSettings

        card = ModelCard.read(self.card_target.file)
        data, provenance = self.load_dataset(self.input()["data"])
        if data.sha256() != card.data_sha256:
            raise ValueError(f"{self.card_target.path}: the model was trained on data "
                             f"{card.data_sha256[:12]}, the inputs now hash to "
                             f"{data.sha256()[:12]}; delete {self.model_target.path} and retrain")
        model = load_model(self.model_target.file, card, data.feature_names)
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
        report = evaluation_report(
            model=self.ticker, card=card, split=split, settings=settings, provenance=provenance,
            evaluation=evaluation, folds=folds, importance=importance,
            latest=latest_predictions(model, data),
            figures=self.figure_names())
        self.draw_figures(report.title, evaluation, importance)
        self.report_target("txt").write_text(report.text)
        self.report_target("json").write_json(report.data)
        self.log.info("%s: %s", self.ticker, evaluation.verdict)
