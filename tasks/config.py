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


class validation(luigi.Config):  # noqa: N801
    """Thresholds of the cleaning rules (fractions are of price, not percent)."""

    ohlc_tolerance = luigi.FloatParameter(default=1e-6,
                                          description="Relative slack allowed in OHLC relations.")
    jump_threshold = luigi.FloatParameter(default=0.40,
                                          description="Overnight gap (fraction) flagged as a "
                                                      "suspicious adjustment.")
    thin_volume_fraction = luigi.FloatParameter(
        default=0.05, description="Volume below this fraction of the median of the previous "
                                  "21 sessions is flagged as a partial day's volume.")
    extreme_jump_factor = luigi.FloatParameter(
        default=3.0, description="An open or close this many times (or 1/this) the previous "
                                 "close: an unapplied split or a bad print (rule extreme_jumps).")
    max_filled_fraction = luigi.FloatParameter(
        default=0.05, description="Largest fraction of sessions that may be missing and filled "
                                  "before the series counts as sparse (rule sparse_history).")
    severity = luigi.DictParameter(
        default={}, description='Severity per rule, over the defaults: info, warn or reject, '
                                'e.g. {"missing_sessions": "info", "suspicious_jumps": "reject"}.')
    warn_alert_sessions = luigi.IntParameter(
        default=5, description="A warn finding is alerted when it falls in this many sessions "
                               "up to the run date (older ones stay in the record and report).")


class metrics(luigi.Config):  # noqa: N801
    """Windows of CalculateMetrics, in sessions."""

    volatility_window = luigi.IntParameter(default=21,
                                           description="Sessions of the rolling volatility.")
    ma_windows = luigi.ListParameter(default=[20, 50, 200],
                                     description="Sessions of the moving averages.")


class features(luigi.Config):  # noqa: N801
    """Windows of BuildFeatures' indicators, in sessions; recorded with the features."""

    rsi_length = luigi.IntParameter(default=14, description="RSI window.")
    macd_fast = luigi.IntParameter(default=12, description="MACD fast EMA.")
    macd_slow = luigi.IntParameter(default=26, description="MACD slow EMA.")
    macd_signal = luigi.IntParameter(default=9, description="EMA of MACD: its signal line.")
    return_lags = luigi.ListParameter(default=[1, 2, 3, 4, 5],
                                      description="Lags of the daily return columns.")
    rolling_windows = luigi.ListParameter(default=[5, 21],
                                          description="Windows of the rolling mean and std "
                                                      "of daily returns.")
    ma_windows = luigi.ListParameter(default=[20, 50, 200],
                                     description="Moving averages the close's distance is "
                                                 "measured from.")


class signals(luigi.Config):  # noqa: N801
    """Which strategy file GenerateSignals follows."""

    strategy_file = luigi.PathParameter(default=CONFIG_DIR / "strategy" / "momentum.toml",
                                        absolute=True,
                                        description="TOML file of the momentum strategy's "
                                                    "parameters.")


class report(luigi.Config):  # noqa: N801
    """How GenerateReport draws its charts."""

    dpi = luigi.IntParameter(default=110, description="Resolution of the report's PNG charts.")
    rolling_window = luigi.IntParameter(default=126,
                                        description="Window of the rolling Sharpe chart "
                                                    "(trading days).")
    deep_dive_ticker = luigi.Parameter(default="TSLA",
                                       description="Ticker whose price, moving averages, RSI "
                                                   "and MACD the report shows.")


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


class model(luigi.Config):  # noqa: N801
    """The direction model: forest hyperparameters, splits and evaluation.

    The seed is a task parameter (``TrainModel --random-state``), recorded in the card.
    """

    n_estimators = luigi.IntParameter(default=200, description="Trees in the forest.")
    max_depth = luigi.IntParameter(default=6, description="Depth limit of each tree: keeps "
                                                          "the pooled model small.")
    min_samples_leaf = luigi.IntParameter(default=50, description="Fewest rows in a leaf.")
    max_features = luigi.FloatParameter(default=0.3, description="Fraction of the features "
                                                                 "tried at each split.")
    max_samples = luigi.FloatParameter(default=0.5, description="Fraction of the training "
                                                                "rows drawn for each tree.")
    n_jobs = luigi.IntParameter(default=2, description="Threads fitting trees (results do "
                                                       "not depend on it).")
    validation_fraction = luigi.FloatParameter(default=0.15, description="Share of sessions "
                                                                         "in validation.")
    test_fraction = luigi.FloatParameter(default=0.20, description="Share of the newest "
                                                                   "sessions held out for test.")
    gap = luigi.IntParameter(default=5, description="Sessions left out before validation and "
                                                    "before test (at least 1).")
    walk_forward_folds = luigi.IntParameter(default=5, description="Folds of the walk-forward "
                                                                   "evaluation.")
    significance = luigi.FloatParameter(default=0.05, description="p-value below which the "
                                                                  "model's edge counts.")


