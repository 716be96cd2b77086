"""Which run dates a data root keeps: the retention policy of ``tasks.commands.prune``.

Every run date stores its stage outputs again (a year of daily runs on the S&P 100 is
tens of GB), so old dates must go, but not the ones a desk looks back at: the last
few days, each month's last run (month-end marks), and every date orders were sent
on (its execution report and the inputs it traded from are the audit trail).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class RetentionPolicy:
    """What to keep. Dates with executions are always kept."""

    keep_last: int = 20
    """The most recent run dates kept, whatever they are."""
    keep_month_ends: int = 24
    """Months (counted back from the latest run date's) whose last run date is kept."""

    def __post_init__(self) -> None:
        if self.keep_last < 1:
            raise ValueError(f"keep_last must keep at least the latest date, not {self.keep_last}")
        if self.keep_month_ends < 0:
            raise ValueError(f"keep_month_ends cannot be negative: {self.keep_month_ends}")


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def dates_to_keep(dates: set[dt.date], executed: set[dt.date],
                  policy: RetentionPolicy) -> dict[dt.date, str]:
    """The dates of ``dates`` to keep, each with why (the first reason that applies)."""
    if not dates:
        return {}
    ordered = sorted(dates)
    kept: dict[dt.date, str] = {}
    for day in ordered:
        if day in executed:
            kept[day] = "orders were executed"
    for day in ordered[-policy.keep_last:]:
        kept.setdefault(day, f"one of the last {policy.keep_last}")
    latest_month = month_index(ordered[-1])
    month_ends: dict[int, dt.date] = {}
    for day in ordered:
        month_ends[month_index(day)] = day  # ascending: the month's last date wins
    for month, day in month_ends.items():
        if latest_month - month < policy.keep_month_ends:
            kept.setdefault(day, "the last run of its month")
    return dict(sorted(kept.items()))
