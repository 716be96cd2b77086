"""Momentum signals: the target weight of every ticker per session, and the buy/sell list.

The strategy (parameters: :class:`~momentum_pipeline.strategy.StrategyParams`, from
``config/strategy/momentum.toml``), evaluated at the close of session t:

1. A ticker has a signal at t when it has a bar at t, at least ``min_history`` sessions
   of bars up to t, a finite RSI and MACD at t and a non-zero volatility. The others are
   excluded with a reason (:func:`exclusions`) and get weight 0.
2. Score: 12-1 momentum, ``close[t - skip] / close[t - lookback] - 1``.
3. On decision sessions (the last session of each month, or week, by the NYSE calendar,
   or every session; ``rebalance``) the tickers with a signal are ranked by score, ties
   in ticker order. Long entries come from the top ``ceil(top_fraction * n)`` ranks;
   long/short also takes short entries from the bottom ``ceil(bottom_fraction * n)``
   (never reaching into the top slots).
4. An entry needs confirmation: a long RSI >= ``rsi_long_min`` and, with
   ``macd_trend``, MACD > 0; a short RSI <= ``rsi_short_max`` and MACD < 0. A name held
   at the previous decision stays, without confirmation, while its rank is within the
   ``ceil(hold_fraction * n)`` of its end; it leaves when it drops out of that band or
   loses its signal. The book on each decision therefore depends on the one before,
   from the first session of the panel on.
5. Sizing: weights proportional to 1 / volatility (annualised std of daily log returns
   over ``volatility_window`` sessions; equal without ``volatility_scaling``), no
   |weight| above ``max_weight``; what a cap cuts goes to the uncapped names in
   proportion. Long-only, the weights sum to ``gross_exposure``; long/short, each side
   sums to ``gross_exposure / 2``, so the net is 0. When the caps cannot reach that
   (too few names), the weights stop at the caps and the rest is cash; long/short then
   sizes both sides to the smaller one, keeping the net at 0.
6. Between decision sessions the target weights stay as decided; the backtest and
   ExecuteTrades trade only when the targets change, so held weights drift with prices.

The weight in row t is decided at t's close from bars up to t only and is meant to be
held from session t + 1: applying it to t's own return would be look-ahead.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from momentum_pipeline.foundation.calendar import last_session_on_or_before, session_days, sessions
from momentum_pipeline.metrics import annualised_volatility
from momentum_pipeline.strategy import FILE_SECTIONS, StrategyParams

#: Feature columns (from BuildFeatures) that the confirmation reads.
FEATURE_COLUMNS = ("rsi", "macd")
REBALANCE_COLUMNS = ["ticker", "action", "previous_weight", "target_weight", "reason"]
#: The parameters that size the books, not choose them (and the strategy's name).
SIZING = (*FILE_SECTIONS["sizing"], "name")
#: Rounding slack of the weight checks (fractions of equity).
WEIGHT_TOLERANCE = 1e-9


def weights_schema(params: StrategyParams, tickers: list[str]) -> pa.DataFrameSchema:
    """The target weights' contract, checked before they are written, on the frame with
    its sessions as a ``date`` column (so errors name rows and dates): finite, no
    |weight| above the cap, none negative long-only, no session above the gross exposure."""
    cap = params.max_weight + WEIGHT_TOLERANCE
    weight = pa.Check.in_range(-cap if params.long_short else 0.0, cap)
    ascending = pa.Check(lambda dates: dates.is_monotonic_increasing, element_wise=False,
                         name="sessions_ascending")
    return pa.DataFrameSchema(
        name="target weights",
        columns={"date": pa.Column("datetime64[ns]", ascending, unique=True),
                 **{ticker: pa.Column("float64", weight) for ticker in tickers}},
        checks=[pa.Check(lambda frame: frame[tickers].abs().sum(axis=1)
                         <= params.gross_exposure + WEIGHT_TOLERANCE,
                         name="gross_exposure_within_target")],
        strict=True, ordered=True)


def session_index(first: pd.Timestamp, run_date: dt.date) -> pd.DatetimeIndex:
    """NYSE sessions from ``first`` through the run date's session: the signals' rows."""
    return sessions(first, last_session_on_or_before(run_date))


def panel(series: Mapping[str, pd.Series], index: pd.DatetimeIndex) -> pd.DataFrame:
    """One column per ticker (sorted), rows ``index``; NaN where a ticker has no value."""
    frame = pd.DataFrame({t: series[t].reindex(index) for t in sorted(series)}, index=index)
    frame.columns.name = "ticker"
    return frame


def decision_sessions(index: pd.DatetimeIndex, frequency: str) -> np.ndarray:
    """Where weights are decided: each session that ends its month or week by the NYSE
    calendar (known in advance, so no look-ahead), or every session (daily)."""
    if frequency == "daily" or index.empty:
        return np.ones(len(index), dtype=bool)
    return _period_ends(index.asi8.tobytes(), frequency).copy()


@functools.lru_cache(maxsize=8)
def _period_ends(index: bytes, frequency: str) -> np.ndarray:
    """:func:`decision_sessions` of a session index (its bytes: hashable), kept: a
    sweep asks for the same few many times."""
    dates = pd.DatetimeIndex(np.frombuffer(index, dtype="datetime64[ns]"))
    ahead = sessions(dates[0], min(dates[-1] + pd.Timedelta(days=14),
                                   pd.Timestamp(session_days()[-1])))
    position = ahead.searchsorted(dates, side="right")
    known = position < len(ahead)
    following = ahead[np.minimum(position, len(ahead) - 1)]
    period = "M" if frequency == "monthly" else "W"
    return known & (dates.to_period(period) != following.to_period(period))


@dataclass(frozen=True)
class Inputs:
    """The aligned panels the strategy reads (rows: sessions, columns: tickers)."""

    close: pd.DataFrame
    rsi: pd.DataFrame
    macd: pd.DataFrame

    def __post_init__(self) -> None:
        for name in ("rsi", "macd"):
            other = getattr(self, name)
            if not (other.index.equals(self.close.index)
                    and other.columns.equals(self.close.columns)):
                raise ValueError(f"signal inputs: the {name} panel is not aligned with the "
                                 "close panel (same sessions and tickers expected)")


@dataclass(frozen=True)
class Ranking:
    """Ranks of the tickers with a signal on some sessions (rows) by momentum."""

    rank: np.ndarray         # 1 = highest momentum; NaN without a signal
    from_bottom: np.ndarray  # 1 = lowest momentum
    count: np.ndarray        # tickers with a signal, per row


@dataclass(frozen=True)
class Scores:
    """What the strategy derives from the inputs, per session and ticker."""

    momentum: pd.DataFrame
    volatility: pd.DataFrame
    history: pd.DataFrame
    has_signal: pd.DataFrame
    _kept: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def kept(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``, once per ``key``: a sweep's configurations that share these
        scores and the parameters in ``key`` share what is derived from them."""
        if key not in self._kept:
            self._kept[key] = compute()
        return self._kept[key]

    def ranking(self, rows: np.ndarray) -> Ranking:
        """The ranking on the sessions where ``rows`` is True."""
        def rank() -> Ranking:
            has_signal = self.has_signal.to_numpy()[rows]
            momentum = np.where(has_signal, self.momentum.to_numpy()[rows], np.nan)
            return Ranking(rank=_ranks(-momentum), from_bottom=_ranks(momentum),
                           count=has_signal.sum(axis=1))

        return self.kept(("ranking", np.packbits(rows).tobytes(), len(rows)), rank)