class OptionalDateParameter(luigi.parameter.OptionalParameterMixin, luigi.DateParameter):
    """A date, or None when empty (Luigi has no such parameter)."""

    expected_type = dt.date


class backtest(luigi.Config):  # noqa: N801
    """BacktestStrategy: period, capital and trading costs (defaults: zipline's US equity
    costs, filled at the next session's open)."""

    start = luigi.DateParameter(default=dt.date(2015, 1, 2),
                                description="First date of the backtest period.")
    end = OptionalDateParameter(default=None,
                                description="Last date of the period; empty: the run date's "
                                            "session.")
    capital = luigi.FloatParameter(default=1_000_000.0, description="Starting equity, dollars.")
    commission = luigi.ChoiceParameter(choices=["per_share", "per_dollar", "none"],
                                       default="per_share", description="Commission model.")
    commission_rate = luigi.FloatParameter(default=0.001,
                                           description="Dollars per share (per_share) or "
                                                       "fraction of traded value (per_dollar).")
    slippage_bps = luigi.FloatParameter(default=5.0, description="Fill price moved against "
                                                                 "the trade, basis points.")
    volume_limit = luigi.FloatParameter(default=0.1, description="Largest fraction of a "
                                                                 "session's volume filled.")
    fill_price = luigi.ChoiceParameter(choices=["open", "close"], default="open",
                                       description="Orders decided on a close fill at the next "
                                                   "session's open or close.")


class execution(luigi.Config):  # noqa: N801
    """ExecuteTrades: the capital the target weights apply to, the order engine's
    pre-trade risk limits, the paper venue's simulated market and the order journal.
    Limits are in shares, dollars at the run date's close, and fractions of it."""

    capital = luigi.FloatParameter(default=1_000_000.0,
                                   description="Equity the target weights are fractions of, "
                                               "dollars.")
    max_order_quantity = luigi.IntParameter(default=100_000, description="Shares in one order.")
    max_order_notional = luigi.FloatParameter(default=150_000.0,
                                              description="Dollars in one order, at its limit.")
    max_position_quantity = luigi.IntParameter(default=200_000,
                                               description="|Shares| held in one ticker.")
    max_position_notional = luigi.FloatParameter(default=150_000.0,
                                                 description="|Dollars| held in one ticker.")
    max_gross_exposure = luigi.FloatParameter(default=1_500_000.0,
                                              description="Dollars of all |positions| together.")
    price_collar = luigi.FloatParameter(default=0.05,
                                        description="Largest distance of a limit price from the "
                                                    "close, a fraction; orders are priced at "
                                                    "half of it.")
    max_orders_per_second = luigi.FloatParameter(default=200.0,
                                                 description="Accepted orders per second: a "
                                                             "guard against a runaway loop.")
    journal = luigi.OptionalPathParameter(default=None, absolute=True,
                                          description="The order journal (positions carry over "
                                                      "in it); empty: executions/journal.log "
                                                      "under the data root.")
    live_venue = luigi.Parameter(default="",
                                 description="Live venue adapter for --venue live; empty: none "
                                             "configured, so live refuses.")
    paper_levels = luigi.IntParameter(default=10,
                                      description="Price levels per side of the paper market.")
    paper_level_spacing = luigi.FloatParameter(default=0.0005,
                                               description="Paper market: distance between "
                                                           "levels, a fraction of the close.")
    paper_level_notional = luigi.FloatParameter(default=250_000.0,
                                                description="Paper market: dollars offered at "
                                                            "each level.")
