"""Shared settings as ``luigi.Config`` classes: one home per setting, each a CLI flag.

Luigi maps ``[section] option`` in ``luigi.cfg`` and ``--section-option`` on the
command line to these classes, so ``--data-source csv`` sets ``data().source``.
Class names are lower case because Luigi derives the section name from them.

A stage's settings are declared once, in a frozen dataclass of its domain package
(default, unit, help): the stage's section here is derived from it
(:func:`tasks.settings.config_section`), and ``section().settings()`` returns it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import luigi

from momentum_pipeline.backtest.config import BacktestSettings
from momentum_pipeline.config import CleaningSettings, FeatureParams, MetricParams
from momentum_pipeline.execution.config import ExecutionSettings
from momentum_pipeline.model.config import ModelSettings
from tasks.settings import config_section

#: The repository's config folder (universe lists, strategy files).
CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"


class paths(luigi.Config):  # noqa: N801 - Luigi section name
    """Where outputs live: every task reads and writes under one data root."""

    root = luigi.OptionalPathParameter(
        default=None, absolute=True,
        description="Data root for all outputs and logs; default var/<data source> (var/sample, "
                    "var/csv, var/yahoo), so the sources' outputs never meet.")


class data(luigi.Config):  # noqa: N801
    """Which market-data source feeds FetchPrices, and over which history."""

    source = luigi.ChoiceParameter(choices=["sample", "csv", "yahoo"], default="sample",
                                   description="sample (offline, synthetic), csv or yahoo.")
    csv_dir = luigi.OptionalPathParameter(default=None, absolute=True,
                                          description="Folder of <TICKER>.csv files (csv source).")
    start = luigi.DateParameter(default=dt.date(2010, 1, 1),
                                description="First date of history to fetch.")
    resample_intraday = luigi.BoolParameter(
        default=False, description="Aggregate intraday CSV bars to daily ones (first open, "
                                   "highest high, lowest low, last close, summed volume) "
                                   "instead of rejecting the file.")
    sample_seed = luigi.IntParameter(default=20240101,
                                     description="Seed of the synthetic sample market.")
    yahoo_retries = luigi.IntParameter(default=3,
                                       description="Retries of a Yahoo request after a rate "
                                                   "limit, time-out or dropped connection.")
    yahoo_retry_delay = luigi.FloatParameter(default=2.0,
                                             description="Seconds before the first Yahoo retry; "
                                                         "doubles at each further retry.")


class universe(luigi.Config):  # noqa: N801
    """Which tickers the pipeline covers."""

    file = luigi.PathParameter(default=CONFIG_DIR / "universe" / "sp100.csv", absolute=True,
                               description="CSV with a 'ticker' or 'yahoo_ticker' column.")
    tickers = luigi.Parameter(default="",
                              description="Comma-separated tickers; overrides the file when set.")
    benchmark = luigi.Parameter(default="SPY",
                                description="Benchmark ticker, fetched beside the universe.")
    exclude = luigi.Parameter(default="",
                              description="Comma-separated tickers to leave out of the universe "
                                          "on purpose (a delisted name): not reported as failures.")
    max_excluded_fraction = luigi.FloatParameter(
        default=0.10, description="Largest fraction of the universe whose data may fail (those "
                                  "tickers are excluded) before the whole day fails.")


validation = config_section("validation", CleaningSettings)
metrics = config_section("metrics", MetricParams)
features = config_section("features", FeatureParams)


class signals(luigi.Config):  # noqa: N801
    """Which strategy file GenerateSignals follows."""

    strategy_file = luigi.PathParameter(default=CONFIG_DIR / "strategy" / "momentum.toml",
                                        absolute=True,
                                        description="TOML file of the momentum strategy's "
                                                    "parameters.")


class sweep(luigi.Config):  # noqa: N801
    """Which parameter grid SweepStrategy tries."""

    grid_file = luigi.PathParameter(default=CONFIG_DIR / "research" / "sweep.toml", absolute=True,
                                    description="TOML file of the sweep's grid: lists of "
                                                "strategy parameter values and the first "
                                                "held-out session.")


class report(luigi.Config):  # noqa: N801
    """How GenerateReport draws its charts."""

    dpi = luigi.IntParameter(default=110, description="Resolution of the report's PNG charts.")
    rolling_window = luigi.IntParameter(default=126,
                                        description="Window of the rolling Sharpe chart "
                                                    "(trading days).")
    deep_dive_ticker = luigi.Parameter(default="TSLA",
                                       description="Ticker whose price, moving averages, RSI "
                                                   "and MACD the report shows.")


class batch(luigi.Config):  # noqa: N801
    """How the per-ticker stages travel through Luigi (``tasks.base.TickerStage``); read by
    no stage, so changing it makes nothing stale."""

    tickers = luigi.IntParameter(
        default=25, description="Tickers a per-ticker stage (fetch, validate, metrics, "
                                "features) runs in one task process: one scheduler round "
                                "trip and one worker process per batch instead of per "
                                "ticker. Each ticker keeps its own output, stamp, exclusion "
                                "and progress; 1 runs every ticker as its own task.")


class console(luigi.Config):  # noqa: N801
    """What a run prints (``tasks.console``)."""

    verbose = luigi.BoolParameter(default=False,
                                  description="Print Luigi's own status lines and whole "
                                              "tracebacks too (always in logs/luigi.log).")


class alerts(luigi.Config):  # noqa: N801
    """Where failure alerts go besides logs/alerts.log. Mail is off while smtp_host is empty.

    The SMTP password never goes in a config file: it is read from the environment
    variable named by ``password_env`` or from ``password_file`` when an alert is sent.
    """

    smtp_host = luigi.Parameter(default="", description="SMTP server; empty: no alert mail.")
    smtp_port = luigi.IntParameter(default=25, description="SMTP port (587 with STARTTLS).")
    smtp_user = luigi.Parameter(default="", description="SMTP login; empty: no login.")
    smtp_from = luigi.Parameter(default="momentum-pipeline@localhost",
                                description="Sender address of alert mails.")
    smtp_to = luigi.Parameter(default="", description="Comma-separated recipient addresses.")
    smtp_starttls = luigi.BoolParameter(default=False,
                                        description="Upgrade the connection with STARTTLS.")
    smtp_timeout = luigi.FloatParameter(default=10.0,
                                        description="Seconds to wait for the mail server.")
    password_env = luigi.Parameter(default="MOMENTUM_SMTP_PASSWORD",
                                   description="Environment variable holding the SMTP password.")
    password_file = luigi.OptionalPathParameter(default=None, absolute=True,
                                                description="File holding the SMTP password, "
                                                            "read when the variable is unset.")
    webhook_url = luigi.Parameter(default="", description="URL that receives alerts as JSON "
                                                          "POSTs; empty: no webhook.")


model = config_section("model", ModelSettings)
backtest = config_section("backtest", BacktestSettings)
execution = config_section("execution", ExecutionSettings)