def momentum_scores(inputs: Inputs, params: StrategyParams) -> Scores:
    """Momentum (fraction), annualised volatility, sessions of history and who has a
    signal, per session and ticker; each value at t from bars up to t."""
    close = inputs.close
    momentum = close.shift(params.skip) / close.shift(params.lookback) - 1.0
    volatility = annualised_volatility(np.log(close).diff(), params.volatility_window)
    history = close.notna().cumsum()
    has_signal = (close.notna() & (history >= params.min_history) & momentum.notna()
                  & inputs.rsi.notna() & inputs.macd.notna() & (volatility > 0))
    return Scores(momentum=momentum, volatility=volatility, history=history,
                  has_signal=has_signal)


def _rounded_up(fraction: float, count: np.ndarray) -> np.ndarray:
    # Rounded first so that 0.2 * 15 = 3.0000000000000004 counts as 3.
    return np.ceil(np.round(fraction * count, 9)).astype(np.int64)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Per row, 1 for the smallest value, ties in column order (pandas' ``rank(axis=1,
    method="first")``); NaN stays NaN."""
    missing = np.isnan(values)
    order = np.argsort(np.where(missing, np.inf, values), axis=1, kind="stable")
    ranks = np.empty(values.shape)
    np.put_along_axis(ranks, order, np.arange(1.0, values.shape[1] + 1), axis=1)
    ranks[missing] = np.nan
    return ranks


@dataclass(frozen=True)
class Selection:
    """Ranks and candidates on some sessions (arrays: a row per session, a column per
    ticker, or a value per session)."""

    sessions: pd.DatetimeIndex
    ranking: Ranking
    long_slots: np.ndarray     # long entries come from the top long_slots ranks
    short_slots: np.ndarray    # short entries from the bottom short_slots ranks
    hold_slots: np.ndarray     # a held name stays while within this many of its end
    long_entry: np.ndarray     # in the long slots and confirmed
    short_entry: np.ndarray    # in the short slots and confirmed
    long_band: np.ndarray      # within the top hold_slots
    short_band: np.ndarray     # within the bottom hold_slots (long_short only)


def select(inputs: Inputs, derived: Scores, params: StrategyParams,
           rows: np.ndarray) -> Selection:
    """Rank, entries and hold bands on the sessions where ``rows`` is True."""
    ranked = derived.ranking(rows)
    count = ranked.count
    long_slots = _rounded_up(params.top_fraction, count)
    hold_slots = _rounded_up(params.hold_fraction, count)
    if params.long_short:
        # The bottom never reaches into the top: small universes round both up.
        short_slots = np.minimum(_rounded_up(params.bottom_fraction, count), count - long_slots)
    else:
        short_slots = np.zeros_like(count)
    rsi, macd = inputs.rsi.to_numpy()[rows], inputs.macd.to_numpy()[rows]
    rank, from_bottom = ranked.rank, ranked.from_bottom
    long_entry = (rank <= long_slots[:, None]) & (rsi >= params.rsi_long_min)
    if params.macd_trend:
        long_entry &= macd > 0
    if params.long_short:
        short_entry = (from_bottom <= short_slots[:, None]) & (rsi <= params.rsi_short_max)
        if params.macd_trend:
            short_entry &= macd < 0
        short_band = from_bottom <= hold_slots[:, None]
    else:
        short_entry = short_band = np.zeros(rank.shape, dtype=bool)
    return Selection(sessions=inputs.close.index[rows], ranking=ranked, long_slots=long_slots,
                     short_slots=short_slots, hold_slots=hold_slots, long_entry=long_entry,
                     short_entry=short_entry, long_band=rank <= hold_slots[:, None],
                     short_band=short_band)


def books(chosen: Selection) -> tuple[np.ndarray, np.ndarray]:
    """Long and short names on each decision session: the confirmed entries plus the
    names held at the previous decision that are still within their hold band.

    Confirmation gates entries only and the band is wider than the entry slots, so a
    name near the cut does not flip in and out every month (turnover). Long wins
    where the two could meet, so no name is on both sides.
    """
    long = _held(chosen.long_entry, chosen.long_band)
    if not chosen.short_entry.any():  # long-only
        return long, np.zeros_like(long)
    return long, _held(chosen.short_entry & ~long, chosen.short_band & ~long)


def _held(entry: np.ndarray, band: np.ndarray) -> np.ndarray:
    """Per column, held from an entry on while the band holds: ``held[r] = entry[r] |
    (held[r - 1] & band[r])``, from the latest entry and the latest row out of band."""
    rows = np.arange(len(entry), dtype=np.int32)[:, None]
    last_entry = np.where(entry, rows, -1)
    np.maximum.accumulate(last_entry, axis=0, out=last_entry)
    last_out = np.where(band, -1, rows)
    np.maximum.accumulate(last_out, axis=0, out=last_out)
    return (last_entry >= 0) & (last_entry >= last_out)


def capped_weights(scores: np.ndarray, total: np.ndarray, cap: float) -> np.ndarray:
    """Per row, weights proportional to ``scores`` (0 = not held) summing to ``total``,
    none above ``cap``; the excess of capped names goes to the others in proportion.

    When ``cap * held < total`` every held name ends at the cap (the rest is cash).
    """
    total = np.broadcast_to(np.asarray(total, dtype=np.float64), scores.shape[:1])
    weights = np.zeros_like(scores, dtype=np.float64)
    capped = np.zeros(scores.shape, dtype=bool)
    rows = np.arange(len(scores))  # the rows still being sized: few after the first pass
    for _ in range(scores.shape[1] + 1):
        row_scores, row_capped = scores[rows], capped[rows]
        free = (row_scores > 0) & ~row_capped
        budget = total[rows] - cap * row_capped.sum(axis=1)
        mass = np.where(free, row_scores, 0.0).sum(axis=1)
        scale = np.divide(budget, mass, out=np.zeros_like(budget), where=mass > 0)
        sized = np.where(row_capped, cap, np.where(free, row_scores * scale[:, None], 0.0))
        weights[rows] = sized
        over = free & (sized > cap)
        pending = over.any(axis=1)
        if not pending.any():
            break
        rows, over = rows[pending], over[pending]
        capped[rows] |= over
    return weights


def decide(inputs: Inputs, derived: Scores, params: StrategyParams,
           rows: np.ndarray) -> np.ndarray:
    """Target weights on the sessions where ``rows`` is True (fractions of equity; a
    row per such session, a column per ticker)."""
    # The books depend on every parameter but the sizing ones.
    chosen_by = tuple(sorted((k, v) for k, v in params.to_dict().items() if k not in SIZING))
    long, short = derived.kept(("books", chosen_by, np.packbits(rows).tobytes(), len(rows)),
                               lambda: books(select(inputs, derived, params, rows)))
    if params.volatility_scaling:
        volatility = derived.volatility.to_numpy()[rows]
        # Names without a signal (zero or no volatility among them) are never in a book.
        size = np.divide(1.0, volatility, out=np.zeros_like(volatility), where=volatility > 0)
    else:
        size = 1.0
    long_scores = np.where(long, size, 0.0)
    if not params.long_short:
        weights = capped_weights(long_scores, params.gross_exposure, params.max_weight)
    else:
        short_scores = np.where(short, size, 0.0)
        side = np.minimum.reduce([
            np.full(len(long_scores), params.gross_exposure / 2),
            params.max_weight * (long_scores > 0).sum(axis=1),
            params.max_weight * (short_scores > 0).sum(axis=1)])
        weights = (capped_weights(long_scores, side, params.max_weight)
                   - capped_weights(short_scores, side, params.max_weight))
    return weights + 0.0


def decided_weights(inputs: Inputs, params: StrategyParams,
                    derived: Scores | None = None) -> pd.DataFrame:
    """Target weights as decided: a row per decision session (fractions of equity), each
    held from the next session until the next decision."""
    if derived is None:
        derived = momentum_scores(inputs, params)
    rows = decision_sessions(inputs.close.index, params.rebalance)
    return pd.DataFrame(decide(inputs, derived, params, rows), index=inputs.close.index[rows],
                        columns=inputs.close.columns)


def target_weights(inputs: Inputs, params: StrategyParams,
                   derived: Scores | None = None) -> pd.DataFrame:
    """Target weight per session (rows) and ticker (columns), held from the next session.

    Finite everywhere: 0 before the first decision and for tickers without a signal.
    """
    decided = decided_weights(inputs, params, derived)
    # Flat before the first decision, then each decision's row until the next one.
    held = np.vstack([np.zeros((1, decided.shape[1])), decided.to_numpy()])
    latest = decided.index.searchsorted(inputs.close.index, side="right")
    return pd.DataFrame(held[latest], index=inputs.close.index, columns=inputs.close.columns)


def exclusions(inputs: Inputs, derived: Scores, params: StrategyParams,
               day: pd.Timestamp) -> dict[str, str]:
    """Why each ticker without a signal on ``day`` has none."""
    reasons = {}
    for ticker in derived.has_signal.columns[~derived.has_signal.loc[day]]:
        closes = inputs.close[ticker].loc[:day].dropna()
        history = int(derived.history.at[day, ticker])
        if closes.empty:
            reasons[ticker] = f"no bars up to {day.date()}"
        elif pd.isna(inputs.close.at[day, ticker]):
            reasons[ticker] = f"no bar on {day.date()}: data ends {closes.index[-1].date()}"
        elif history < params.min_history:
            reasons[ticker] = (f"too little history: {history} sessions up to {day.date()} "
                               f"(first bar {closes.index[0].date()}), "
                               f"{params.min_history} needed")
        elif pd.isna(inputs.rsi.at[day, ticker]) or pd.isna(inputs.macd.at[day, ticker]):
            reasons[ticker] = f"no RSI or MACD feature on {day.date()}"
        elif not derived.volatility.at[day, ticker] > 0:
            reasons[ticker] = (f"zero volatility over the last {params.volatility_window} "
                               "sessions (flat prices)")
        else:
            reasons[ticker] = f"no momentum score on {day.date()}"
    return reasons


def _describe(chosen: Selection, inputs: Inputs, derived: Scores, day: pd.Timestamp,
              ticker: str) -> str:
    row, column = chosen.sessions.get_loc(day), inputs.close.columns.get_loc(ticker)
    return (f"rank {int(chosen.ranking.rank[row, column])} of {int(chosen.ranking.count[row])}, "
            f"momentum {derived.momentum.at[day, ticker]:+.1%}, "
            f"RSI {inputs.rsi.at[day, ticker]:.1f}, MACD {inputs.macd.at[day, ticker]:+.4g}, "
            f"volatility {derived.volatility.at[day, ticker]:.1%}")


def _move(before: float, after: float) -> tuple[str, str]:
    """("enter" | "exit" | "resize" | "switch", "long" | "short") of a weight change."""
    side = "long" if (after or before) > 0 else "short"
    if before == 0:
        return "enter", side
    if after == 0:
        return "exit", side
    return ("resize" if (before > 0) == (after > 0) else "switch"), side


def rebalance_list(weights: pd.DataFrame, inputs: Inputs, derived: Scores,
                   params: StrategyParams) -> pd.DataFrame:
    """The last session's buy/sell list against the session before: one row per ticker
    whose target weight changed, sells first, then by ticker."""
    day = weights.index[-1]
    target = weights.iloc[-1]
    previous = weights.iloc[-2] if len(weights) > 1 else target * 0.0
    changed = target.index[target.ne(previous)]
    rows = weights.index == day
    chosen = select(inputs, derived, params, rows)
    excluded = exclusions(inputs, derived, params, day) if len(changed) else {}
    records = []
    for ticker in changed:
        before, after = float(previous[ticker]), float(target[ticker])
        move, side = _move(before, after)
        if ticker in excluded:
            why = excluded[ticker]
        elif move in ("enter", "switch"):
            slots = chosen.long_slots if side == "long" else chosen.short_slots
            why = (f"in the {'top' if side == 'long' else 'bottom'} {int(slots[-1])}, "
                   f"confirmed; {_describe(chosen, inputs, derived, day, ticker)}")
        elif move == "exit":
            why = (f"outside the hold band ({'top' if side == 'long' else 'bottom'} "
                   f"{int(chosen.hold_slots[-1])}); "
                   f"{_describe(chosen, inputs, derived, day, ticker)}")
        else:
            sizing = "inverse-volatility" if params.volatility_scaling else "equal"
            why = f"{sizing} weight; {_describe(chosen, inputs, derived, day, ticker)}"
        records.append({"ticker": ticker, "action": "BUY" if after > before else "SELL",
                        "previous_weight": before, "target_weight": after,
                        "reason": f"{move} {side}: {why}"})
    frame = pd.DataFrame(records, columns=REBALANCE_COLUMNS)
    return frame.sort_values(["action", "ticker"], ascending=[False, True], ignore_index=True)


@dataclass(frozen=True)
class Signals:
    """GenerateSignals' outputs: weights per session, the last session's buy/sell list
    and the tickers without a signal on that session."""

    weights: pd.DataFrame
    rebalance: pd.DataFrame
    excluded: dict[str, str]


def generate_signals(inputs: Inputs, params: StrategyParams) -> Signals:
    """Weights for every session of the panel; the list and exclusions of the last one."""
    if inputs.close.empty:
        raise ValueError("signal inputs: no sessions in the close panel")
    derived = momentum_scores(inputs, params)
    weights = target_weights(inputs, params, derived)
    return Signals(weights=weights, rebalance=rebalance_list(weights, inputs, derived, params),
                   excluded=exclusions(inputs, derived, params, inputs.close.index[-1]))
