"""Luigi tasks of momentum-pipeline: ``luigi --module tasks <Task> ...``.

Importing this package stays cheap (no pandas, zipline or scikit-learn at import
time) so a rerun with nothing to do finishes in about a second.
"""

from tasks import alerts  # noqa: F401  (registers the failure alert handler)
from tasks import base
from tasks import console, progress  # noqa: F401  (registers the per-stage counts)
from tasks.backtest import BacktestStrategy, IngestBundle
from tasks.execution import ExecuteTrades
from tasks.features import BuildFeatures
from tasks.fetch import FetchPrices
from tasks.metrics import CalculateMetrics
from tasks.model import EvaluateModel, TrainModel
from tasks.pipeline import DailyPipeline, Research
from tasks.report import GenerateReport, LogPerformance
from tasks.signals import GenerateSignals
from tasks.sweep import SweepStrategy
from tasks.validate import ValidatePrices

base.freeze_heap_at_fork()
if console.is_luigi_command_line():
    console.install()

__all__ = ["BacktestStrategy", "BuildFeatures", "CalculateMetrics", "DailyPipeline",
           "EvaluateModel", "ExecuteTrades", "FetchPrices", "GenerateReport", "GenerateSignals",
           "IngestBundle", "LogPerformance", "Research", "SweepStrategy", "TrainModel",
           "ValidatePrices"]
