"""The configured universe, resolved once from ``[universe]`` settings."""

from __future__ import annotations

from momentum_pipeline.foundation.universe import load_sectors, load_universe, parse_tickers, normalise_ticker
from tasks.config import universe


def universe_tickers() -> tuple[str, ...]:
    """Tickers from ``--universe-tickers`` if given, else from ``--universe-file``, less
    ``--universe-exclude``: the way to let the cross-sectional stages run on the rest of
    the universe while one ticker's data is being fixed."""
    settings = universe()
    listed = (parse_tickers(settings.tickers) if settings.tickers.strip()
              else load_universe(settings.file))
    excluded = set(parse_tickers(settings.exclude))
    return tuple(t for t in listed if t not in excluded)


def benchmark_ticker() -> str:
    return normalise_ticker(universe().benchmark)


def sector_of(ticker: str) -> str | None:
    """GICS sector from the universe file, when it lists the ticker."""
    return load_sectors(universe().file).get(ticker)
