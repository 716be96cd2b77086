from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from momentum_pipeline.reporting.context import draw_charts, load_report, report_context
from momentum_pipeline.reporting.render import (markdown_cell, render_html, render_markdown,
                                                render_pdf)
from tests.unit.reporting.checks import image_sources, page_blank, page_ink
from tests.unit.reporting.conftest import without


def write_report(outputs, dpi: int = 80) -> tuple[Path, str, str]:
    """Charts, HTML and PDF into the run's reports folder, as GenerateReport lays them out."""
    data = load_report(outputs.sources)
    drawn = draw_charts(data, dpi, 126)
    context = report_context(data, drawn, {})
    for relative, png in drawn.items():
        (outputs.reports_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (outputs.reports_dir / relative).write_bytes(png)
    html = render_html(context)
    html_path = outputs.reports_dir / "final_analysis_report.html"
    html_path.write_text(html)
    pdf_path = outputs.reports_dir / "final_analysis_report.pdf"
    pdf_path.write_bytes(render_pdf(html, html_path))
    return pdf_path, html, render_markdown(context)


@pytest.fixture(scope="module")
def sample_report(sample_run_outputs):
    return write_report(sample_run_outputs)


def test_pdf_when_rendered_then_every_page_has_content_in_its_body(sample_report, tmp_path):
    ink = page_ink(sample_report[0], tmp_path)
    assert len(ink) >= 3
    blank = [number for number, share in enumerate(ink, start=1) if share < 0.02]
    assert blank == [], f"(nearly) blank pages {blank} of {len(ink)}"


def test_pdf_when_rendered_then_no_page_but_the_last_is_more_than_half_blank(sample_report,
                                                                           tmp_path):
    blank = page_blank(sample_report[0], tmp_path)
    assert len(blank) >= 3
    assert all(share < 0.5 for share in blank[:-1]), [f"{share:.0%}" for share in blank]


def test_pdf_when_daily_report_of_the_real_run_then_no_page_but_the_last_is_half_blank(
        run_outputs, tmp_path):
    daily = replace(run_outputs, sources=replace(run_outputs.sources, model_metrics=None))
    blank = page_blank(write_report(daily)[0], tmp_path)
    assert all(share < 0.5 for share in blank[:-1]), [f"{share:.0%}" for share in blank]


def test_outputs_when_rendered_then_no_absolute_path_of_the_data_root(sample_report,
                                                                      sample_run_outputs):
    root = str(sample_run_outputs.sources.root)
    pdf_text = subprocess.run(["pdftotext", str(sample_report[0]), "-"], check=True,
                              capture_output=True, text=True).stdout
    for name, text in (("html", sample_report[1]), ("markdown", sample_report[2]),
                       ("pdf", pdf_text)):
        assert root not in text, name


def test_pdf_when_sample_data_then_every_page_says_so(sample_report):
    text = subprocess.run(["pdftotext", "-layout", str(sample_report[0]), "-"],
                          check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")[:-1]
    assert pages and all("SAMPLE DATA" in page for page in pages)
    assert "Survivorship bias" in text


def test_html_when_rendered_then_every_image_link_resolves(sample_report, sample_run_outputs):
    sources = image_sources(sample_report[1])
    assert len(sources) == 6  # five charts and the one model figure that exists
    for source in sources:
        assert not source.startswith(("/", "file:", "http")), "links must be relative"
        assert (sample_run_outputs.reports_dir / source).is_file(), source


def test_html_when_rendered_twice_from_same_inputs_then_identical(run_outputs):
    data = load_report(run_outputs.sources)
    first = render_html(report_context(data, draw_charts(data, 40, 126), {}))
    again = load_report(run_outputs.sources)
    assert render_html(report_context(again, draw_charts(again, 40, 126), {})) == first
    assert "SAMPLE DATA" not in first


def test_html_when_sections_missing_then_no_image_and_the_gaps_are_listed(run_outputs):
    data = load_report(without(run_outputs, "performance", "target_weights",
                               "deep_dive_metrics", "model_metrics"))
    html = render_html(report_context(data, draw_charts(data, 40, 126), {}))
    assert image_sources(html) == []
    assert "Not available for this run" in html
    assert "/nonexistent/deep_dive_metrics" in html


def test_html_when_error_text_has_markup_then_it_is_escaped(run_outputs):
    data = load_report(run_outputs.sources)
    data.missing.append("<script>alert(1)</script>")
    html = render_html(report_context(data, {}, {}))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_markdown_when_rendered_then_sections_and_sample_banner_present(sample_report):
    markdown = sample_report[2]
    for heading in ("## Performance", "## Alerts", "## Data quality"):
        assert heading in markdown
    for figure in ("Beta against SPY", "| year | strategy | SPY | excess |", "Rebalances: ",
                   "Costs: commission"):
        assert figure in markdown
    assert "SAMPLE DATA" in markdown
    assert "| **ExecuteTrades** |" in markdown
    assert "missing_sessions (filled)" in markdown


def test_html_and_markdown_when_the_backtest_has_notes_then_they_come_before_performance(
        run_outputs):
    data = load_report(run_outputs.sources)
    note = "JPM: data ends 2024-05-15 while held (target 3.2 % of equity)"
    data.summary = {**data.summary, "notes": [note]}
    context = report_context(data, {}, {})

    html, markdown = render_html(context), render_markdown(context)

    assert html.index("<h2>Notes on the data</h2>") < html.index(note) < html.index(
        "<h2>Performance</h2>")
    assert markdown.index("## Notes on the data") < markdown.index(f"- {note}") < markdown.index(
        "## Performance")


def test_html_when_the_backtest_has_no_notes_then_no_notes_heading(run_outputs):
    data = load_report(run_outputs.sources)
    assert "Notes on the data" not in render_html(report_context(data, {}, {}))


def test_markdown_cell_when_text_has_pipes_and_lines_then_one_safe_cell():
    assert markdown_cell("a | b\n  c") == "a \\| b c"


def test_pdf_when_the_same_report_is_written_in_another_folder_then_same_bytes(
        sample_report, tmp_path):
    """weasyprint names each image after its URL: the charts must not be named after the
    data root's folder, or a rerun into another root writes another PDF."""
    pdf_path, html, _ = sample_report
    moved = tmp_path / "elsewhere" / "reports"
    for chart in image_sources(html):
        (moved / chart).parent.mkdir(parents=True, exist_ok=True)
        (moved / chart).write_bytes((pdf_path.parent / chart).read_bytes())
    again = render_pdf(html, moved / "final_analysis_report.html")
    assert again == pdf_path.read_bytes()
    assert again.count(b"/Subtype /Image") >= len(image_sources(html)) > 0
