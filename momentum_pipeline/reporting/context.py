"""What the report shows: the other stages' outputs loaded (:func:`load_report`), drawn
(:func:`draw_charts`) and turned into plain, already formatted values for the
templates (:func:`report_context`), so the HTML, the PDF and the Markdown agree.

A section whose input is absent is left out and listed under "not available", with
the file it would have been made from, relative to the data root (a report is
forwarded: it names no folder of the machine that made it).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from momentum_pipeline.operations.alerts import Alert, alerts_of_run
from momentum_pipeline.backtest.performance import METRICS, RELATIVE_METRICS, against_benchmark
from momentum_pipeline.backtest.targets import last_rebalance
from momentum_pipeline.foundation.frames import read_parquet, read_provenance
from momentum_pipeline.foundation.provenance import SAMPLE_DATA_LABEL, SAMPLE_DATA_WARNING
from momentum_pipeline.operations.performance_log import read_log
from momentum_pipeline.foundation.provenance import Provenance, code_version
from momentum_pipeline.reporting import charts
from momentum_pipeline.reporting.performance import yearly_returns

#: Sessions of the deep-dive chart: the last two years.
DEEP_DIVE_SESSIONS = 504
#: Rows of data-quality findings and of the metrics history listed in full.
MAX_FINDINGS = 40
HISTORY_ROWS = 10
#: Scores of EvaluateModel's test period shown for the model and each baseline.
MODEL_SCORES = ("accuracy", "precision", "recall", "f1", "roc_auc", "log_loss")

CHART_PATHS = {
    "performance": "charts/performance.png",
    "monthly_returns": "charts/monthly_returns.png",
    "rolling_sharpe": "charts/rolling_sharpe.png",
    "target_weights": "charts/target_weights.png",
    "deep_dive": "charts/deep_dive.png",
}

SURVIVORSHIP_NOTE = (
    "The universe is today's S&P 100 membership applied to the whole history: "
    "companies that left the index (acquired, shrunk or bankrupt) are missing and "
    "today's members are known to have survived, so backtest returns are biased "
    "upwards (survivorship bias).")

_LABELS = {
    "pnl": ("PnL", "dollars"), "total_return": ("Total return", "percent"),
    "annual_return": ("Annual return", "percent"),
    "annual_volatility": ("Annual volatility", "percent"), "sharpe": ("Sharpe", "ratio"),
    "sortino": ("Sortino", "ratio"), "max_drawdown": ("Max drawdown", "percent"),
    "calmar": ("Calmar", "ratio"), "turnover": ("Turnover (per year, x equity)", "ratio"),
    "hit_rate": ("Hit rate", "percent"), "exposure": ("Gross exposure (mean)", "percent"),
    "beta": ("Beta", "ratio"), "alpha": ("Alpha (annual)", "percent"),
    "tracking_error": ("Tracking error (annual)", "percent"),
    "information_ratio": ("Information ratio", "ratio"),
}


def formatted(value: Any, unit: str) -> str:
    """A figure as the report prints it; a missing or undefined one as an en dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if unit == "percent":
        return f"{100 * value:.2f} %"
    if unit in ("dollars", "cents"):  # whole dollars, or to the cent for small sums
        return f"{'-' if value < 0 else ''}${abs(value):,.{2 if unit == 'cents' else 0}f}"
    if unit == "ratio":
        return f"{value:.2f}"
    if unit == "score":
        return f"{value:.3f}"
    return str(value)


@dataclass(frozen=True)
class ReportSources:
    """Where the report's inputs are, by the stages' data contracts. A path that does
    not exist leaves its section out."""

    run_date: dt.date
    benchmark: str
    deep_dive_ticker: str
    backtest_summary: Path
    performance: Path
    target_weights: Path
    rebalance: Path
    excluded: Path
    deep_dive_metrics: Path
    deep_dive_features: Path
    quality_dir: Path
    alerts_log: Path
    performance_log: Path
    #: Why the deep-dive ticker has no metrics, when a per-ticker stage excluded it.
    deep_dive_exclusion: str | None = None
    #: EvaluateModel's scores: the research report's alone (the daily run trains no
    #: model, so the daily report has no model section and does not miss one).
    model_metrics: Path | None = None
    #: The data root: paths inside it are shown relative to it.
    root: Path | None = None

    @property
    def research(self) -> bool:
        return self.model_metrics is not None

    def shown(self, path: Path) -> str:
        """``path`` as the report prints it: relative to the data root when inside it."""
        if self.root is not None and path.is_relative_to(self.root):
            return str(path.relative_to(self.root))
        return str(path)

    def shown_in(self, text: str) -> str:
        """``text`` (an error, a note) with the data root's paths made relative to it."""
        return text if self.root is None else text.replace(f"{self.root}/", "")


