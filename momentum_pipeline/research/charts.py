"""The sweep report's charts: Sharpe ratio heatmaps over pairs of parameters, the
distribution of the trials' Sharpe ratios against what luck alone gives, and in-sample
against held-out Sharpe ratios. PNG bytes, in the daily report's style."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from momentum_pipeline.reporting.charts import BENCHMARK, STRATEGY, canvas, png

#: At most this many parameter pairs get a heatmap.
MAX_PAIRS = 6


def varied(table: pd.DataFrame, parameters: list[str]) -> list[str]:
    """The grid's parameters that take more than one value."""
    return [p for p in parameters if table[p].nunique() > 1]


def sharpe_heatmaps(table: pd.DataFrame, parameters: list[str], dpi: int) -> bytes:
    """In-sample Sharpe ratio, averaged over the other parameters, for each pair of
    varied parameters (at most :data:`MAX_PAIRS`); by value of the one varied parameter,
    or of none, as bars."""
    pairs = list(itertools.combinations(varied(table, parameters), 2))[:MAX_PAIRS]
    if not pairs:
        return _sharpe_bars(table, varied(table, parameters), dpi)
    columns = min(3, len(pairs))
    rows = -(-len(pairs) // columns)
    with canvas(2.3 * rows, panels=rows) as figure:
        axes = np.atleast_1d(figure.subplots(rows, columns, squeeze=False)).ravel()
        for axis, (across, down) in zip(axes, pairs):
            grid = table.pivot_table(index=down, columns=across, values="sharpe_in_sample",
                                     aggfunc="mean")
            axis.imshow(grid.to_numpy(), cmap="RdYlGn", aspect="auto")
            axis.set_xticks(range(len(grid.columns)), [str(c) for c in grid.columns])
            # Upright, so long values (long_short) stay clear of the panel to the left.
            axis.set_yticks(range(len(grid.index)), [str(i) for i in grid.index],
                            rotation=90, va="center")
            axis.set_xlabel(across)
            axis.set_ylabel(down)
            axis.grid(False)
            for (row, column), value in np.ndenumerate(grid.to_numpy()):
                axis.text(column, row, f"{value:.2f}", ha="center", va="center", fontsize=6.5)
        for axis in axes[len(pairs):]:
            axis.set_visible(False)
        figure.suptitle("In-sample Sharpe ratio by pair of parameters (mean over the others)",
                        fontsize=8.5)
        return png(figure, dpi)


def _sharpe_bars(table: pd.DataFrame, parameters: list[str], dpi: int) -> bytes:
    by = table.groupby(parameters[0])["sharpe_in_sample"].mean() if parameters else \
        pd.Series([table["sharpe_in_sample"].mean()], index=["all"])
    with canvas(2.2) as figure:
        axis = figure.subplots()
        axis.bar([str(i) for i in by.index], by.to_numpy(), color=STRATEGY)
        axis.set_xlabel(parameters[0] if parameters else "configuration")
        axis.set_title("In-sample Sharpe ratio (mean over the other parameters)")
        return png(figure, dpi)


def sharpe_distribution(table: pd.DataFrame, luck: float, best: str, dpi: int) -> bytes:
    """Histogram of the trials' in-sample Sharpe ratios, the best one and the maximum
    expected by luck alone."""
    with canvas(2.4) as figure:
        axis = figure.subplots()
        axis.hist(table["sharpe_in_sample"], bins=min(40, max(5, len(table) // 4)),
                  color=STRATEGY, alpha=0.8)
        axis.axvline(table.at[best, "sharpe_in_sample"], color="#2e7d32", linewidth=1.2,
                     label="best configuration")
        axis.axvline(luck, color="#c62828", linestyle="--", linewidth=1.2,
                     label=f"best of {len(table)} by luck alone")
        axis.set_xlabel("annualised Sharpe ratio, in sample")
        axis.set_ylabel("configurations")
        axis.set_title("Distribution of the trials' Sharpe ratios")
        axis.legend(loc="upper left")
        return png(figure, dpi)


def in_sample_against_held_out(table: pd.DataFrame, best: str, base: str | None,
                               dpi: int) -> bytes:
    """Each configuration's held-out Sharpe ratio against its in-sample one."""
    with canvas(2.8) as figure:
        axis = figure.subplots()
        axis.scatter(table["sharpe_in_sample"], table["sharpe_held_out"], s=8, color=BENCHMARK)
        for key, label, colour in ((best, "best in sample", "#2e7d32"), (base, "daily strategy", STRATEGY)):
            if key is not None:
                axis.scatter([table.at[key, "sharpe_in_sample"]], [table.at[key, "sharpe_held_out"]],
                             s=28, color=colour, label=label, zorder=3)
        axis.axhline(0, color="black", linewidth=0.6)
        axis.set_xlabel("Sharpe ratio in sample")
        axis.set_ylabel("Sharpe ratio held out")
        axis.set_title("In sample against held out: a choice that held up sits high on the right")
        axis.legend(loc="lower right")
        return png(figure, dpi)
