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
   over ``volatility_window`` sessions), no |weight| above ``max_weight``; what a cap
   cuts goes to the uncapped names in proportion. Long-only, the weights sum to
   ``gross_exposure``; long/short, each side sums to ``gross_exposure / 2``, so the net
   is 0. When the caps cannot reach that (too few names), the weights stop at the caps
   and the rest is cash; long/short then sizes both sides to the smaller one, keeping
   the net at 0.
6. Between decision sessions the target weights stay as decided; the backtest and
   ExecuteTrades trade only when the targets change, so held weights drift with prices.

The weight in row t is decided at t's close from bars up to t only and is meant to be
held from session t + 1: applying it to t's own return would be look-ahead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from momentum_pipeline.foundation.calendar import last_session_on_or_before, nyse, sessions
from momentum_pipeline.metrics import annualised_volatility
from momentum_pipeline.strategy import StrategyParams

#: Feature columns (from BuildFeatures) that the confirmation reads.
FEATURE_COLUMNS = ("rsi", "macd")
REBALANCE_COLUMNS = ["ticker", "action", "previous_weight", "target_weight", "reason"]
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
    calendar = nyse()
    ahead = sessions(index[0], min(index[-1] + pd.Timedelta(days=14), calendar.last_session))
    position = ahead.searchsorted(index, side="right")
    known = position < len(ahead)
    following = ahead[np.minimum(position, len(ahead) - 1)]
    period = "M" if frequency == "monthly" else "W"
    return known & (index.to_period(period) != following.to_period(period))


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
class Scores:
    """What the strategy derives from the inputs, per session and ticker."""

    momentum: pd.DataFrame
    volatility: pd.DataFrame
    history: pd.DataFrame
    has_signal: pd.DataFrame


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


@dataclass(frozen=True)
class Selection:
    """Ranks and candidates on some sessions (frames and series of those rows)."""

    rank: pd.DataFrame         # 1 = highest momentum among the tickers with a signal
    count: pd.Series           # tickers with a signal
    long_slots: pd.Series      # long entries come from the top long_slots ranks
    short_slots: pd.Series     # short entries from the bottom short_slots ranks
    hold_slots: pd.Series      # a held name stays while within this many of its end
    long_entry: pd.DataFrame   # in the long slots and confirmed
    short_entry: pd.DataFrame  # in the short slots and confirmed
    long_band: pd.DataFrame    # within the top hold_slots
    short_band: pd.DataFrame   # within the bottom hold_slots (long_short only)


def select(inputs: Inputs, derived: Scores, params: StrategyParams,
           rows: np.ndarray) -> Selection:
    """Rank, entries and hold bands on the sessions where ``rows`` is True."""
    has_signal = derived.has_signal[rows]
    momentum = derived.momentum[rows].where(has_signal)
    count = has_signal.sum(axis=1)
    rank = momentum.rank(axis=1, ascending=False, method="first")
    from_bottom = momentum.rank(axis=1, ascending=True, method="first")

    def slots(fraction: float) -> pd.Series:
        return pd.Series(_rounded_up(fraction, count.to_numpy()), index=count.index)

    long_slots, hold_slots = slots(params.top_fraction), slots(params.hold_fraction)
    if params.long_short:
        # The bottom never reaches into the top: small universes round both up.
        short_slots = np.minimum(slots(params.bottom_fraction), count - long_slots)
    else:
        short_slots = slots(0.0)
    rsi, macd = inputs.rsi[rows], inputs.macd[rows]
    long_ok = rsi >= params.rsi_long_min
    short_ok = rsi <= params.rsi_short_max
    if params.macd_trend:
        long_ok &= macd > 0
        short_ok &= macd < 0
    short_band = from_bottom.le(hold_slots, axis=0) & params.long_short
    return Selection(rank=rank, count=count, long_slots=long_slots, short_slots=short_slots,
                     hold_slots=hold_slots,
                     long_entry=rank.le(long_slots, axis=0) & long_ok,
                     short_entry=from_bottom.le(short_slots, axis=0) & short_ok,
                     long_band=rank.le(hold_slots, axis=0), short_band=short_band)


