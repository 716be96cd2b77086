"""The momentum strategy's parameters and their file (``config/strategy/momentum.toml``).

Windows are in sessions, weights and exposures in fractions of equity. The file groups
the parameters in sections; :func:`load_strategy` checks every key and value and names
the file and key of anything wrong.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODES = ("long_only", "long_short")
REBALANCE_FREQUENCIES = ("daily", "weekly", "monthly")


@dataclass(frozen=True)
class StrategyParams:
    """Cross-sectional momentum with RSI/MACD confirmation and inverse-volatility sizing."""

    name: str = "momentum_12_1"
    mode: str = "long_only"
    # [momentum]: score = close[t - skip] / close[t - lookback] - 1
    lookback: int = 252
    skip: int = 21
    min_history: int = 273
    # [selection]
    rebalance: str = "monthly"
    top_fraction: float = 0.2
    bottom_fraction: float = 0.2
    hold_fraction: float = 0.4
    # [confirmation]
    rsi_long_min: float = 50.0
    rsi_short_max: float = 50.0
    macd_trend: bool = True
    # [sizing]
    gross_exposure: float = 1.0
    max_weight: float = 0.10
    volatility_window: int = 60
    volatility_scaling: bool = True

    def __post_init__(self) -> None:
        problems = []
        if self.mode not in MODES:
            problems.append(f"mode={self.mode!r}: expected one of {', '.join(MODES)}")
        if self.rebalance not in REBALANCE_FREQUENCIES:
            problems.append(f"rebalance={self.rebalance!r}: expected one of "
                            f"{', '.join(REBALANCE_FREQUENCIES)}")
        if not 0 <= self.skip < self.lookback:
            problems.append(f"skip={self.skip}, lookback={self.lookback}: expected "
                            "0 <= skip < lookback")
        if self.volatility_window < 2:
            problems.append(f"volatility_window={self.volatility_window}: expected >= 2")
        needed = max(self.lookback, self.volatility_window) + 1
        if self.min_history < needed:
            problems.append(f"min_history={self.min_history}: expected >= {needed} "
                            "(lookback and volatility_window sessions of returns)")
        for name in ("top_fraction", "bottom_fraction", "hold_fraction"):
            if not 0 < getattr(self, name) <= 1:
                problems.append(f"{name}={getattr(self, name)}: expected 0 < fraction <= 1")
        entry = max(self.top_fraction, self.bottom_fraction if self.long_short else 0.0)
        if self.hold_fraction < entry:
            problems.append(f"hold_fraction={self.hold_fraction}: expected >= the entry "
                            f"fractions ({entry})")
        if self.mode == "long_short" and self.top_fraction + self.bottom_fraction > 1:
            problems.append(f"top_fraction + bottom_fraction = "
                            f"{self.top_fraction + self.bottom_fraction}: expected <= 1")
        if not 0 <= self.rsi_short_max <= 100 or not 0 <= self.rsi_long_min <= 100:
            problems.append(f"rsi_long_min={self.rsi_long_min}, rsi_short_max="
                            f"{self.rsi_short_max}: expected RSI levels in 0..100")
        if not self.gross_exposure > 0:
            problems.append(f"gross_exposure={self.gross_exposure}: expected > 0")
        if not 0 < self.max_weight <= self.gross_exposure:
            problems.append(f"max_weight={self.max_weight}: expected 0 < max_weight <= "
                            f"gross_exposure ({self.gross_exposure})")
        if problems:
            raise ValueError("strategy parameters: " + "; ".join(problems))

    @property
    def long_short(self) -> bool:
        return self.mode == "long_short"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


#: Where each parameter lives in the strategy file (top level: "").
FILE_SECTIONS = {
    "": ("name", "mode"),
    "momentum": ("lookback", "skip", "min_history"),
    "selection": ("rebalance", "top_fraction", "bottom_fraction", "hold_fraction"),
    "confirmation": ("rsi_long_min", "rsi_short_max", "macd_trend"),
    "sizing": ("gross_exposure", "max_weight", "volatility_window", "volatility_scaling"),
}


def _checked(value: Any, expected: type, where: str) -> Any:
    """``value`` as the field's type; ints pass for floats, bools never pass for numbers."""
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bool) != (expected is bool) or not isinstance(value, expected):
        raise ValueError(f"{where}: expected {expected.__name__}, got {value!r}")
    return value


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """The document of a TOML settings file; ValueError naming the file when it is
    missing or not TOML (``what`` it should be: "strategy file")."""
    try:
        return tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"{path}: {what} not found") from None
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: not valid TOML: {error}") from None


def load_strategy(path: str | Path) -> StrategyParams:
    """The parameters in a strategy TOML file; missing keys take the defaults above."""
    path = Path(path)
    document = read_toml(path, "strategy file")
    types = {f.name: f.type for f in dataclasses.fields(StrategyParams)}
    type_of = {"str": str, "int": int, "float": float, "bool": bool}
    values: dict[str, Any] = {}
    for section, names in FILE_SECTIONS.items():
        table = document if not section else document.get(section, {})
        if not isinstance(table, dict):
            raise ValueError(f"{path}: [{section}] must be a table")
        allowed = set(names) | (set(FILE_SECTIONS) - {""} if not section else set())
        for key, value in table.items():
            where = f"{path}: {section + '.' if section else ''}{key}"
            if key not in allowed:
                raise ValueError(f"{where}: unknown key (expected one of {', '.join(names)})")
            if key in names:
                values[key] = _checked(value, type_of[types[key]], where)
    try:
        return StrategyParams(**values)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
