"""The configured universe, resolved once from ``[universe]`` settings."""

from __future__ import annotations

from momentum_pipeline.universe import load_sectors, load_universe, parse_tickers, normalise_ticker
from tasks.config import universe


def universe_tickers() -> tuple[str, ...]:
    """Tickers from ``--universe-tickers`` if given, else from ``--universe-file``."""
    settings = universe()
    if settings.tickers.strip():
        return parse_tickers(settings.tickers)
    return load_universe(settings.file)


def benchmark_ticker() -> str:
    return normalise_ticker(universe().benchmark)


def sector_of(ticker: str) -> str | None:
    """GICS sector from the universe file, when it lists the ticker."""
    return load_sectors(universe().file).get(ticker)
