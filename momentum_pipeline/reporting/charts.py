"""The report's charts, drawn with matplotlib and returned as PNG bytes.

Bare ``Figure`` objects (the Agg renderer, no pyplot state) saved without the
software-version stamp, so the same inputs always give the same bytes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from io import BytesIO

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from momentum_pipeline.reporting.performance import (drawdown, growth, monthly_returns,
                                                     rolling_sharpe)

#: Inches: the text width of an A4 page with the report's margins.
WIDTH = 7.0
STRATEGY = "#1f4e79"
BENCHMARK = "#9a9a9a"
LONG, SHORT = "#2e7d32", "#c62828"
#: The weights chart shows at most this many positions (largest absolute weights).
MAX_BARS = 40
STYLE = {"font.size": 7.5, "axes.titlesize": 8.5, "legend.fontsize": 7,
         "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
         "axes.spines.right": False}
#: Inches: left (tick labels), right, bottom (tick labels, axis label), top (title),
#: and the gap between stacked panels (the lower panel's title).
MARGINS = (0.8, 0.15, 0.45, 0.3, 0.35)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@contextlib.contextmanager
def canvas(height: float, panels: int = 1) -> Iterator[Figure]:
    """A figure of the page's width and ``height`` inches, in the report's style.

    Margins are fixed (inches, see :data:`MARGINS`) rather than found by a layout
    engine, which measures every label before drawing and doubles the time a chart takes.
    """
    left, right, bottom, top, gap = MARGINS
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH, height))
        mean_panel = (height - bottom - top - (panels - 1) * gap) / panels
        figure.subplots_adjust(left=left / WIDTH, right=1 - right / WIDTH,
                               bottom=bottom / height, top=1 - top / height,
                               hspace=gap / mean_panel)
        yield figure


def png(figure: Figure, dpi: int) -> bytes:
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def performance_chart(returns: pd.Series, benchmark_returns: pd.Series, capital: float,
                      benchmark: str, dpi: int) -> bytes:
    """Equity (dollars) of the strategy and of the benchmark bought with the same
    capital, and both drawdowns (percent)."""
    with canvas(4.4, panels=2) as figure:
        equity, falls = figure.subplots(2, 1, sharex=True, height_ratios=[2.2, 1])
        for series, label, colour in ((returns, "strategy", STRATEGY),
                                      (benchmark_returns, benchmark, BENCHMARK)):
            equity.plot(series.index, capital * growth(series), label=label, color=colour,
                        linewidth=1)
            falls.plot(series.index, 100 * drawdown(series), color=colour, linewidth=0.8)
        falls.fill_between(returns.index, 100 * drawdown(returns), 0, color=STRATEGY,
                           alpha=0.25, linewidth=0)
        equity.set_title(f"Equity: strategy against {benchmark} (same starting capital)")
        equity.yaxis.set_major_formatter(StrMethodFormatter("${x:,.0f}"))
        equity.legend(loc="upper left")
        falls.set_title("Drawdown from the running peak")
        falls.set_ylabel("percent")
        return png(figure, dpi)


def monthly_returns_chart(returns: pd.Series, dpi: int) -> bytes:
    """Heatmap of compounded monthly returns (percent): years down, months across."""
    table = 100 * monthly_returns(returns)
    with canvas(0.9 + 0.2 * len(table)) as figure:
        axes = figure.add_subplot()
        values = table.to_numpy(dtype=float)
        bound = max(float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0, 1.0)
        axes.imshow(np.ma.masked_invalid(values), cmap="RdYlGn", aspect="auto",
                    norm=TwoSlopeNorm(0.0, vmin=-bound, vmax=bound))
        for (row, column), value in np.ndenumerate(values):
            if np.isfinite(value):
                axes.text(column, row, f"{value:.1f}", ha="center", va="center", fontsize=6)
        axes.set_xticks(range(12), MONTHS)
        axes.set_yticks(range(len(table)), [str(y) for y in table.index])
        axes.grid(False)
        axes.set_title("Monthly returns of the strategy (percent)")
        return png(figure, dpi)


def rolling_sharpe_chart(returns: pd.Series, benchmark_returns: pd.Series, window: int,
                         benchmark: str, dpi: int) -> bytes:
    with canvas(2.4) as figure:
        axes = figure.add_subplot()
        axes.plot(returns.index, rolling_sharpe(returns, window), color=STRATEGY,
                  linewidth=1, label="strategy")
        axes.plot(benchmark_returns.index, rolling_sharpe(benchmark_returns, window),
                  color=BENCHMARK, linewidth=1, label=benchmark)
        axes.axhline(0, color="black", linewidth=0.6)
        axes.set_title(f"Rolling Sharpe ratio ({window} sessions, annualised)")
        axes.legend(loc="upper left")
        return png(figure, dpi)


def target_weights_chart(weights: pd.Series, dpi: int) -> bytes:
    """Horizontal bars of the non-zero target weights (percent of equity), the
    :data:`MAX_BARS` largest in absolute value."""
    shown = weights[weights != 0]
    shown = shown.loc[shown.abs().sort_values(ascending=False, kind="stable").index[:MAX_BARS]]
    shown = shown.sort_values(kind="stable")
    with canvas(0.9 + 0.14 * max(len(shown), 1)) as figure:
        axes = figure.add_subplot()
        axes.barh(range(len(shown)), 100 * shown.to_numpy(),
                  color=[LONG if w > 0 else SHORT for w in shown])
        axes.set_yticks(range(len(shown)), list(shown.index), fontsize=6)
        axes.axvline(0, color="black", linewidth=0.6)
        axes.set_xlabel("target weight (percent of equity)")
        more = f", largest {len(shown)} of {int((weights != 0).sum())}" \
            if (weights != 0).sum() > len(shown) else ""
        axes.set_title(f"Target weights for the run date{more}")
        return png(figure, dpi)


def deep_dive_chart(metrics: pd.DataFrame, features: pd.DataFrame, ticker: str,
                    moving_averages: tuple[str, ...], dpi: int) -> bytes:
    """Close with moving averages (``metrics`` columns close and ``moving_averages``),
    RSI and MACD (``features`` columns rsi, macd, macd_signal, macd_hist). With its
    table it takes under half a page, so keeping the two together never leaves the
    page before them more than half blank."""
    with canvas(4.4, panels=3) as figure:
        price, rsi, macd = figure.subplots(3, 1, sharex=True, height_ratios=[2.6, 1, 1.2])
        price.plot(metrics.index, metrics["close"], color="black", linewidth=0.9, label="close")
        for column, colour in zip(moving_averages, ("#ef6c00", "#1565c0", "#6a1b9a")):
            price.plot(metrics.index, metrics[column], color=colour, linewidth=0.9,
                       label=column.replace("ma_", "MA "))
        price.set_title(f"{ticker}: adjusted close and moving averages")
        price.legend(loc="upper left")
        rsi.plot(features.index, features["rsi"], color="#6a1b9a", linewidth=0.8)
        for level in (30, 70):
            rsi.axhline(level, color="grey", linestyle="--", linewidth=0.6)
        rsi.set_ylim(0, 100)
        rsi.set_title("RSI")
        # One line collection, not a bar per session: drawing 500 patches takes seconds.
        macd.vlines(features.index, 0, features["macd_hist"], linewidth=1.2, alpha=0.5,
                    colors=np.where(features["macd_hist"] >= 0, LONG, SHORT))
        macd.plot(features.index, features["macd"], color="#1565c0", linewidth=0.8,
                  label="MACD")
        macd.plot(features.index, features["macd_signal"], color="#ef6c00", linewidth=0.8,
                  label="signal")
        macd.set_title("MACD")
        macd.legend(loc="upper left")
        return png(figure, dpi)