@dataclass
class ReportData:
    """The inputs, loaded; ``None`` where a file was absent."""

    sources: ReportSources
    summary: dict[str, Any] | None = None
    performance: pd.DataFrame | None = None
    weights: pd.DataFrame | None = None
    rebalance: pd.DataFrame | None = None
    excluded: dict[str, str] | None = None
    excluded_from_day: list[dict[str, str]] = field(default_factory=list)
    deep_dive_metrics: pd.DataFrame | None = None
    deep_dive_features: pd.DataFrame | None = None
    model_metrics: dict[str, Any] | None = None
    model_figures: list[str] = field(default_factory=list)
    quality: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    history: list[dict[str, str]] = field(default_factory=list)
    provenance: Provenance | None = None
    missing: list[str] = field(default_factory=list)

    @property
    def sample_data(self) -> bool:
        """True when anything shown was built from the synthetic ``sample`` source."""
        return bool((self.summary or {}).get("sample_data")
                    or (self.model_metrics or {}).get("sample_data")
                    or (self.provenance is not None and self.provenance.sample_data))


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON ({error})") from None


def _absent(sources: ReportSources, *paths: Path) -> str:
    return ", ".join(sources.shown(p) for p in paths if not p.exists())


def _frame(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """The table at ``path`` (parquet, or CSV by its suffix), checked for ``columns``."""
    csv = path.suffix == ".csv"
    frame = pd.read_csv(path, keep_default_na=False) if csv else read_parquet(path)
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise ValueError(f"{path}: column {', '.join(absent)} missing "
                         f"(expected {', '.join(columns)})")
    return frame


def load_report(sources: ReportSources) -> ReportData:
    """Read every input that exists; note in ``missing`` the sections that have none."""
    data = ReportData(sources)
    tagged: list[Provenance] = []
    if sources.backtest_summary.exists() and sources.performance.exists():
        data.summary = _json(sources.backtest_summary)
        data.performance = _frame(sources.performance,
                                  ("portfolio_value", "returns", "benchmark_returns"))
        tagged.append(read_provenance(sources.performance))
    else:
        data.missing.append(f"performance: no backtest results "
                            f"({_absent(sources, sources.backtest_summary, sources.performance)})")
    if sources.target_weights.exists():
        data.weights = read_parquet(sources.target_weights)
        tagged.append(read_provenance(sources.target_weights))
        if sources.rebalance.is_file():
            data.rebalance = _frame(sources.rebalance, ("ticker", "action", "previous_weight",
                                                        "target_weight", "reason"))
        if sources.excluded.is_file():
            excluded = _json(sources.excluded)
            data.excluded = excluded.get("excluded", {})
            data.excluded_from_day = excluded.get("excluded_from_day", [])
    else:
        data.missing.append(f"signals: no target weights "
                            f"({sources.shown(sources.target_weights)})")
    if sources.deep_dive_metrics.exists() and sources.deep_dive_features.exists():
        data.deep_dive_metrics = _frame(sources.deep_dive_metrics, ("close",))
        data.deep_dive_features = _frame(sources.deep_dive_features,
                                         ("rsi", "macd", "macd_signal", "macd_hist"))
        tagged.append(read_provenance(sources.deep_dive_metrics))
    elif sources.deep_dive_exclusion:
        data.missing.append(f"deep dive {sources.deep_dive_ticker}: excluded from the day "
                            f"({sources.deep_dive_exclusion}); add its data, or choose another "
                            "ticker with --report-deep-dive-ticker")
    else:
        data.missing.append(f"deep dive {sources.deep_dive_ticker}: no metrics or features "
                            f"({_absent(sources, sources.deep_dive_metrics,
                                        sources.deep_dive_features)})")
    if sources.model_metrics is not None and sources.model_metrics.is_file():
        data.model_metrics = _json(sources.model_metrics)
        # Figure paths are recorded relative to the reports folder, as the report links them.
        data.model_figures = [f for f in sorted(data.model_metrics.get("figures", {}).values())
                              if (sources.model_metrics.parent / f).is_file()]
    elif sources.research:
        data.missing.append(f"model evaluation: not run for this date "
                            f"({sources.shown(sources.model_metrics)})")
    data.quality = [_json(p) for p in sorted(sources.quality_dir.glob("*.quality.json"))]
    data.alerts = alerts_of_run(sources.alerts_log, sources.run_date)
    data.history = read_log(sources.performance_log)[-HISTORY_ROWS:]
    data.provenance = tagged[0] if tagged else None
    return data


