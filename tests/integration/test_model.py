"""TrainModel and EvaluateModel run by Luigi on the real TSLA prices and the sample market."""

from __future__ import annotations

import datetime as dt
import json

import luigi
import numpy as np
import pytest
from luigi.tools.deps import find_deps

from momentum_pipeline.features import FeatureParams
from momentum_pipeline.foundation.frames import read_parquet
from momentum_pipeline.model.store import ModelCard, file_sha256, load_model
from momentum_pipeline.model.train import probability_up
from tasks.model import EvaluateModel, TrainModel
from tasks.pipeline import DailyPipeline, Research
from tests.conftest import REAL_OHLCV, run_cli, run_tasks

DATE = dt.date(2025, 10, 8)


@pytest.fixture
def real_tsla(pipeline_config):
    pipeline_config.set("data", "source", "csv")
    pipeline_config.set("data", "csv_dir", REAL_OHLCV)
    pipeline_config.set("universe", "tickers", "TSLA")
    pipeline_config.set("model", "n_estimators", 40)
    pipeline_config.set("model", "walk_forward_folds", 3)
    return pipeline_config


def _card(data_root, ticker="TSLA") -> ModelCard:
    return ModelCard.read(data_root / "models" / DATE.isoformat() / f"random_forest_{ticker}.card.json")


def _model_path(data_root, ticker="TSLA"):
    return data_root / "models" / DATE.isoformat() / f"random_forest_{ticker}.joblib"


def test_evaluate_model_on_real_tsla_writes_card_metrics_text_and_figures(real_tsla, data_root):
    assert run_tasks(EvaluateModel(date=DATE)).scheduling_succeeded
    card = _card(data_root)
    assert card.features == FeatureParams().columns()
    assert card.model_sha256 == file_sha256(_model_path(data_root))
    assert card.random_state == 42 and card.hyperparameters["n_estimators"] == 40
    assert card.split["train"]["end"] < card.split["train_data_end"] < card.split["validation"]["start"]
    assert card.split["validation"]["end"] < card.split["test"]["start"]
    assert card.split["test"]["end"] == "2025-10-07"  # the run date's close has no next day yet
    assert card.library_versions["scikit-learn"] and card.training_seconds > 0
    assert card.sample_data is False and card.source == "csv"

    reports = data_root / "reports" / DATE.isoformat()
    metrics = json.loads((reports / "model_metrics.json").read_text())
    assert metrics["model_sha256"] == card.model_sha256
    assert metrics["test"]["window"] == card.split["test"]
    assert metrics["test"]["metrics"]["model"]["rows"] == card.rows["test"]
    assert set(metrics["test"]["metrics"]) == {"model", "always_up", "yesterday_direction"}
    assert len(metrics["walk_forward"]["folds"]) == 3
    verdict_start = ("The model beats the baselines" if metrics["beats_baselines"]
                     else "The model does not beat the baselines")
    assert metrics["verdict"].startswith(verdict_start)
    assert metrics["latest_prediction"]["TSLA"]["date"] == "2025-10-08"
    assert "Verdict: " + metrics["verdict"] in (reports / "model_metrics.txt").read_text()
    for figure in metrics["figures"].values():
        assert (reports / figure).read_bytes().startswith(b"\x89PNG")


def test_train_model_with_the_same_seed_in_two_data_roots_then_identical_predictions(
        real_tsla, data_root, tmp_path):
    assert run_tasks(TrainModel(date=DATE)).scheduling_succeeded
    other_root = tmp_path / "other"
    real_tsla.set("paths", "root", other_root)
    assert run_tasks(TrainModel(date=DATE)).scheduling_succeeded
    features = read_parquet(other_root / "features" / DATE.isoformat() / "TSLA.parquet").dropna()
    first, second = (load_model(_model_path(root), _card(root), features.columns)
                     for root in (data_root, other_root))
    assert _card(data_root).data_sha256 == _card(other_root).data_sha256
    np.testing.assert_array_equal(probability_up(first, features), probability_up(second, features))


