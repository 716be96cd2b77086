"""What every stage stands on: the trading calendar, the universe, frames with
provenance, the data-root layout, exclusions of tickers, the private-API check."""
