"""Settings of the per-ticker stages (cleaning, metrics, features): each setting once,
with its default, unit and help, as a frozen value checked when built.

``tasks.config`` derives the ``[validation]``, ``[metrics]`` and ``[features]`` sections
(and their flags) from these classes. This module imports nothing heavy, so the
command line stays fast; the stage modules (``validation``, ``metrics``,
``features``) use these classes and export them too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class CleaningSettings:
    """Thresholds of the cleaning rules (fractions are of price, not percent) and the
    rules' severities."""

    ohlc_tolerance: float = field(default=1e-6, metadata={
        "unit": "fraction of price", "help": "Relative slack allowed in OHLC relations."})
    jump_threshold: float = field(default=0.40, metadata={
        "unit": "fraction of price",
        "help": "Overnight gap flagged as a suspicious adjustment (rule suspicious_jumps)."})
    thin_volume_fraction: float = field(default=0.05, metadata={
        "unit": "fraction of volume",
        "help": "Volume below this fraction of the median of the previous 21 sessions is "
                "flagged as a partial day's volume (rule thin_volume)."})
    extreme_jump_factor: float = field(default=3.0, metadata={
        "unit": "price ratio",
        "help": "An open or close this many times (or 1/this) the previous close: an "
                "unapplied split or a bad print (rule extreme_jumps)."})
    max_filled_fraction: float = field(default=0.05, metadata={
        "unit": "fraction of sessions",
        "help": "Largest fraction of sessions that may be missing and filled before the "
                "series counts as sparse (rule sparse_history)."})
    severity: Mapping[str, str] = field(default_factory=dict, metadata={
        "help": 'Severity per rule, over the defaults: info, warn or reject, e.g. '
                '{"missing_sessions": "info", "suspicious_jumps": "reject"}.'})
    warn_alert_sessions: int = field(default=5, metadata={
        "unit": "sessions",
        "help": "A warn finding is alerted when it falls in this many sessions up to the "
                "run date (older ones stay in the record and report)."})

    def thresholds(self) -> dict[str, Any]:
        """What decides the cleaned bars, as recorded in their provenance."""
        return {k: dict(v) if isinstance(v, Mapping) else v
                for k, v in asdict(self).items() if k != "warn_alert_sessions"}


@dataclass(frozen=True)
class MetricParams:
    """Windows of the rolling metrics (CalculateMetrics), in sessions."""

    volatility_window: int = field(default=21, metadata={
        "unit": "sessions", "help": "Window of the rolling volatility."})
    ma_windows: tuple[int, ...] = field(default=(20, 50, 200), metadata={
        "unit": "sessions", "help": "Windows of the moving averages."})

    def __post_init__(self) -> None:
        if self.volatility_window < 2:
            raise ValueError(f"metric parameter volatility_window={self.volatility_window}: "
                             "expected >= 2 sessions")
        if not self.ma_windows or any(w < 1 for w in self.ma_windows):
            raise ValueError(f"metric parameter ma_windows={list(self.ma_windows)}: "
                             "expected windows of >= 1 session")

    def to_dict(self) -> dict[str, Any]:
        return {"volatility_window": self.volatility_window, "ma_windows": list(self.ma_windows)}


@dataclass(frozen=True)
class FeatureParams:
    """Windows of BuildFeatures' indicators, in sessions; recorded with the features."""

    rsi_length: int = field(default=14, metadata={"unit": "sessions", "help": "RSI window."})
    macd_fast: int = field(default=12, metadata={"unit": "sessions", "help": "MACD fast EMA."})
    macd_slow: int = field(default=26, metadata={"unit": "sessions", "help": "MACD slow EMA."})
    macd_signal: int = field(default=9, metadata={
        "unit": "sessions", "help": "EMA of MACD: its signal line."})
    return_lags: tuple[int, ...] = field(default=(1, 2, 3, 4, 5), metadata={
        "unit": "sessions", "help": "Lags of the daily return columns."})
    rolling_windows: tuple[int, ...] = field(default=(5, 21), metadata={
        "unit": "sessions", "help": "Windows of the rolling mean and std of daily returns."})
    ma_windows: tuple[int, ...] = field(default=(20, 50, 200), metadata={
        "unit": "sessions", "help": "Moving averages the close's distance is measured from."})

    def __post_init__(self) -> None:
        windows = {"rsi_length": [self.rsi_length], "macd_fast": [self.macd_fast],
                   "macd_slow": [self.macd_slow], "macd_signal": [self.macd_signal],
                   "return_lags": self.return_lags, "rolling_windows": self.rolling_windows,
                   "ma_windows": self.ma_windows}
        for name, values in windows.items():
            # A lag may be 1 session; pandas-ta takes TA-Lib's path only for windows >= 2.
            least = 1 if name == "return_lags" else 2
            if (not values or len(set(values)) != len(values)
                    or any(int(v) != v or v < least for v in values)):
                raise ValueError(f"feature parameter {name}={list(values)}: expected distinct "
                                 f"whole numbers of sessions >= {least}")
        if self.macd_fast >= self.macd_slow:
            raise ValueError(f"feature parameters macd_fast={self.macd_fast}, "
                             f"macd_slow={self.macd_slow}: expected fast < slow")

    def to_dict(self) -> dict[str, object]:
        """As recorded in provenance (lists, not tuples, so JSON round trips compare equal)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def columns(self) -> list[str]:
        """The feature columns, in output order."""
        return ["return_1d", *(f"return_lag_{k}" for k in self.return_lags),
                "rsi", "macd", "macd_signal", "macd_hist",
                *(f"return_{stat}_{w}" for w in self.rolling_windows for stat in ("mean", "std")),
                "volume_change", *(f"ma_distance_{w}" for w in self.ma_windows)]