def draw_charts(data: ReportData, dpi: int, rolling_window: int) -> dict[str, bytes]:
    """PNG bytes of every chart whose input exists, keyed by path relative to the report."""
    drawn: dict[str, bytes] = {}
    benchmark = data.sources.benchmark
    if data.performance is not None and data.summary is not None:
        returns = data.performance["returns"]
        benchmark_returns = data.performance["benchmark_returns"]
        drawn[CHART_PATHS["performance"]] = charts.performance_chart(
            returns, benchmark_returns, float(data.summary["capital"]), benchmark, dpi)
        drawn[CHART_PATHS["monthly_returns"]] = charts.monthly_returns_chart(returns, dpi)
        drawn[CHART_PATHS["rolling_sharpe"]] = charts.rolling_sharpe_chart(
            returns, benchmark_returns, rolling_window, benchmark, dpi)
    if data.weights is not None and len(data.weights):
        drawn[CHART_PATHS["target_weights"]] = charts.target_weights_chart(
            data.weights.iloc[-1], dpi)
    if data.deep_dive_metrics is not None and data.deep_dive_features is not None:
        metrics = data.deep_dive_metrics.iloc[-DEEP_DIVE_SESSIONS:]
        features = data.deep_dive_features.loc[metrics.index[0]:]
        averages = tuple(c for c in metrics.columns if c.startswith("ma_"))
        drawn[CHART_PATHS["deep_dive"]] = charts.deep_dive_chart(
            metrics, features, data.sources.deep_dive_ticker, averages, dpi)
    return drawn


def _costs(data: ReportData) -> dict[str, str] | None:
    """The backtest's cost assumptions as ``summary.json`` records them, in words, and
    the commissions paid (dollars, and percent of the starting capital)."""
    costs = (data.summary or {}).get("costs")
    if not costs:
        return None
    rate = {"per_share": f"${costs['commission_rate']:g} per share",
            "per_dollar": f"{formatted(costs['commission_rate'], 'percent')} of traded value",
            "none": "none"}[costs["commission"]]
    paid = (float(data.performance["commission"].sum())
            if data.performance is not None and "commission" in data.performance else None)
    capital = data.summary.get("capital")
    return {"commission": rate, "slippage": f"{costs['slippage_bps']:g} bps against the trade",
            "fill": f"next session's {costs['fill_price']}",
            "volume_limit": f"{formatted(costs['volume_limit'], 'percent')} of a session's volume",
            "paid": formatted(paid, "cents"),
            "paid_share": formatted(paid / capital if paid is not None and capital else None,
                                    "percent")}


def _relative_rows(data: ReportData) -> list[dict[str, str]]:
    """Beta, alpha, tracking error and information ratio of the strategy against the
    benchmark, over the sessions up to the benchmark's last return."""
    sessions = data.performance.loc[:data.performance["benchmark_returns"].last_valid_index()]
    figures = against_benchmark(sessions["returns"].fillna(0.0),
                                sessions["benchmark_returns"].fillna(0.0))
    return [{"label": _LABELS[k][0], "strategy": formatted(figures[k], _LABELS[k][1])}
            for k in RELATIVE_METRICS]


def _yearly_rows(data: ReportData) -> list[dict[str, str]]:
    """Calendar-year returns of the strategy and the benchmark, and their difference."""
    strategy = yearly_returns(data.performance["returns"])
    benchmark = yearly_returns(data.performance["benchmark_returns"]).reindex(strategy.index)
    return [{"year": str(year), "strategy": formatted(float(strategy[year]), "percent"),
             "benchmark": formatted(float(benchmark[year]), "percent"),
             "excess": formatted(float(strategy[year] - benchmark[year]), "percent")}
            for year in strategy.index]


