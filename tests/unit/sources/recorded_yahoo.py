"""Yahoo at the network edge: a ``requests`` adapter serving recorded-shape responses.

yfinance 1.7 talks to Yahoo through a ``requests`` (or curl_cffi) session. A real
``requests.Session`` with :class:`RecordedYahoo` mounted on ``https://`` answers
what yfinance asks Yahoo for (the cookie and crumb endpoints, then
``/v8/finance/chart/<TICKER>``) from the chart JSON files in
``tests/resources/yahoo/``, or fails per a script, so the real yfinance code runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from yfinance import cache as yf_cache
from requests.adapters import BaseAdapter
from yfinance.data import YfData

from tests.conftest import RESOURCES

CHARTS = RESOURCES / "yahoo"
#: The recorded chart: ten sessions of ACME, a dividend going ex on 2024-10-08.
ACME_CHART = CHARTS / "chart_ACME.json"
NOT_FOUND = CHARTS / "chart_not_found.json"

#: One scripted outcome of a chart request: an exception class to raise, or an HTTP status.
Failure = type[requests.exceptions.RequestException] | int


class RecordedYahoo(BaseAdapter):
    """Serves Yahoo's endpoints; each chart request first consumes one scripted failure."""

    def __init__(self, charts: dict[str, Path], failures: Iterable[Failure] = ()) -> None:
        super().__init__()
        self.charts = {ticker: json.loads(path.read_text()) for ticker, path in charts.items()}
        self.failures = list(failures)
        self.chart_requests: list[str] = []

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout=None,
             verify=True, cert=None, proxies=None) -> requests.Response:
        url = urlsplit(request.url)
        if url.hostname == "fc.yahoo.com":
            return _response(request, 404, b"")
        if url.path.endswith("/v1/test/getcrumb"):
            return _response(request, 200, b"rEcOrDeDcRuMb")
        if url.hostname == "guce.yahoo.com":
            return _response(request, 200, b"<html><body>no consent form</body></html>")
        if url.path.startswith("/v8/finance/chart/"):
            self.chart_requests.append(request.url)
            if self.failures:
                failure = self.failures.pop(0)
                if isinstance(failure, int):
                    return _response(request, failure, b"Too Many Requests")
                raise failure(f"scripted {failure.__name__} for {request.url}", request=request)
            ticker = url.path.rsplit("/", 1)[1]
            return self._chart(request, ticker, parse_qs(url.query))
        return _response(request, 404, b"")

    def _chart(self, request: requests.PreparedRequest, ticker: str,
               query: dict[str, list[str]]) -> requests.Response:
        if ticker not in self.charts:
            return _response(request, 404, NOT_FOUND.read_bytes())
        document = json.loads(json.dumps(self.charts[ticker]))
        result = document["chart"]["result"][0]
        stamps = result["timestamp"]
        if "period1" in query:  # Yahoo answers the bars in [period1, period2)
            first, end = int(query["period1"][0]), int(query["period2"][0])
            keep = [i for i, t in enumerate(stamps) if first <= t < end]
        else:  # range=1d: the last session, which is all yfinance's time-zone probe reads
            keep = [len(stamps) - 1]
        result["timestamp"] = [stamps[i] for i in keep]
        for series in (*result["indicators"]["quote"], *result["indicators"]["adjclose"]):
            for name, values in series.items():
                series[name] = [values[i] for i in keep]
        return _response(request, 200, json.dumps(document).encode())

    def close(self) -> None:
        pass


def _response(request: requests.PreparedRequest, status: int, body: bytes) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.encoding = "utf-8"
    response.url = request.url
    response.request = request
    response.reason = "OK" if status < 400 else "Error"
    return response


def recorded_session(adapter: RecordedYahoo) -> requests.Session:
    session = requests.Session()
    session.mount("https://", adapter)
    return session


@contextlib.contextmanager
def yfinance_isolated() -> Iterator[None]:
    """A fresh yfinance: no shared session, crumb, cached response or time zone.

    ``YfData`` is a singleton (kept in its metaclass's ``_instances``) that caches
    the session, cookie, crumb and chart responses between calls; the time-zone and
    cookie caches persist in files. Their managers get yfinance's own dummies (its
    "cache disabled" mode) so every fetch starts with the time-zone probe.
    """
    instances = type(YfData)._instances
    managed = [(yf_cache._TzCacheManager, "_tz_cache", yf_cache._TzCacheDummy),
               (yf_cache._CookieCacheManager, "_Cookie_cache", yf_cache._CookieCacheDummy),
               (yf_cache._ISINCacheManager, "_isin_cache", yf_cache._ISINCacheDummy)]
    saved = [getattr(manager, name) for manager, name, _ in managed]
    instances.pop(YfData, None)
    for manager, name, dummy in managed:
        setattr(manager, name, dummy())
    try:
        yield
    finally:
        instances.pop(YfData, None)
        for (manager, name, _), value in zip(managed, saved, strict=True):
            setattr(manager, name, value)


def install_session(session: requests.Session) -> None:
    """Make ``session`` the one yfinance uses for every later call without a session."""
    YfData(session=session)


def chart_bars(path: Path) -> list[dict[str, object]]:
    """The bars of a recorded chart as yfinance returns them without ``auto_adjust``
    (Yahoo's standard layout): OHLC as quoted, the adjusted close beside them."""
    result = json.loads(path.read_text())["chart"]["result"][0]
    quote, adjusted = result["indicators"]["quote"][0], result["indicators"]["adjclose"][0]
    bars = []
    for i, stamp in enumerate(result["timestamp"]):
        bars.append({
            "date": dt.datetime.fromtimestamp(stamp, dt.timezone.utc).date(),
            "open": quote["open"][i], "high": quote["high"][i], "low": quote["low"][i],
            "close": quote["close"][i], "adj_close": adjusted["adjclose"][i],
            "volume": quote["volume"][i],
        })
    return bars
