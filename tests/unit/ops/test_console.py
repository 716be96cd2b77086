"""What the console says: stage progress at each quarter and at the end, and the
closing summary of a run."""

from __future__ import annotations

import logging
import sys

from momentum_pipeline.foundation.layout import Layout
from tasks.console import ForPeople, plural, summary
from tasks.progress import progress_line


def test_progress_line_when_a_stage_of_many_finishes_then_it_speaks_at_quarters_and_end():
    said = [progress_line("ValidatePrices", n, 0, 102, seconds=n * 0.1) for n in range(1, 103)]
    spoken = [(n, line) for n, line in enumerate(said, 1) if line]
    assert [n for n, _ in spoken] == [26, 51, 77, 102]
    assert spoken[1][1] == "ValidatePrices 51/102 done, about 5 s left"
    assert spoken[-1][1] == "ValidatePrices 102/102 done in 10.2 s"


def test_progress_line_when_tasks_failed_then_counted_and_small_stages_speak_at_the_end_only():
    assert progress_line("ConfirmTicker", 3, 2, 5, seconds=2.0) == "ConfirmTicker 5/5 done, 2 failed in 2.0 s"
    assert progress_line("BacktestStrategy", 1, 0, 1, seconds=8.25) == "BacktestStrategy 1/1 done in 8.2 s"
    assert [progress_line("GenerateReport", 1, 0, 3, 1.0),
            progress_line("GenerateReport", 2, 0, 3, 1.0)] == [None, None]


def test_summary_when_a_ticker_failed_then_it_names_it_the_report_and_where_to_look(tmp_path):
    pdf = tmp_path / "reports" / "final_analysis_report.pdf"
    pdf.parent.mkdir()
    pdf.write_bytes(b"%PDF")
    lines = [["ran", "FetchPrices(date=2025-10-08, ticker=AAPL)", ""],
             ["ran", "GenerateReport(date=2025-10-08)", str(pdf)],
             ["failed", "ConfirmTicker(date=2025-10-08, ticker=NOPE)", "TickerExcluded: NOPE"]]
    said = summary(lines, {"FetchPrices(date=2025-10-08, ticker=MSFT)"}, set(), 12.34,
                   Layout(tmp_path))
    assert said == ["Summary: 3 tasks ran in 12.3 s, 1 failed; 1 already done.",
                    "  FAILED ConfirmTicker(date=2025-10-08, ticker=NOPE): TickerExcluded: NOPE",
                    f"  report: {pdf}",
                    f"  why: {tmp_path / 'logs' / 'alerts.log'} and the task logs beside it"]


def test_summary_when_nothing_to_do_then_it_says_what_was_done_and_where_the_report_is(tmp_path):
    pdf = tmp_path / "final_analysis_report.pdf"
    pdf.write_bytes(b"%PDF")
    missing = str(tmp_path / "absent.pdf")
    assert summary([], {"DailyPipeline(date=2025-10-08)"}, {str(pdf), missing}, 0.4, None) == [
        "Summary: nothing to do: DailyPipeline(date=2025-10-08) already done.",
        f"  report: {pdf}"]
    assert summary([], set(), set(), 0.4, None) == [
        "Summary: nothing ran: see the errors above (and logs/luigi.log)."]
    assert plural(1, "task") == "1 task" and plural(2, "task") == "2 tasks"


def test_console_format_when_an_error_carries_a_traceback_then_one_line_with_the_exception():
    try:
        raise ValueError("AAPL.csv: column 'close' missing\nsecond line")
    except ValueError:
        record = logging.LogRecord("luigi-interface", logging.ERROR, __file__, 1,
                                   "could not run %s", ("X",), sys.exc_info())
    assert ForPeople().format(record) == (
        "ERROR: could not run X (ValueError: AAPL.csv: column 'close' missing)")
    inline = logging.LogRecord("luigi-interface", logging.WARNING, __file__, 1,
                               "Will not run X:\nTraceback (most recent call last):\n  File "
                               "\"x.py\"\nboom.Mismatch: named file", (), None)
    assert ForPeople().format(inline) == "WARNING: Will not run X: (boom.Mismatch: named file)"
