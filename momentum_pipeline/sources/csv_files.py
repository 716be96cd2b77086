"""Where the ``csv`` source finds a ticker's file: the names vendors give it.

Kept free of pandas so that deciding whether a task is done (its input file's
fingerprint) stays cheap on a rerun with nothing to do.
"""

from __future__ import annotations

import re
from pathlib import Path


def csv_file_names(ticker: str) -> list[str]:
    """The names the file of ``ticker`` may have: an index with or without its ``^``
    (``^GSPC.csv``, ``GSPC.csv``), a class with ``-``, ``.`` or ``_`` (``BRK-B.csv``,
    ``BRK.B.csv``, ``BRK_B.csv``)."""
    symbol = ticker.strip()
    names = [re.sub(r"[-._]", separator, base) + ".csv"
             for base in (symbol, symbol.lstrip("^")) for separator in "-._"]
    return list(dict.fromkeys(names))


def csv_path(csv_dir: Path, ticker: str) -> Path:
    """The file of ``ticker`` in ``csv_dir``, by :func:`csv_file_names`, in any case
    (``aapl.csv``); the exact name first."""
    folder, names = Path(csv_dir), csv_file_names(ticker)
    for name in names:
        if (folder / name).is_file():
            return folder / name
    by_case = ({p.name.lower(): p for p in sorted(folder.iterdir()) if p.is_file()}
               if folder.is_dir() else {})
    for name in names:
        if name.lower() in by_case:
            return by_case[name.lower()]
    from momentum_pipeline.sources import SourceError  # imports pandas: only on failure

    raise SourceError(f"{folder / names[0]}: no CSV file for ticker {ticker} "
                      f"(tried {', '.join(names)}, in any case)")
