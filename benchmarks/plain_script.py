"""The daily momentum job written as one plain script, the way a user would write it.

    python benchmarks/plain_script.py [--data-dir ../shared/data/ohlcv] [--out DIR]
                                      [--tickers AAPL,MSFT,SPY]

It imports nothing from this project: pandas, TA-Lib, zipline-reloaded, matplotlib and
weasyprint only. It is the peer of ``benchmarks/pipeline.py``'s Luigi runs and does the
same kinds of work on the same files, read in place:

1. read each ``<TICKER>.csv`` (Date,Open,High,Low,Close,Volume; prices already split-
   and dividend-adjusted, so ``Close`` is the adjusted close and returns come from it),
   keep 2010-01-01 .. the run date, drop rows with NaN and duplicate dates, sort;
2. TA-Lib features per ticker (RSI 14, MACD 12/26/9, 20-session rolling mean and
   standard deviation of returns, return lags 1-5, volume change), saved as parquet;
3. 12-1 momentum, ranked on the last session of each month: the top 20 % of the
   names with 273 sessions of history are held (a held name stays while within the
   top 40 %; a new name needs RSI >= 50 and MACD > 0), weighted by inverse 60-session
   volatility, capped at 10 %, fully invested (as config/strategy/momentum.toml);
4. a stock zipline-reloaded backtest 2015-01-02 .. run date with a csvdir bundle
   ingested from per-ticker CSVs written to a temporary folder: one row per NYSE
   session (missing sessions forward-filled with zero volume, so nothing fills on
   them), dots in tickers replaced (csvdir cannot read BRK.B), no splits or dividends
   (the prices are adjusted already); SPY is the benchmark;
5. an equity chart (matplotlib) and a one-page PDF report (weasyprint).

Prints the number of orders, the summary figures and, as the last line, a JSON object
of seconds per stage (``benchmarks/pipeline.py`` reads it).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import talib  # noqa: E402

STAGES: dict[str, float] = {"imports": time.perf_counter() - STARTED}
BENCHMARK = "SPY"


def stage(name: str, began: float) -> float:
    now = time.perf_counter()
    STAGES[name] = now - began
    return now


def read_prices(data_dir: Path, tickers: list[str] | None, start: str,
                end: str) -> dict[str, pd.DataFrame]:
    files = sorted(data_dir.glob("*.csv"))
    if tickers:
        files = [f for f in files if f.stem in tickers]
    prices = {}
    for file in files:
        df = pd.read_csv(file, parse_dates=["Date"], index_col="Date")
        df = df.dropna()
        df = df[~df.index.duplicated(keep="last")].sort_index()
        df = df.loc[start:end]
        df = df[(df[["Open", "High", "Low", "Close"]] > 0).all(axis=1)]
        if len(df):
            prices[file.stem] = df
    return prices


def add_features(df: pd.DataFrame) -> pd.DataFrame:
    close = df["Close"].to_numpy(dtype=float)
    out = pd.DataFrame(index=df.index)
    out["ret"] = df["Close"].pct_change()
    out["rsi_14"] = talib.RSI(close, timeperiod=14)
    macd, signal, hist = talib.MACD(close, fastperiod=12, slowperiod=26, signalperiod=9)
    out["macd"], out["macd_signal"], out["macd_hist"] = macd, signal, hist
    out["ret_mean_20"] = out["ret"].rolling(20).mean()
    out["ret_std_20"] = out["ret"].rolling(20).std()
    out["sma_50"] = talib.SMA(close, timeperiod=50)
    for lag in range(1, 6):
        out[f"ret_lag_{lag}"] = out["ret"].shift(lag)
    out["volume_change"] = df["Volume"].pct_change().replace([np.inf, -np.inf], np.nan)
    return out


def cap_weights(weights: pd.Series, cap: float) -> pd.Series:
    """Scale to sum 1, then cut each name to ``cap`` and hand the excess to the others."""
    weights = weights / weights.sum()
    for _ in range(len(weights)):
        over = weights > cap
        if not over.any() or over.all():
            break
        excess = (weights[over] - cap).sum()
        weights[over] = cap
        weights[~over] += excess * weights[~over] / weights[~over].sum()
    return weights.clip(upper=cap)


def momentum_targets(prices: dict[str, pd.DataFrame],
                     features: dict[str, pd.DataFrame]) -> dict[pd.Timestamp, pd.Series]:
    close = pd.DataFrame({t: df["Close"] for t, df in prices.items() if t != BENCHMARK})
    rsi = pd.DataFrame({t: f["rsi_14"] for t, f in features.items() if t != BENCHMARK})
    macd = pd.DataFrame({t: f["macd"] for t, f in features.items() if t != BENCHMARK})
    history = close.notna().cumsum()
    score = close.shift(21) / close.shift(252) - 1
    score = score.where(history >= 273)
    vol = np.log(close).diff().rolling(60).std() * np.sqrt(252)
    month_ends = close.index.to_series().groupby(close.index.to_period("M")).max()
    targets, held = {}, set()
    for day in month_ends:
        s = score.loc[day].dropna()
        if s.empty:
            continue
        rank = s.rank(ascending=False, method="first")
        top = set(rank[rank <= math.ceil(0.2 * len(s))].index)
        keep = {t for t in held if t in rank.index and rank[t] <= math.ceil(0.4 * len(s))}
        new = {t for t in top - keep if rsi.at[day, t] >= 50 and macd.at[day, t] > 0}
        held = keep | new
        if not held:
            targets[day] = pd.Series(dtype=float)
            continue
        names = sorted(held)
        inverse_vol = 1 / vol.loc[day, names].replace(0, np.nan)
        targets[day] = cap_weights(inverse_vol.fillna(inverse_vol.mean()), 0.10)
    return targets


def write_csvdir(prices: dict[str, pd.DataFrame], folder: Path,
                 sessions: pd.DatetimeIndex) -> dict[str, str]:
    """One CSV per ticker as csvdir wants it; returns ticker -> zipline symbol."""
    daily = folder / "daily"
    daily.mkdir(parents=True)
    symbols = {}
    for ticker, df in prices.items():
        symbol = ticker.replace(".", "-")
        own = sessions[(sessions >= df.index[0]) & (sessions <= df.index[-1])]
        bars = df.reindex(own)
        missing = bars["Close"].isna()
        bars["Close"] = bars["Close"].ffill()
        for col in ("Open", "High", "Low"):
            bars[col] = bars[col].fillna(bars["Close"])
        bars["Volume"] = bars["Volume"].where(~missing, 0)
        bars = bars.rename(columns=str.lower)
        bars["dividend"], bars["split"] = 0.0, 1.0
        bars.index.name = "date"
        bars.to_csv(daily / f"{symbol}.csv")
        symbols[ticker] = symbol
    return symbols


def run_backtest(prices, targets, workdir: Path, start: str, end: str):
    os.environ["ZIPLINE_ROOT"] = str(workdir / "zipline_root")
    from zipline import run_algorithm
    from zipline.api import order_target_percent, set_benchmark, symbol
    from zipline.data import bundles
    from zipline.data.bundles.csvdir import csvdir_equities
    from zipline.utils.calendar_utils import get_calendar

    began = time.perf_counter()
    calendar = get_calendar("XNYS")
    first = min(df.index[0] for df in prices.values())
    last = max(df.index[-1] for df in prices.values())
    sessions = calendar.sessions_in_range(first, last)
    symbols = write_csvdir(prices, workdir / "csv", sessions)
    bundles.register("plain-csvdir", csvdir_equities(["daily"], str(workdir / "csv")),
                     calendar_name="XNYS", start_session=sessions[0], end_session=sessions[-1])
    bundles.ingest("plain-csvdir", show_progress=False)
    began = stage("zipline ingest", began)

    decisions = {day.date(): weights for day, weights in targets.items()}

    def initialize(context):
        set_benchmark(symbol(BENCHMARK))
        context.assets = {t: symbol(s) for t, s in symbols.items()}

    def handle_data(context, data):
        weights = decisions.get(context.get_datetime().date())
        if weights is None:
            return
        wanted = {context.assets[t] for t in weights.index}
        for asset in list(context.portfolio.positions):
            if asset not in wanted and data.can_trade(asset):
                order_target_percent(asset, 0.0)
        for ticker, weight in weights.items():
            asset = context.assets[ticker]
            if data.can_trade(asset):
                order_target_percent(asset, weight)

    perf = run_algorithm(start=pd.Timestamp(start), end=pd.Timestamp(end), initialize=initialize,
                         handle_data=handle_data, capital_base=1_000_000.0, data_frequency="daily",
                         bundle="plain-csvdir", trading_calendar=calendar)
    stage("zipline run", began)
    return perf


def summary(perf: pd.DataFrame) -> dict[str, float]:
    returns = perf["returns"]
    equity = perf["portfolio_value"]
    bench = (1 + perf["benchmark_period_return"]).iloc[-1] - 1
    years = len(returns) / 252
    return {
        "orders": int(perf["orders"].map(len).sum()),
        "total_return": float(equity.iloc[-1] / equity.iloc[0] - 1),
        "cagr": float((equity.iloc[-1] / 1_000_000.0) ** (1 / years) - 1),
        "sharpe": float(returns.mean() / returns.std() * np.sqrt(252)),
        "max_drawdown": float((equity / equity.cummax() - 1).min()),
        "benchmark_total_return": float(bench),
    }


def report(perf: pd.DataFrame, figures: dict[str, float], out: Path, run_date: str) -> Path:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from weasyprint import HTML

    fig, ax = plt.subplots(figsize=(8, 4))
    (perf["portfolio_value"] / perf["portfolio_value"].iloc[0]).plot(ax=ax, label="momentum 12-1")
    (1 + perf["benchmark_period_return"]).plot(ax=ax, label=BENCHMARK)
    ax.set_ylabel("growth of $1")
    ax.legend()
    fig.tight_layout()
    chart = out / "equity.png"
    fig.savefig(chart, dpi=100)
    plt.close(fig)
    rows = "".join(f"<tr><td>{k}</td><td>{v:,.4g}</td></tr>" for k, v in figures.items())
    html = (f"<html><body><h1>Momentum report {run_date}</h1>"
            f"<p>S&amp;P 100 members (current list: survivorship bias), monthly 12-1 momentum.</p>"
            f"<table>{rows}</table><img src='{chart.name}' style='width:100%'></body></html>")
    pdf = out / f"report_{run_date}.pdf"
    HTML(string=html, base_url=str(out)).write_pdf(pdf)
    return pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = Path(__file__).resolve().parents[1]
    parser.add_argument("--data-dir", type=Path, default=here.parent / "shared" / "data" / "ohlcv")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: a temp dir)")
    parser.add_argument("--tickers", default="", help="comma-separated subset (SPY is always added)")
    parser.add_argument("--date", default="2025-10-08", help="run date: last day of data used")
    parser.add_argument("--data-start", default="2010-01-01")
    parser.add_argument("--backtest-start", default="2015-01-02")
    parser.add_argument("--until", choices=("signals", "report"), default="report",
                        help="stop after the signals (the data stages only) or run everything")
    args = parser.parse_args()
    tickers = [t for t in args.tickers.split(",") if t]
    if tickers and BENCHMARK not in tickers:
        tickers.append(BENCHMARK)

    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or Path(scratch) / "out"
        out.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        prices = read_prices(args.data_dir, tickers, args.data_start, args.date)
        began = stage("read + clean", began)
        features = {t: add_features(df) for t, df in prices.items()}
        pd.concat(features, names=["ticker"]).to_parquet(out / "features.parquet")
        began = stage("features", began)
        targets = momentum_targets(prices, features)
        pd.DataFrame(targets).T.to_csv(out / "targets.csv")
        stage("signals", began)
        if args.until == "signals":
            print(f"tickers: {len(prices)}, rebalances: {len(targets)}")
            STAGES["total"] = time.perf_counter() - STARTED
            print(json.dumps({"stages": STAGES}))
            return
        # SPY's file ends a session before the others (2025-10-07): zipline refuses a
        # benchmark that stops before the last simulated session, so end there.
        end = min(pd.Timestamp(args.date), prices[BENCHMARK].index[-1]).date().isoformat()
        perf = run_backtest(prices, targets, Path(scratch), args.backtest_start, end)
        began = time.perf_counter()
        figures = summary(perf)
        daily = perf.drop(columns=["orders", "transactions", "positions"])
        daily.to_parquet(out / "performance.parquet")
        pdf = report(perf, figures, out, args.date)
        stage("report", began)
        print(f"tickers: {len(prices)}, rebalances: {len(targets)}, backtest "
              f"{args.backtest_start}..{end}, orders: {figures['orders']}")
        for name, value in figures.items():
            if name != "orders":
                print(f"{name}: {value:.4f}")
        print(f"pdf: {pdf} ({pdf.stat().st_size} bytes)")
    STAGES["total"] = time.perf_counter() - STARTED
    print(json.dumps({"stages": STAGES}))


if __name__ == "__main__":
    main()
