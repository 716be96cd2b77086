"""Shared settings as ``luigi.Config`` classes: one home per setting, each a CLI flag.

Luigi maps ``[section] option`` in ``luigi.cfg`` and ``--section-option`` on the
command line to these classes, so ``--data-source csv`` sets ``data().source``.
Class names are lower case because Luigi derives the section name from them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import luigi

#: The repository's config folder (universe lists, strategy files).
CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"


class paths(luigi.Config):  # noqa: N801 - Luigi section name
    """Where outputs live: every task reads and writes under one data root."""

    root = luigi.PathParameter(default=Path("var"), absolute=True,
                               description="Data root for all outputs and logs.")


class data(luigi.Config):  # noqa: N801
    """Which market-data source feeds FetchPrices, and over which history."""

    source = luigi.ChoiceParameter(choices=["sample", "csv", "yahoo"], default="sample",
                                   description="sample (offline, synthetic), csv or yahoo.")
    csv_dir = luigi.OptionalPathParameter(default=None, absolute=True,
                                          description="Folder of <TICKER>.csv files (csv source).")
    start = luigi.DateParameter(default=dt.date(2010, 1, 1),
                                description="First date of history to fetch.")
    sample_seed = luigi.IntParameter(default=20240101,
                                     description="Seed of the synthetic sample market.")


class universe(luigi.Config):  # noqa: N801
    """Which tickers the pipeline covers."""

    file = luigi.PathParameter(default=CONFIG_DIR / "universe" / "sp100.csv", absolute=True,
                               description="CSV with a 'ticker' or 'yahoo_ticker' column.")
    tickers = luigi.Parameter(default="",
                              description="Comma-separated tickers; overrides the file when set.")
    benchmark = luigi.Parameter(default="SPY",
                                description="Benchmark ticker, fetched beside the universe.")


class validation(luigi.Config):  # noqa: N801
    """Thresholds of the cleaning rules (fractions are of price, not percent)."""

    ohlc_tolerance = luigi.FloatParameter(default=1e-6,
                                          description="Relative slack allowed in OHLC relations.")
    jump_threshold = luigi.FloatParameter(default=0.40,
                                          description="Overnight gap (fraction) flagged as a "
                                                      "suspicious adjustment.")
