"""Target weights as the backtest trades them: checked, aligned to the simulated
sessions and reduced to the rebalance sessions.

A weight row dated ``t`` is decided on ``t``'s close; it holds until a later row
replaces it. Targets are kept that way too, as rows that each hold until the next (a
row per session is one such form, a row per decision another, much smaller: a sweep
trades hundreds of plans). The portfolio is rebalanced (every ticker back to its
target) on the sessions whose target row differs from the one before, and only then,
so weights drift with prices in between.

A ticker whose bars stop before the bundle's last session (a delisting, a stale
file) cannot be traded after its last bar: its target is 0 from that bar on, and the
position is closed at its last close (:func:`close_ended_positions`; zipline does it
through the asset's ``auto_close_date``, the vectorised check alike).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

MAX_LISTED = 5
#: (first, last) session of each ticker's cleaned bars, by ticker.
BarRanges = Mapping[str, tuple[pd.Timestamp, pd.Timestamp]]


def align_targets(weights: pd.DataFrame, sessions: pd.DatetimeIndex, where: str) -> pd.DataFrame:
    """The targets on ``sessions`` as rows that each hold until the next: on the first
    session the latest weight row dated on or before it (0, flat, when there is none),
    then each later row on the session it takes effect (a row dated between sessions
    holds from the next one). Raises on non-finite weights or unsorted dates."""
    if not isinstance(weights.index, pd.DatetimeIndex):
        raise ValueError(f"{where}: index must be dates, got {type(weights.index).__name__}")
    if not (weights.index.is_monotonic_increasing and weights.index.is_unique):
        raise ValueError(f"{where}: dates must be unique and ascending")
    values = weights.to_numpy(dtype="float64")
    bad = ~np.isfinite(values)
    if bad.any():
        rows, cols = np.nonzero(bad)
        cells = ", ".join(f"{weights.columns[c]} on {weights.index[r].date()}"
                          for r, c in zip(rows[:MAX_LISTED], cols[:MAX_LISTED]))
        raise ValueError(f"{where}: {bad.sum()} target weights are not finite ({cells}); "
                         "expected a fraction of equity, 0 for flat")
    if weights.index[0] > sessions[-1]:
        raise ValueError(f"{where}: first target weights on {weights.index[0].date()}, "
                         f"after the backtest's last session {sessions[-1].date()}")
    effective = sessions.searchsorted(weights.index, side="left")  # a row's first session
    kept = (effective < len(sessions)) & np.append(effective[1:] != effective[:-1], True)
    rows, effective = values[kept], effective[kept]  # the last row per session
    if effective[0] > 0:  # flat until the first row
        rows = np.vstack([np.zeros((1, values.shape[1])), rows])
        effective = np.append(0, effective)
    return pd.DataFrame(rows, index=sessions[effective], columns=weights.columns)


def rebalances(targets: pd.DataFrame) -> pd.DataFrame:
    """The target rows of the sessions to rebalance on: where the target changes
    (the first session counts as a change from flat)."""
    values = targets.to_numpy()
    changed = np.empty(len(values), dtype=bool)
    changed[:1] = (values[:1] != 0).any(axis=1)
    changed[1:] = (values[1:] != values[:-1]).any(axis=1)
    return targets.loc[changed]


def last_rebalance(targets: pd.DataFrame) -> tuple[pd.Timestamp | None, pd.DataFrame]:
    """The last session whose target changed (``None`` when none did) and its trades:
    ticker, previous_weight, target_weight (fractions of equity) of every ticker whose
    target changed then, in ticker order."""
    changed = rebalances(targets)
    columns = ["ticker", "previous_weight", "target_weight"]
    if changed.empty:
        return None, pd.DataFrame(columns=columns)
    day = changed.index[-1]
    position = targets.index.get_loc(day)
    target = targets.iloc[position]
    previous = targets.iloc[position - 1] if position else target * 0.0
    moved = sorted(target.index[target.ne(previous)])
    return day, pd.DataFrame({"ticker": moved, "previous_weight": previous[moved].to_numpy(),
                              "target_weight": target[moved].to_numpy()}, columns=columns)


def check_targets_have_bars(targets: pd.DataFrame, bar_ranges: BarRanges) -> None:
    """Raise unless every ticker has cleaned bars and none has a non-zero target before
    its first bar (a signals bug: zipline cannot size or fill an order without a price).
    Targets after a ticker's last bar are :func:`close_ended_positions`' concern."""
    unknown = sorted(set(targets.columns) - set(bar_ranges))
    if unknown:
        raise ValueError(f"target weights for tickers without cleaned bars: "
                         f"{', '.join(unknown[:MAX_LISTED])}"
                         f"{' and more' if len(unknown) > MAX_LISTED else ''}")
    firsts = np.array([bar_ranges[t][0].value for t in targets.columns]).astype("datetime64[ns]")
    leading = targets.iloc[:targets.index.searchsorted(firsts.max())]  # before some first bar
    before = (leading.to_numpy() != 0) & (leading.index.to_numpy()[:, None] < firsts[None, :])
    for column in np.flatnonzero(before.any(axis=0))[:1]:
        ticker = targets.columns[column]
        first, last = bar_ranges[ticker]
        early = leading.index[before[:, column]]
        if len(early):
            raise ValueError(f"ticker {ticker}: non-zero target weight on "
                             f"{', '.join(d.date().isoformat() for d in early[:MAX_LISTED])}"
                             f"{' and more' if len(early) > MAX_LISTED else ''}, before its "
                             f"cleaned bars {first.date()}..{last.date()}; expected 0 there")


def ended_tickers(bar_ranges: BarRanges) -> dict[str, pd.Timestamp]:
    """Tickers whose bars end before the latest bar of any ticker (the bundle's last
    session), with their last session: their data ended (delisted, stale)."""
    end = max(last for _, last in bar_ranges.values())
    return {ticker: last for ticker, (_, last) in bar_ranges.items() if last < end}


def close_ended_positions(targets: pd.DataFrame, bar_ranges: BarRanges,
                          last_closes: Mapping[str, float]) -> tuple[pd.DataFrame, list[str]]:
    """``targets`` with the target of each ticker whose data ends (:func:`ended_tickers`)
    set to 0 from its last bar on (a row is added there when none starts on it), and a
    note per ticker that had a non-zero target there: its position is closed at its last
    close (``last_closes``, dollars), as zipline closes it at the ``auto_close_date``
    the bundle gives it."""
    closed = targets
    notes = []
    for ticker, last in ended_tickers(bar_ranges).items():
        if ticker not in closed.columns:
            continue
        in_force = max(closed.index.searchsorted(last, side="right") - 1, 0)  # on `last`
        held = closed[ticker].iloc[in_force:]
        held = held[held != 0]
        if held.empty:
            continue
        if closed is targets:  # copied only when something changes
            closed = targets.copy()
        if closed.index[in_force] < last:
            row = closed.iloc[[in_force]].set_axis(pd.DatetimeIndex([last], name=closed.index.name))
            closed = pd.concat([closed, row]).sort_index()
        closed.loc[closed.index >= last, ticker] = 0.0
        notes.append(f"{ticker}: data ends {last.date()} while held (target "
                     f"{100 * held.iloc[0]:.1f} % of equity); closed at its last close "
                     f"{last_closes[ticker]:.2f} on {last.date()}")
    return closed, notes
