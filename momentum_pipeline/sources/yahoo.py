"""The ``yahoo`` source: daily bars through yfinance, with retries on API limits.

Prices are requested as Yahoo's standard layout (``auto_adjust=False``): OHLC adjusted
for splits and the ``Adj Close`` adjusted for splits and dividends, exactly what a
Yahoo CSV download holds, so the ``yahoo`` and ``csv`` sources give the same bars;
validation scales OHLC by ``adj_close / close``. No corporate actions are kept: the
backtest must not apply them a second time.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import requests
import tenacity
import yfinance as yf
from yfinance.exceptions import YFException, YFRateLimitError

from momentum_pipeline.sources import (FetchedPrices, SourceError, SourceUnavailable,
                                       normalise_columns, within_dates)

log = logging.getLogger(__name__)


def _transient_errors() -> tuple[type[BaseException], ...]:
    """Rate limits, time-outs and dropped connections, from either HTTP backend."""
    errors: list[type[BaseException]] = [
        YFRateLimitError, requests.exceptions.Timeout, requests.exceptions.ConnectionError,
    ]
    try:
        from curl_cffi.requests import exceptions as curl_errors
    except ImportError:  # yfinance falls back to requests without curl_cffi
        pass
    else:
        errors += [curl_errors.Timeout, curl_errors.ConnectionError]
    return tuple(errors)


TRANSIENT_ERRORS = _transient_errors()


@dataclass(frozen=True)
class RetryPolicy:
    """First attempt plus ``retries`` more, waiting ``base_delay * 2**n`` seconds (capped)."""

    retries: int = 3
    base_delay: float = 2.0
    max_delay: float = 60.0

    def retrying(self, sleep: Callable[[float], None] = time.sleep, subject: str = "yahoo",
                 logger: logging.Logger = log) -> tenacity.Retrying:
        """Attempts of one request; ``subject`` (the ticker) starts each retry's warning,
        written to ``logger`` (the task's log file) before the wait."""
        return tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(TRANSIENT_ERRORS),
            stop=tenacity.stop_after_attempt(self.retries + 1),
            wait=tenacity.wait_exponential(multiplier=self.base_delay, exp_base=2,
                                           min=self.base_delay, max=self.max_delay),
            sleep=sleep,
            reraise=True,
            before_sleep=lambda state: logger.warning(
                "%s: attempt %d failed (%s); retrying in %.1f s", subject, state.attempt_number,
                state.outcome.exception() if state.outcome else "?",
                state.next_action.sleep if state.next_action else 0.0),
        )


def download_history(ticker: str, start: dt.date, end: dt.date, session: Any = None) -> pd.DataFrame:
    """One yfinance request for daily bars in ``[start, end]``, with the adjusted close."""
    yf.config.debug.hide_exceptions = False  # raise rate limits instead of logging them
    history = yf.Ticker(ticker, session=session).history(
        start=start.isoformat(), end=(end + dt.timedelta(days=1)).isoformat(),
        interval="1d", auto_adjust=False, actions=False)
    return history


def fetch_yahoo(ticker: str, start: dt.date, end: dt.date, *, session: Any = None,
                policy: RetryPolicy = RetryPolicy(),
                sleep: Callable[[float], None] = time.sleep,
                logger: logging.Logger = log) -> FetchedPrices:
    """Bars of ``ticker`` from Yahoo, retried on transient errors.

    Raises :class:`SourceError` naming the ticker when the transient errors outlast
    the retries, or at once on any other failure (unknown ticker, no data).
    """
    try:
        history = policy.retrying(sleep, subject=f"yahoo: ticker {ticker}", logger=logger)(
            download_history, ticker, start, end, session)
    except TRANSIENT_ERRORS as error:
        raise SourceUnavailable(f"yahoo: ticker {ticker}: still failing after {policy.retries + 1} "
                          f"attempts: {type(error).__name__}: {error}") from error
    except (YFException, requests.exceptions.RequestException, ValueError, KeyError) as error:
        raise SourceError(f"yahoo: ticker {ticker}: no daily bars between {start} and {end} "
                          f"(not retried): {type(error).__name__}: {error}") from error
    if history is None or history.empty:
        raise SourceError(f"yahoo: ticker {ticker}: no daily bars between {start} and {end}")
    frame = normalise_columns(history.reset_index())
    # Yahoo stamps daily bars at midnight exchange time; keep the calendar date.
    frame["date"] = pd.to_datetime(frame["date"]).dt.tz_localize(None).dt.normalize()
    frame, after = within_dates(
        frame[["date", "open", "high", "low", "close", "adj_close", "volume"]], start, end)
    return FetchedPrices(
        ticker=ticker, frame=frame, source="yahoo",
        details={"auto_adjust": False, "actions": False, "rows_after_run_date": after},
        retrieved_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    )
