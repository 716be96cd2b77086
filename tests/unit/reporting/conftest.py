"""A run's upstream outputs, laid out by the data contracts, made from the real prices
of a few tickers with the pipeline's own functions (validation, metrics, features,
backtest metrics), so the report is tested on realistic inputs without a Luigi run."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from momentum_pipeline.operations.alerts import Alert
from momentum_pipeline.backtest.costs import CostModel
from momentum_pipeline.backtest.performance import finite_or_none, summarise
from momentum_pipeline.features import build_features
from momentum_pipeline.foundation.frames import dump_json, write_parquet
from momentum_pipeline.metrics import price_metrics
from momentum_pipeline.operations.performance_log import log_text, performance_row
from momentum_pipeline.foundation.provenance import Provenance
from momentum_pipeline.reporting.context import ReportSources
from momentum_pipeline.validation import clean_prices
from tests.conftest import REAL_OHLCV

RUN_DATE = dt.date(2025, 10, 8)
TICKERS = ("AAPL", "MSFT", "JPM", "XOM", "TSLA")
START = "2019-01-01"
CAPITAL = 1_000_000.0
#: Dollars of commission the equal-weight test strategy pays each session.
COMMISSION_PER_SESSION = 12.5
#: Sessions removed from AAPL's raw bars, so validation finds and fills them.
AAPL_GAPS = ("2024-03-05", "2024-03-06")


def real_bars(ticker: str) -> pd.DataFrame:
    raw = pd.read_csv(REAL_OHLCV / f"{ticker}.csv", parse_dates=["Date"])
    raw.columns = [c.lower() for c in raw.columns]
    return raw.loc[(raw["date"] >= START) & (raw["date"] <= pd.Timestamp(RUN_DATE))]


@functools.cache
def cleaned_market() -> dict[str, tuple[pd.DataFrame, dict]]:
    """Validated bars and quality record of each ticker and the benchmark."""
    market = {}
    for ticker in (*TICKERS, "SPY"):
        raw = real_bars(ticker)
        if ticker == "AAPL":
            raw = raw.loc[~raw["date"].isin(pd.to_datetime(AAPL_GAPS))]
        bars, record = clean_prices(raw.reset_index(drop=True), ticker, RUN_DATE,
                                    where=f"{ticker}.csv")
        market[ticker] = (bars, record.to_dict())
    return market


@dataclass(frozen=True)
class RunOutputs:
    sources: ReportSources
    reports_dir: Path
    quality: list[dict]
    weights: pd.DataFrame


def write_run_outputs(root: Path, sample_data: bool = False) -> RunOutputs:
    day = RUN_DATE.isoformat()
    provenance = Provenance(task="test", source="sample" if sample_data else "csv",
                            sample_data=sample_data)
    cleaned_dir = root / "data" / "cleaned" / day
    cleaned_dir.mkdir(parents=True)
    market = cleaned_market()
    quality = [record for _, record in market.values()]
    for ticker, (_, record) in market.items():
        (cleaned_dir / f"{ticker}.quality.json").write_text(dump_json(record))
    processed = root / "data" / "processed" / day
    features = root / "features" / day
    processed.mkdir(parents=True)
    features.mkdir(parents=True)
    tsla = market["TSLA"][0]
    write_parquet(price_metrics(tsla), processed / "TSLA_metrics.parquet", provenance)
    write_parquet(build_features(tsla), features / "TSLA.parquet", provenance)

    closes = {ticker: bars["close"] for ticker, (bars, _) in market.items()}
    prices = pd.DataFrame(closes).dropna()
    daily = prices.pct_change().fillna(0.0)
    strategy = daily[list(TICKERS)].mean(axis=1)  # equal weight, rebalanced daily
    benchmark = daily["SPY"]
    backtest = root / "backtest_results" / day
    backtest.mkdir(parents=True)
    performance = pd.DataFrame({
        "portfolio_value": CAPITAL * (1 + strategy).cumprod(), "returns": strategy,
        "benchmark_returns": benchmark, "gross_exposure": 1.0,
        "commission": COMMISSION_PER_SESSION}).rename_axis("date")
    write_parquet(performance, backtest / "performance.parquet", provenance)
    summary = {
        "strategy": "equal_weight_test", "start": prices.index[0].date().isoformat(),
        "end": prices.index[-1].date().isoformat(), "capital": CAPITAL,
        "sample_data": sample_data, "costs": asdict(CostModel()), "rebalances": len(prices),
        "strategy_metrics": finite_or_none(summarise(strategy, capital=CAPITAL,
                                                     gross_exposure=1.0, daily_turnover=0.0)),
        "benchmark_metrics": finite_or_none(summarise(benchmark, capital=CAPITAL,
                                                      gross_exposure=1.0, daily_turnover=0.0))}
    (backtest / "summary.json").write_text(dump_json(summary))

    signals = root / "signals" / day
    signals.mkdir(parents=True)
    weights = pd.DataFrame(0.0, index=prices.index[-3:], columns=list(TICKERS))
    weights.loc[weights.index[-1], ["AAPL", "MSFT"]] = [0.3, 0.2]
    weights.loc[weights.index[-1], "TSLA"] = -0.1
    weights.loc[weights.index[-2], ["AAPL", "JPM"]] = [0.3, 0.25]
    write_parquet(weights.rename_axis("date"), signals / "target_weights.parquet", provenance)
    pd.DataFrame({"ticker": ["JPM", "MSFT", "TSLA"], "action": ["SELL", "BUY", "SELL"],
                  "previous_weight": [0.25, 0.0, 0.0], "target_weight": [0.0, 0.2, -0.1],
                  "reason": ["fell out of the top | 20 %", "entered the top 20 %",
                             "short: bottom 20 %"]}).to_csv(signals / "rebalance.csv", index=False)
    (signals / "excluded.json").write_text(dump_json({
        "date": day, "sample_data": sample_data,
        "excluded": {"XOM": "RSI below 50: no confirmation"}}))

    reports = root / "reports" / day
    (reports / "figures").mkdir(parents=True)
    figure = Figure(figsize=(3, 3))
    figure.add_subplot().plot([0, 1], [0, 1])
    figure.savefig(reports / "figures" / "model_roc_TSLA.png", format="png")
    scores = {"accuracy": 0.52, "precision": 0.55, "recall": 0.6, "f1": 0.57,
              "roc_auc": 0.51, "log_loss": 0.69}
    (reports / "model_metrics.json").write_text(dump_json({
        "model": "TSLA", "sample_data": sample_data,
        "verdict": "The model does not beat the baselines on the test period.",
        "test": {"metrics": {"model": scores, "always_up": {**scores, "accuracy": 0.53}}},
        "figures": {"roc": "figures/model_roc_TSLA.png",
                    "confusion_matrix": "figures/model_confusion_matrix_TSLA.png"}}))

    logs = root / "logs"
    logs.mkdir()
    alerts = [
        Alert("ValidatePrices", "ValidatePrices_2025_10_08_XOM_abc",
              {"date": day, "ticker": "XOM"},
              "SchemaMismatch: XOM.csv: ticker XOM does not match the raw prices schema\n"
              "  column 'close' failed greater_than(0) at rows [3] (values: -1.0)",
              time="2025-10-08T21:00:00+00:00"),
        Alert("ExecuteTrades", "ExecuteTrades_2025_10_08_x", {"date": day},
              "KillSwitchEngaged: order 2025-10-08-AAPL-1 refused: trading halted",
              time="2025-10-08T21:05:00+00:00"),
        Alert("FetchPrices", "FetchPrices_2025_10_07_MSFT_def",
              {"date": "2025-10-07", "ticker": "MSFT"}, "SourceError: rate limited",
              time="2025-10-07T21:00:00+00:00"),
    ]
    (logs / "alerts.log").write_text("".join(a.log_record() for a in alerts))
    row = performance_row(summary, RUN_DATE, provenance.source, "0.1.0", "summary.json")
    earlier = performance_row(summary, RUN_DATE - dt.timedelta(days=1), provenance.source,
                          "0.1.0", "summary.json")
    (logs / "metrics.csv").write_text(log_text([earlier, row]))

    sources = ReportSources(
        run_date=RUN_DATE, benchmark="SPY", deep_dive_ticker="TSLA",
        backtest_summary=backtest / "summary.json", performance=backtest / "performance.parquet",
        target_weights=signals / "target_weights.parquet", rebalance=signals / "rebalance.csv",
        excluded=signals / "excluded.json",
        deep_dive_metrics=root / "data" / "processed" / day / "TSLA_metrics.parquet",
        deep_dive_features=root / "features" / day / "TSLA.parquet",
        quality_dir=cleaned_dir, model_metrics=reports / "model_metrics.json",
        alerts_log=logs / "alerts.log", performance_log=logs / "metrics.csv", root=root)
    return RunOutputs(sources, reports, quality, weights)


@pytest.fixture(scope="session")
def run_outputs(tmp_path_factory: pytest.TempPathFactory) -> RunOutputs:
    """Outputs of a real-data run; read only (copy what a test changes)."""
    return write_run_outputs(tmp_path_factory.mktemp("run"))


@pytest.fixture(scope="session")
def sample_run_outputs(tmp_path_factory: pytest.TempPathFactory) -> RunOutputs:
    """The same outputs marked as built from the synthetic sample source."""
    return write_run_outputs(tmp_path_factory.mktemp("sample_run"), sample_data=True)


def without(outputs: RunOutputs, *fields: str) -> ReportSources:
    """The sources with the named inputs pointing at files that do not exist."""
    return replace(outputs.sources, **{f: Path("/nonexistent") / f for f in fields})
