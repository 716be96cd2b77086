"""The sweep report's content: the statistics in plain words and the best rows."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from momentum_pipeline.foundation.provenance import SAMPLE_DATA_LABEL, SAMPLE_DATA_WARNING
from momentum_pipeline.research.sweep import SweepResult

#: The report's table lists the best configurations in sample, this many.
TOP_ROWS = 10


def _percent(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{100 * value:.0f} %"


def _number(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.2f}"


def sweep_context(result: SweepResult, parameters: list[str], *, run_date: dt.date,
                  grid_file: str, strategy: str, sample_data: bool, charts: list[str],
                  confirmation: dict[str, Any]) -> dict[str, Any]:
    """The template's values: ``parameters`` are the grid's (the table shows those);
    ``confirmation`` is the zipline run of the choice."""
    summary, table = result.summary, result.table
    top = table.sort_values("sharpe_in_sample", ascending=False).head(TOP_ROWS)
    base = summary["base"]
    return {
        "run_date": run_date.isoformat(), "grid_file": grid_file, "strategy": strategy,
        "sample_data": sample_data, "sample_label": SAMPLE_DATA_LABEL,
        "sample_warning": SAMPLE_DATA_WARNING,
        "configurations": summary["configurations"], "left_out": summary["left_out"],
        "in_sample": summary["in_sample"], "held_out": summary["held_out"],
        "pbo": _percent(summary["probability_of_backtest_overfitting"]),
        "splits": summary["cscv_splits"], "splits_count": f"{math.comb(summary['cscv_splits'], summary['cscv_splits'] // 2):,}",
        "dsr": _number(summary["deflated_sharpe_ratio"]),
        "luck": _number(summary["expected_max_sharpe_by_luck"]),
        "best_in_sample": _number(summary["best_sharpe_in_sample"]),
        "best_held_out": _number(summary["best_sharpe_held_out"]),
        "base_in_sample": _number(table.at[base, "sharpe_in_sample"]) if base else None,
        "base_held_out": _number(table.at[base, "sharpe_held_out"]) if base else None,
        # Spaced names wrap: a table of a dozen columns fits the page.
        "top_columns": [*(p.replace("_", " ") for p in parameters), "Sharpe in sample",
                        "Sharpe held out", "return in sample"],
        "top_rows": [[*(str(row[p]) for p in parameters), _number(row["sharpe_in_sample"]),
                      _number(row["sharpe_held_out"]), _percent(row["annual_return_in_sample"])]
                     for _, row in top.iterrows()],
        "charts": charts,
        "zipline": {"sharpe": _number(confirmation["sharpe"]),
                    "total_return": _percent(confirmation["total_return"]),
                    "period": confirmation["period"],
                    "agrees": confirmation["vectorised_check"]["agrees"],
                    "correlation": _number(confirmation["vectorised_check"]["returns_correlation"])},
    }
