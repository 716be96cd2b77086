"""LogPerformance and GenerateReport run by Luigi after the real upstream stages, on a
small slice of the sample market (one pipeline run per module)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from momentum_pipeline.operations.performance_log import read_log
from tasks.report import GenerateReport, LogPerformance
from tests.conftest import REPO, PipelineConfig, run_tasks
from tests.unit.reporting.checks import image_sources, page_blank, page_ink

RUN_DATE = dt.date(2025, 10, 8)
TICKERS = "AAPL,MSFT,XOM,TSLA"


@pytest.fixture(scope="module")
def report_run(tmp_path_factory):
    """GenerateReport with everything it needs, on the sample source."""
    root = tmp_path_factory.mktemp("report") / "var"
    config = PipelineConfig()
    for section, option, value in (("paths", "root", root), ("data", "source", "sample"),
                                   ("data", "start", "2021-01-04"),
                                   ("backtest", "start", "2022-03-01"),
                                   ("universe", "tickers", TICKERS)):
        config.set(section, option, value)
    result = run_tasks(GenerateReport(date=RUN_DATE), workers=2)
    yield root, result, config
    config.restore()


def reports(root: Path) -> Path:
    return root / "reports" / RUN_DATE.isoformat()


def test_report_when_pipeline_ran_then_summary_html_and_pdf_exist(report_run):
    root, result, _ = report_run
    assert result.scheduling_succeeded, result.summary_text
    for name in ("summary.md", "final_analysis_report.html", "final_analysis_report.pdf"):
        assert (reports(root) / name).stat().st_size > 0, name


def test_report_pdf_when_rendered_to_png_then_every_page_has_content(report_run, tmp_path):
    ink = page_ink(reports(report_run[0]) / "final_analysis_report.pdf", tmp_path)
    assert len(ink) >= 3
    assert [n for n, share in enumerate(ink, start=1) if share < 0.02] == []


def test_report_pdf_when_rendered_to_png_then_no_page_but_the_last_is_half_blank(report_run,
                                                                                 tmp_path):
    blank = page_blank(reports(report_run[0]) / "final_analysis_report.pdf", tmp_path)
    assert all(share < 0.5 for share in blank[:-1]), [f"{share:.0%}" for share in blank]


def test_report_html_when_opened_then_every_image_resolves_and_sample_is_flagged(report_run):
    folder = reports(report_run[0])
    html = (folder / "final_analysis_report.html").read_text()
    sources = image_sources(html)
    assert len(sources) == 5  # performance, monthly, rolling Sharpe, weights, deep dive
    assert all((folder / source).is_file() for source in sources)
    assert "SAMPLE DATA" in html
    assert "SAMPLE DATA" in (folder / "summary.md").read_text()
    assert "model evaluation" not in html  # the daily run trains no model: nothing missing
    assert "Momentum pipeline daily report" in html
    assert str(report_run[0]) not in html + (folder / "summary.md").read_text()


def test_performance_log_when_pipeline_ran_then_one_row_matching_the_backtest(report_run):
    root = report_run[0]
    summary = json.loads((root / "backtest_results" / RUN_DATE.isoformat() /
                          "summary.json").read_text())
    [row] = read_log(root / "logs" / "metrics.csv")
    assert (row["run_date"], row["strategy"]) == (RUN_DATE.isoformat(), summary["strategy"])
    assert row["data_source"] == "sample" and row["sample_data"] == "true"
    for key in ("pnl", "sharpe", "sortino", "max_drawdown", "turnover", "hit_rate"):
        assert float(row[key]) == summary["strategy_metrics"][key], key


def test_log_metrics_when_rerun_then_no_work_and_when_forced_then_row_replaced(report_run):
    root = report_run[0]
    log, task_log = root / "logs" / "metrics.csv", root / "logs" / "LogPerformance.log"
    before, stamp, runs = log.read_bytes(), log.stat().st_mtime_ns, task_log.read_text()
    assert run_tasks(LogPerformance(date=RUN_DATE)).scheduling_succeeded
    assert (log.stat().st_mtime_ns, task_log.read_text()) == (stamp, runs)  # nothing ran
    (reports(root) / "performance_log_row.json").unlink()  # as if it crashed after logging
    assert run_tasks(LogPerformance(date=RUN_DATE)).scheduling_succeeded
    assert log.stat().st_mtime_ns != stamp and task_log.read_text() != runs
    assert log.read_bytes() == before
    assert len(read_log(log)) == 1


def test_where_when_report_exists_then_last_line_is_the_pdf_path(report_run):
    root = report_run[0]
    result = subprocess.run([sys.executable, "-m", "tasks.commands.where", "--paths-root", str(root),
                             "--date", RUN_DATE.isoformat()], cwd=REPO, capture_output=True,
                            text=True, check=True)
    pdf = reports(root) / "final_analysis_report.pdf"
    assert result.stdout.splitlines()[-1] == f"PDF report: {pdf.resolve()}"
    assert f"{(root / 'signals' / RUN_DATE.isoformat()).resolve()}/" in result.stdout


def test_where_when_no_report_then_exit_1_and_says_what_to_run(tmp_path):
    result = subprocess.run([sys.executable, "-m", "tasks.commands.where", "--paths-root",
                             str(tmp_path), "--date", "2025-10-08"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "no report for 2025-10-08" in result.stderr and "DailyPipeline" in result.stderr