def test_train_model_when_rerun_then_skipped_and_with_another_seed_refitted_and_recorded(
        real_tsla, data_root):
    assert run_tasks(EvaluateModel(date=DATE)).scheduling_succeeded
    model_path = _model_path(data_root)
    written = model_path.stat().st_mtime_ns
    assert run_tasks(EvaluateModel(date=DATE)).scheduling_succeeded
    assert model_path.stat().st_mtime_ns == written

    assert run_tasks(EvaluateModel(date=DATE, random_state=7)).scheduling_succeeded
    card = _card(data_root)
    assert card.random_state == 7 and card.hyperparameters["random_state"] == 7
    metrics = json.loads((data_root / "reports" / DATE.isoformat() / "model_metrics.json").read_text())
    assert metrics["random_state"] == 7 and metrics["model_sha256"] == card.model_sha256


def test_evaluate_model_when_the_model_file_was_tampered_then_fails_with_an_alert(
        real_tsla, data_root):
    assert run_tasks(TrainModel(date=DATE)).scheduling_succeeded
    model_path = _model_path(data_root)
    model_path.write_bytes(model_path.read_bytes() + b"\0")
    assert not run_tasks(EvaluateModel(date=DATE)).scheduling_succeeded
    alerts = (data_root / "logs" / "alerts.log").read_text()
    assert "ModelIntegrityError" in alerts and f"{model_path}: SHA-256" in alerts
    assert not (data_root / "reports" / DATE.isoformat() / "model_metrics.json").exists()


def test_pooled_model_on_the_sample_market_stacks_the_universe_and_says_sample_data(
        pipeline_config, data_root):
    pipeline_config.set("universe", "tickers", "AAPL,MSFT,XOM")
    pipeline_config.set("model", "n_estimators", 30)
    pipeline_config.set("model", "walk_forward_folds", 2)
    assert run_tasks(EvaluateModel(date=DATE, ticker="POOLED"), workers=2).scheduling_succeeded
    card = _card(data_root, "POOLED")
    assert card.tickers == ["AAPL", "MSFT", "XOM"] and card.sample_data is True

    reports = data_root / "reports" / DATE.isoformat()
    metrics = json.loads((reports / "model_metrics_POOLED.json").read_text())
    # Every sample ticker trades every session: one row per ticker and session.
    assert metrics["test"]["metrics"]["model"]["rows"] == 3 * metrics["test"]["sessions"]
    assert metrics["sample_data"] is True and metrics["note"].startswith("SAMPLE DATA")
    assert set(metrics["latest_prediction"]) == {"AAPL", "MSFT", "XOM"}
    text = (reports / "model_metrics_POOLED.txt").read_text().splitlines()
    assert text[0] == "Direction model POOLED (SAMPLE DATA)"
    assert text[2].startswith("SAMPLE DATA")
    assert not (reports / "model_metrics.json").exists()


def _families(task: luigi.Task) -> set[str]:
    """Task families of ``task`` and everything it requires, transitively."""
    return {t.get_task_family() for t in find_deps(task, None)}


def test_research_trains_and_evaluates_the_model_and_daily_pipeline_does_not(pipeline_config):
    pipeline_config.set("universe", "tickers", "TSLA")
    assert {"TrainModel", "EvaluateModel", "DailyPipeline"} <= _families(Research(date=DATE))
    assert not {"TrainModel", "EvaluateModel"} & _families(DailyPipeline(date=DATE))


def test_train_model_from_the_command_line_takes_the_seed_and_model_settings(data_root):
    result = run_cli("TrainModel", "--local-scheduler", "--date", DATE.isoformat(),
                     "--random-state", "3", "--model-n-estimators", "25",
                     "--paths-root", str(data_root), "--data-source", "csv",
                     "--data-csv-dir", str(REAL_OHLCV))
    assert result.returncode == 0, result.stderr[-2000:]
    card = _card(data_root)
    assert card.random_state == 3 and card.hyperparameters["n_estimators"] == 25
    assert card.reproducibility in (data_root / "logs" / "TrainModel.log").read_text()