def _performance_section(data: ReportData) -> dict[str, Any] | None:
    if data.summary is None:
        return None
    strategy = data.summary.get("strategy_metrics", {})
    benchmark = data.summary.get("benchmark_metrics", {})
    rows = [{"label": _LABELS[k][0], "strategy": formatted(strategy.get(k), _LABELS[k][1]),
             "benchmark": formatted(benchmark.get(k), _LABELS[k][1])} for k in METRICS]
    return {"strategy": data.summary.get("strategy", "?"),
            "start": data.summary.get("start"), "end": data.summary.get("end"),
            "capital": formatted(data.summary.get("capital"), "dollars"), "rows": rows,
            "relative": _relative_rows(data), "yearly": _yearly_rows(data),
            "costs": _costs(data), "rebalances": data.summary.get("rebalances"),
            "charts": [CHART_PATHS[c] for c in ("performance", "monthly_returns",
                                                "rolling_sharpe")]}


def _data_notes(data: ReportData) -> list[str]:
    """The backtest's notes on its data (positions closed because a ticker's data ended,
    a benchmark that ends early), as ``summary.json`` lists them."""
    return [data.sources.shown_in(note) for note in (data.summary or {}).get("notes", [])]


def _signals_section(data: ReportData) -> dict[str, Any] | None:
    if data.weights is None or not len(data.weights):
        return None
    target = data.weights.iloc[-1]
    held = target[target != 0].sort_values(ascending=False, kind="stable")
    rebalance = [] if data.rebalance is None else [
        {"ticker": r.ticker, "action": r.action,
         "previous_weight": formatted(float(r.previous_weight), "percent"),
         "target_weight": formatted(float(r.target_weight), "percent"), "reason": r.reason}
        for r in data.rebalance.itertuples()]
    day, trades = last_rebalance(data.weights)
    return {"as_of": pd.Timestamp(data.weights.index[-1]).date().isoformat(),
            "long": int((target > 0).sum()), "short": int((target < 0).sum()),
            "gross": formatted(float(target.abs().sum()), "percent"),
            "net": formatted(float(target.sum()), "percent"),
            "positions": [{"ticker": t, "side": "long" if w > 0 else "short",
                           "weight": formatted(float(w), "percent")} for t, w in held.items()],
            "rebalance": rebalance,
            # The session's own list has the reasons; on a session that changed nothing
            # (mid-month) the last rebalance is still what the book was traded to.
            "last_rebalance": None if day is None or rebalance else {
                "date": pd.Timestamp(day).date().isoformat(),
                "trades": [{"ticker": r.ticker,
                            "action": "BUY" if r.target_weight > r.previous_weight else "SELL",
                            "previous_weight": formatted(float(r.previous_weight), "percent"),
                            "target_weight": formatted(float(r.target_weight), "percent")}
                           for r in trades.itertuples()]},
            "excluded": [{"ticker": t, "reason": r}
                         for t, r in sorted((data.excluded or {}).items())],
            "chart": CHART_PATHS["target_weights"]}


def _deep_dive_section(data: ReportData) -> dict[str, Any] | None:
    if data.deep_dive_metrics is None or data.deep_dive_features is None:
        return None
    metrics, features = data.deep_dive_metrics.iloc[-1], data.deep_dive_features.iloc[-1]
    latest = [("close", metrics["close"], "ratio"),
              *((c.replace("ma_", "MA "), metrics[c], "ratio") for c in metrics.index
                if c.startswith("ma_")),
              ("RSI", features["rsi"], "ratio"), ("MACD", features["macd"], "ratio"),
              ("MACD signal", features["macd_signal"], "ratio")]
    return {"ticker": data.sources.deep_dive_ticker,
            "as_of": pd.Timestamp(data.deep_dive_metrics.index[-1]).date().isoformat(),
            "latest": [{"label": label, "value": formatted(float(value), unit)}
                       for label, value, unit in latest],
            "chart": CHART_PATHS["deep_dive"]}


def _model_section(data: ReportData) -> dict[str, Any] | None:
    """EvaluateModel's verdict and held-out test scores, model against its baselines."""
    if data.model_metrics is None:
        return None
    scores = data.model_metrics.get("test", {}).get("metrics", {})
    return {"model": data.model_metrics.get("model", "?"),
            "verdict": data.model_metrics.get("verdict", "–"),
            "columns": MODEL_SCORES,
            "rows": [{"name": name, "scores": [formatted(values.get(c), "score")
                                               for c in MODEL_SCORES]}
                     # the model first, then its baselines
                     for name, values in sorted(scores.items(), key=lambda i: i[0] != "model")],
            "figures": data.model_figures}


