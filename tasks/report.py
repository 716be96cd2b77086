"""LogPerformance (the ``logs/metrics.csv`` row of a run) and GenerateReport (the run's
Markdown summary, HTML report and its PDF)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import luigi
import tenacity

from momentum_pipeline.foundation.layout import Layout
from tasks.backtest import BacktestStrategy
from tasks.base import PipelineTask, split_exclusions
from tasks.config import report as report_settings
from tasks.features import BuildFeatures
from tasks.metrics import CalculateMetrics
from tasks.model import EvaluateModel
from tasks.signals import GenerateSignals
from tasks.targets import DataTarget
from tasks.universe import benchmark_ticker

Result = TypeVar("Result")


def record_performance(path: Path, rows: list[dict[str, str]]) -> None:
    """Upsert ``rows`` into the performance log at ``path`` under its file lock, replacing
    the file atomically: concurrent runs never lose a row, a crash never leaves half a file."""
    from momentum_pipeline.operations import performance_log

    with performance_log.locked(path):
        table = performance_log.upsert(performance_log.read_log(path), rows)
        DataTarget(str(path)).write_text(performance_log.log_text(table))


class LogPerformance(PipelineTask):
    """The run's headline figures -> one row per (run date, strategy) in
    ``logs/metrics.csv`` (a rerun replaces its row), and the row logged as
    ``reports/<date>/performance_log_row.json``: the marker that makes a rerun a no-op."""

    preload = ("pandas", "pyarrow.parquet", "momentum_pipeline.operations.performance_log")

    def requires(self) -> dict[str, PipelineTask]:
        return {"backtest": self.clone(BacktestStrategy), "signals": self.clone(GenerateSignals)}

    def output(self) -> DataTarget:
        return self.target(Layout.REPORTS, "performance_log_row.json")

    def produce(self) -> None:
        from momentum_pipeline.foundation.exclusions import Exclusion
        from momentum_pipeline.operations.performance_log import performance_row

        backtest, signals = self.input()["backtest"], self.input()["signals"]
        provenance = backtest["performance"].provenance()
        excluded = signals["excluded"].read_json()["excluded_from_day"]
        row = performance_row(backtest["summary"].read_json(), self.date, provenance.source,
                              provenance.code_version,
                              where=self.layout.relative(backtest["summary"].file),
                              tickers=len(signals["weights"].provenance().inputs["tickers"]),
                              excluded=[Exclusion(**e) for e in excluded])
        record_performance(self.layout.performance_log, [row])
        self.output().write_json(row)
        self.log.info("%s: logged %s (sharpe %s, pnl %s) to %s", self.date, row["strategy"],
                      row["sharpe"], row["pnl"], self.layout.performance_log)


def retry_once_on_io_error(action: Callable[[], Result], log) -> Result:
    """Run ``action``; after an OSError (a full disk, a share that hiccups) run it once
    more. Other errors are bugs or bad inputs: raised at once."""
    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(OSError), stop=tenacity.stop_after_attempt(2),
        wait=tenacity.wait_fixed(1), reraise=True,
        before_sleep=lambda state: log.warning("report I/O failed (%s), retrying once",
                                               state.outcome.exception()))
    return retrying(action)


class GenerateReport(PipelineTask):
    """The run's report -> ``reports/<date>/summary.md``, ``final_analysis_report.html``
    (charts as PNG files under ``reports/<date>/charts/``) and ``final_analysis_report.pdf``.

    With ``--research`` the report also requires EvaluateModel and is written as
    ``research_summary.md`` / ``research_report.{html,pdf}`` beside the daily one, so
    the daily report (made without the model) and the research report never collide.
    The daily report has no model section (the daily run trains no model). Sections
    whose inputs are absent are left out and listed, with paths relative to the data
    root. Writing is retried once on an I/O error.
    """

    research = luigi.BoolParameter(default=False,
                                   description="Include the direction model's evaluation.")

    settings = (report_settings,)
    preload = ("pandas", "pyarrow.parquet", "matplotlib.figure", "jinja2", "weasyprint",
               "momentum_pipeline.reporting.context")

    def requires(self) -> dict[str, luigi.Task]:
        ticker = report_settings().deep_dive_ticker
        model = {"model": self.clone(EvaluateModel)} if self.research else {}
        return {**model, "performance_log": self.clone(LogPerformance),
                "backtest": self.clone(BacktestStrategy), "signals": self.clone(GenerateSignals),
                "deep_dive_metrics": self.clone(CalculateMetrics, ticker=ticker),
                "deep_dive_features": self.clone(BuildFeatures, ticker=ticker)}

    def output(self) -> dict[str, DataTarget]:
        names = ((("summary", "research_summary.md"), ("html", "research_report.html"),
                  ("pdf", "research_report.pdf")) if self.research else
                 (("summary", "summary.md"), ("html", "final_analysis_report.html"),
                  ("pdf", "final_analysis_report.pdf")))
        return {name: self.target(Layout.REPORTS, file) for name, file in names}

    def sources(self):
        from momentum_pipeline.reporting.context import ReportSources

        inputs = self.input()
        return ReportSources(
            run_date=self.date, benchmark=benchmark_ticker(),
            deep_dive_ticker=report_settings().deep_dive_ticker,
            backtest_summary=inputs["backtest"]["summary"].file,
            performance=inputs["backtest"]["performance"].file,
            target_weights=inputs["signals"]["weights"].file,
            rebalance=inputs["signals"]["rebalance"].file,
            excluded=inputs["signals"]["excluded"].file,
            deep_dive_metrics=inputs["deep_dive_metrics"]["metrics"].file,
            deep_dive_features=inputs["deep_dive_features"].file,
            quality_dir=self.folder(Layout.CLEANED),
            alerts_log=self.layout.alerts_log,
            performance_log=self.layout.performance_log,
            deep_dive_exclusion=self.deep_dive_exclusion(),
            model_metrics=inputs["model"]["json"].file if self.research else None,
            root=self.layout.root)

    def deep_dive_exclusion(self) -> str | None:
        """Why the deep-dive ticker was excluded from the day, if it was."""
        ticker = report_settings().deep_dive_ticker
        _, excluded = split_exclusions({ticker: self.requires()["deep_dive_features"]})
        return excluded[ticker].summary() if excluded else None

    def produce(self) -> None:
        from momentum_pipeline.foundation.provenance import SAMPLE_DATA_LABEL
        from momentum_pipeline.reporting.context import draw_charts, load_report, report_context
        from momentum_pipeline.reporting.render import render_html, render_markdown

        settings = report_settings()
        data = load_report(self.sources())
        drawn = draw_charts(data, settings.dpi, settings.rolling_window)
        context = report_context(data, drawn, {
            "dpi": str(settings.dpi), "rolling_window": str(settings.rolling_window),
            "deep_dive_ticker": settings.deep_dive_ticker})
        html, markdown = render_html(context), render_markdown(context)
        retry_once_on_io_error(lambda: self.write(drawn, html, markdown), self.log)
        for line in data.missing:
            self.log.warning("report section left out: %s", line)
        self.log.info("%s: report with %d charts%s", self.date, len(drawn),
                      f" ({SAMPLE_DATA_LABEL})" if data.sample_data else "")

    def write(self, drawn: dict[str, bytes], html: str, markdown: str) -> None:
        """Charts first, then the HTML that links them, its PDF, and the summary."""
        from momentum_pipeline.reporting.render import render_pdf

        outputs = self.output()
        for relative, png in drawn.items():
            self.target(Layout.REPORTS, relative).write_bytes(png)
        outputs["html"].write_text(html)
        outputs["pdf"].write_bytes(render_pdf(html, outputs["html"].file))
        outputs["summary"].write_text(markdown)
