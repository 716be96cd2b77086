"""Rendering the report context: HTML and Markdown with jinja2, the PDF with weasyprint."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).with_name("templates")


def markdown_cell(text: object) -> str:
    """``text`` fit for one cell of a Markdown table (no pipes or line breaks)."""
    return " ".join(str(text).split()).replace("|", "\\|")


@functools.cache
def _environment(autoescape: bool) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=autoescape,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)
    environment.filters["cell"] = markdown_cell
    return environment


def render_html(context: dict[str, Any], template: str = "report.html.j2") -> str:
    return _environment(autoescape=True).get_template(template).render(context)


def render_markdown(context: dict[str, Any]) -> str:
    return _environment(autoescape=False).get_template("summary.md.j2").render(context)


#: The base URL the report's relative links (its charts) resolve against when rendered
#: to PDF: not the folder's file URL, which weasyprint hashes into the PDF's image names,
#: so that the same report written under another data root gives the same bytes.
REPORT_BASE_URL = "https://report.invalid/"


def render_pdf(html: str, html_path: Path) -> bytes:
    """The PDF of ``html``; relative links (the charts) are read from the folder of
    ``html_path``, where the HTML is or will be written."""
    from weasyprint import HTML  # imported here: it takes about a second
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ReportFolder(URLFetcher):
        """Reads the report's relative links from its folder."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith(REPORT_BASE_URL):
                relative = url.removeprefix(REPORT_BASE_URL).split("?")[0]
                return URLFetcherResponse(url, body=(html_path.parent / relative).read_bytes())
            return super().fetch(url, headers)

    return HTML(string=html, base_url=REPORT_BASE_URL + html_path.name,
                url_fetcher=ReportFolder()).write_pdf()