def _quality_section(data: ReportData) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    findings = []
    for record in data.quality:
        for name, rule in record.get("rules", {}).items():
            total = rules.setdefault(name, {"rule": name, "action": rule.get("action", ""),
                                            "tickers": 0, "rows": 0})
            if rule.get("count"):
                total["tickers"] += 1
                total["rows"] += rule["count"]
                findings.append({"ticker": record.get("ticker", "?"), "rule": name,
                                 "action": rule.get("action", ""), "count": rule["count"],
                                 "dates": ", ".join(rule.get("dates", [])[:3])})
    findings.sort(key=lambda f: (-f["count"], f["ticker"], f["rule"]))
    bases: dict[str, list[str]] = {}
    for record in data.quality:
        basis = record.get("price_basis", "as delivered").split(":")[0]
        bases.setdefault(basis, []).append(record.get("ticker", "?"))
    return {"tickers": len(data.quality),
            "price_bases": [{"basis": basis, "count": len(tickers),
                             "tickers": ", ".join(sorted(tickers)[:MAX_FINDINGS])}
                            for basis, tickers in sorted(bases.items())],
            "warnings": [f"{record.get('ticker', '?')}: {warning}" for record in data.quality
                         for warning in record.get("warnings", [])],
            "with_findings": len({f["ticker"] for f in findings}),
            "rules": sorted(rules.values(), key=lambda r: r["rule"]),
            "findings": findings[:MAX_FINDINGS],
            "more_findings": max(len(findings) - MAX_FINDINGS, 0)}


def _provenance_section(data: ReportData,
                        report_parameters: dict[str, str]) -> list[dict[str, str]]:
    rows = [("run date", data.sources.run_date.isoformat()),
            ("benchmark", data.sources.benchmark)]
    if data.provenance is not None:
        rows += [("data source", data.provenance.source),
                 ("synthetic sample data", "yes" if data.sample_data else "no"),
                 ("retrieved at", data.provenance.retrieved_at or "–"),
                 ("inputs made by code version", data.provenance.code_version)]
    if data.summary is not None:
        rows.append(("backtest period",
                     f"{data.summary.get('start')} to {data.summary.get('end')}"))
    rows.append(("report made by code version", code_version()))
    rows += [(f"report parameter {k}", v) for k, v in sorted(report_parameters.items())]
    return [{"label": k, "value": str(v)} for k, v in rows]


def report_context(data: ReportData, drawn: dict[str, bytes],
                   report_parameters: dict[str, str]) -> dict[str, Any]:
    """Everything the templates print. ``drawn`` are the charts that exist."""
    history = [{"run_date": r.get("run_date", ""), "strategy": r.get("strategy", ""),
                **{k: formatted(float(r[k]) if r.get(k) else None, _LABELS[k][1])
                   for k in ("pnl", "total_return", "sharpe", "max_drawdown")}}
               for r in data.history]
    context = {
        "title": "Momentum research report" if data.sources.research
        else "Momentum pipeline daily report",
        "run_date": data.sources.run_date.isoformat(),
        "benchmark": data.sources.benchmark,
        "sample_data": data.sample_data,
        "sample_warning": SAMPLE_DATA_WARNING, "sample_label": SAMPLE_DATA_LABEL,
        "performance": _performance_section(data),
        "data_notes": _data_notes(data),
        "signals": _signals_section(data),
        "deep_dive": _deep_dive_section(data),
        "model": _model_section(data),
        "quality": _quality_section(data),
        "alerts": [{"time": a.time, "task": a.family, "critical": a.critical,
                    "parameters": ", ".join(f"{k}={v}" for k, v in a.parameters.items()),
                    "error": data.sources.shown_in(a.error.splitlines()[0]) if a.error else ""}
                   for a in data.alerts],
        "history": history,
        "provenance": _provenance_section(data, report_parameters),
        "survivorship_note": SURVIVORSHIP_NOTE,
        "missing": data.missing,
        "exclusions": [{"ticker": e["ticker"], "stage": e["stage"],
                        "reason": data.sources.shown_in(e["reason"].splitlines()[0]),
                        "detail": data.sources.shown_in(" ".join(
                            line.strip() for line in e["reason"].splitlines()[1:]))}
                       for e in data.excluded_from_day],
    }
    # A chart is referenced only if it was drawn, so the HTML never links a missing file.
    if context["performance"]:
        context["performance"]["charts"] = [c for c in context["performance"]["charts"]
                                            if c in drawn]
    for section in ("signals", "deep_dive"):
        if context[section] and context[section]["chart"] not in drawn:
            context[section]["chart"] = None
    return context
