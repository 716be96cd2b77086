"""The ticker universe: which symbols the pipeline covers."""

from __future__ import annotations

import csv
from pathlib import Path


def normalise_ticker(ticker: str) -> str:
    """Yahoo form of a ticker: upper case, class separator ``-`` (``BRK.B`` -> ``BRK-B``),
    an index with its leading ``^`` (``^GSPC``).

    File names and zipline's csvdir ingest break on dots, so the pipeline uses this
    form everywhere.
    """
    symbol = ticker.strip().upper().replace(".", "-")
    name = symbol.removeprefix("^")
    if not name or not all(c.isalnum() or c == "-" for c in name):
        raise ValueError(f"invalid ticker {ticker!r}: use letters, digits, '.' or '-' (a share "
                         f"class: BRK.B or BRK-B), after a '^' for an index (^GSPC)")
    return symbol


def load_universe(path: str | Path) -> tuple[str, ...]:
    """Tickers listed in a universe CSV, in file order, without duplicates.

    The file needs a ``yahoo_ticker`` or ``ticker`` column; rows with
    ``in_sp100 = no`` (the SPY benchmark row) are skipped.
    """
    path = Path(path)
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise ValueError(f"{path}: universe file has no rows")
    column = "yahoo_ticker" if "yahoo_ticker" in rows[0] else "ticker"
    if column not in rows[0]:
        raise ValueError(f"{path}: universe file needs a 'ticker' or 'yahoo_ticker' column")
    tickers = [normalise_ticker(row[column]) for row in rows
               if row.get("in_sp100", "yes").strip().lower() != "no"]
    return tuple(dict.fromkeys(tickers))


def parse_tickers(text: str) -> tuple[str, ...]:
    """Tickers from a comma-separated command-line value."""
    return tuple(dict.fromkeys(normalise_ticker(t) for t in text.split(",") if t.strip()))


def load_sectors(path: str | Path) -> dict[str, str]:
    """Ticker -> GICS sector from a universe CSV with a ``sector`` column (else empty)."""
    with Path(path).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    column = "yahoo_ticker" if rows and "yahoo_ticker" in rows[0] else "ticker"
    return {normalise_ticker(r[column]): r["sector"] for r in rows if r.get("sector")}
