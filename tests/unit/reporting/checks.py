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


def page_ink(pdf: Path, folder: Path) -> list[float]:
    """Per page of ``pdf`` (pdftoppm at 30 dpi): the share of dark pixels in its body,
    header and footer left out (they alone would make a blank page look drawn)."""
    subprocess.run(["pdftoppm", "-r", "30", "-gray", "-png", str(pdf), str(folder / "page")],
                   check=True, capture_output=True)
    shares = []
    for page in sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1])):
        pixels = np.asarray(Image.open(page))
        body = pixels[int(0.08 * len(pixels)):int(0.92 * len(pixels))]
        shares.append(float((body < 200).mean()))
    return shares
