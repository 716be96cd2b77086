"""Checks of a rendered report shared by the unit and integration tests."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
from PIL import Image


class _ImageSources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources.append(dict(attrs)["src"])


def image_sources(html: str) -> list[str]:
    """The ``src`` of every ``<img>`` in ``html``, in order."""
    parser = _ImageSources()
    parser.feed(html)
    return parser.sources


def _page_bodies(pdf: Path, folder: Path) -> list[np.ndarray]:
    """Grey pixels of each page of ``pdf`` (pdftoppm at 30 dpi), header and footer left
    out (they alone would make a blank page look drawn)."""
    subprocess.run(["pdftoppm", "-r", "30", "-gray", "-png", str(pdf), str(folder / "page")],
                   check=True, capture_output=True)
    pages = sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
    return [pixels[int(0.08 * len(pixels)):int(0.92 * len(pixels))]
            for pixels in (np.asarray(Image.open(page).convert("L")) for page in pages)]


def page_ink(pdf: Path, folder: Path) -> list[float]:
    """Per page of ``pdf``: the share of dark pixels in its body."""
    return [float((body < 200).mean()) for body in _page_bodies(pdf, folder)]


def page_blank(pdf: Path, folder: Path) -> list[float]:
    """Per page of ``pdf``: the share of its body left empty below the content, the
    near-white pixel rows after the last one with ink (the gaps between lines of text
    are not unused page)."""
    shares = []
    for body in _page_bodies(pdf, folder):
        inked = np.flatnonzero((body < 245).any(axis=1))
        shares.append(1.0 - (inked[-1] + 1) / len(body) if len(inked) else 1.0)
    return shares