def books(chosen: Selection) -> tuple[np.ndarray, np.ndarray]:
    """Long and short names on each decision session: the confirmed entries plus the
    names held at the previous decision that are still within their hold band.

    Confirmation gates entries only and the band is wider than the entry slots, so a
    name near the cut does not flip in and out every month (turnover). Long wins
    where the two could meet, so no name is on both sides.
    """
    long_entry, short_entry = chosen.long_entry.to_numpy(), chosen.short_entry.to_numpy()
    long_band, short_band = chosen.long_band.to_numpy(), chosen.short_band.to_numpy()
    long, short = np.zeros_like(long_entry), np.zeros_like(short_entry)
    held_long = held_short = np.zeros(long_entry.shape[1], dtype=bool)
    for row in range(len(long)):
        held_long = long[row] = long_entry[row] | (held_long & long_band[row])
        held_short = short[row] = (short_entry[row] | (held_short & short_band[row])) & ~held_long
    return long, short


def capped_weights(scores: np.ndarray, total: np.ndarray, cap: float) -> np.ndarray:
    """Per row, weights proportional to ``scores`` (0 = not held) summing to ``total``,
    none above ``cap``; the excess of capped names goes to the others in proportion.

    When ``cap * held < total`` every held name ends at the cap (the rest is cash).
    """
    held = scores > 0
    capped = np.zeros_like(held)
    total = np.broadcast_to(np.asarray(total, dtype=np.float64), scores.shape[:1])
    weights = np.zeros_like(scores, dtype=np.float64)
    for _ in range(scores.shape[1] + 1):
        free = held & ~capped
        budget = total - cap * capped.sum(axis=1)
        mass = np.where(free, scores, 0.0).sum(axis=1)
        scale = np.divide(budget, mass, out=np.zeros_like(budget), where=mass > 0)
        weights = np.where(capped, cap, np.where(free, scores * scale[:, None], 0.0))
        over = free & (weights > cap)
        if not over.any():
            break
        capped |= over
    return weights


def decide(inputs: Inputs, derived: Scores, params: StrategyParams,
           rows: np.ndarray) -> pd.DataFrame:
    """Target weights on the sessions where ``rows`` is True (fractions of equity)."""
    chosen = select(inputs, derived, params, rows)
    long, short = books(chosen)
    volatility = derived.volatility[rows].to_numpy()
    # Names without a signal (zero or no volatility among them) are never in a book.
    inverse_volatility = np.divide(1.0, volatility, out=np.zeros_like(volatility),
                                   where=volatility > 0)
    long_scores = np.where(long, inverse_volatility, 0.0)
    if not params.long_short:
        weights = capped_weights(long_scores, params.gross_exposure, params.max_weight)
    else:
        short_scores = np.where(short, inverse_volatility, 0.0)
        side = np.minimum.reduce([
            np.full(len(long_scores), params.gross_exposure / 2),
            params.max_weight * (long_scores > 0).sum(axis=1),
            params.max_weight * (short_scores > 0).sum(axis=1)])
        weights = (capped_weights(long_scores, side, params.max_weight)
                   - capped_weights(short_scores, side, params.max_weight))
    return pd.DataFrame(weights + 0.0, index=chosen.rank.index, columns=chosen.rank.columns)


def target_weights(inputs: Inputs, params: StrategyParams,
                   derived: Scores | None = None) -> pd.DataFrame:
    """Target weight per session (rows) and ticker (columns), held from the next session.

    Finite everywhere: 0 before the first decision and for tickers without a signal.
    """
    if derived is None:
        derived = momentum_scores(inputs, params)
    rows = decision_sessions(inputs.close.index, params.rebalance)
    decided = decide(inputs, derived, params, rows)
    return decided.reindex(inputs.close.index).ffill().fillna(0.0)


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
    return (f"rank {int(chosen.rank.at[day, ticker])} of {int(chosen.count[day])}, "
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
            why = (f"in the {'top' if side == 'long' else 'bottom'} {int(slots[day])}, "
                   f"confirmed; {_describe(chosen, inputs, derived, day, ticker)}")
        elif move == "exit":
            why = (f"outside the hold band ({'top' if side == 'long' else 'bottom'} "
                   f"{int(chosen.hold_slots[day])}); "
                   f"{_describe(chosen, inputs, derived, day, ticker)}")
        else:
            why = f"inverse-volatility weight; {_describe(chosen, inputs, derived, day, ticker)}"
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
