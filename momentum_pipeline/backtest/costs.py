"""Trading costs and fills of the backtest, from the ``[backtest]`` settings.

One definition serves both engines: the zipline algorithm wraps it in zipline's
slippage and commission interfaces, the vectorised check calls it on arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:  # numpy is imported where it is used: the settings stay light to import
    import numpy as np

Commission = Literal["per_share", "per_dollar", "none"]
#: Bar field of the session after the order at which orders fill: orders are
#: decided on a session's close, so the next ``open`` is the first real chance
#: to trade; ``close`` is zipline's own daily convention.
FillPrice = Literal["open", "close"]
COMMISSIONS = get_args(Commission)
FILL_PRICES = get_args(FillPrice)


@dataclass(frozen=True)
class CostModel:
    """Commission, slippage and fill rules (defaults: zipline's US equity defaults,
    filled at the next session's open).

    * ``commission``: ``per_share`` charges ``commission_rate`` dollars per share,
      ``per_dollar`` a ``commission_rate`` fraction of the traded value, ``none`` nothing;
    * ``slippage_bps``: the fill price moves this many basis points against the trade;
    * ``volume_limit``: at most this fraction of a session's volume fills per order and
      session (zipline only; the rest fills on later sessions);
    * ``fill_price``: ``open`` or ``close`` of the session after the order.
    """

    commission: Commission = field(default="per_share", metadata={"help": "Commission model."})
    commission_rate: float = field(default=0.001, metadata={
        "unit": "dollars per share, or fraction of traded value",
        "help": "Dollars per share (per_share) or fraction of traded value (per_dollar)."})
    slippage_bps: float = field(default=5.0, metadata={
        "unit": "basis points", "help": "Fill price moved against the trade."})
    volume_limit: float = field(default=0.1, metadata={
        "unit": "fraction of volume", "help": "Largest fraction of a session's volume filled."})
    fill_price: FillPrice = field(default="open", metadata={
        "help": "Orders decided on a close fill at the next session's open or close."})

    def __post_init__(self) -> None:
        if self.commission not in COMMISSIONS:
            raise ValueError(f"backtest commission {self.commission!r}: expected one of "
                             f"{', '.join(COMMISSIONS)}")
        if self.fill_price not in FILL_PRICES:
            raise ValueError(f"backtest fill_price {self.fill_price!r}: expected one of "
                             f"{', '.join(FILL_PRICES)}")
        for name in ("commission_rate", "slippage_bps"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"backtest {name} must be a finite number >= 0, got {value}")
        if not (math.isfinite(self.volume_limit) and 0 < self.volume_limit <= 1):
            raise ValueError(f"backtest volume_limit must be a fraction in (0, 1], "
                             f"got {self.volume_limit}")

    @property
    def rates(self) -> tuple[float, float]:
        """(dollars per share, fraction of traded value) charged: the commission model
        as the two rates of :func:`commission`."""
        if self.commission == "per_share":
            return self.commission_rate, 0.0
        if self.commission == "per_dollar":
            return 0.0, self.commission_rate
        return 0.0, 0.0

    def execution_price(self, price: np.ndarray | float, shares: np.ndarray | float) -> np.ndarray:
        """Dollars per share paid (bought, ``shares`` > 0) or received (sold) at a bar price."""
        import numpy as np

        return slipped(np.asarray(price), np.asarray(shares), self.slippage_bps)

    def commission_dollars(self, shares: np.ndarray | float,
                           execution_price: np.ndarray | float) -> np.ndarray:
        """Commission in dollars of filling ``shares`` at ``execution_price``."""
        import numpy as np

        return commission(np.asarray(shares, dtype="float64"), np.asarray(execution_price),
                          *self.rates)


# The formulas themselves: plain arithmetic on numbers or numpy arrays, so the vectorised
# backtest's compiled loop (numba) runs these same lines.

def slipped(price, shares, slippage_bps):
    """The fill price moved ``slippage_bps`` against a trade of ``shares`` (0: none)."""
    side = 1.0 * (shares > 0) - 1.0 * (shares < 0)
    return price * (1.0 + side * slippage_bps * 1e-4)


def commission(shares, execution_price, per_share, per_dollar):
    """Dollars charged for ``shares`` at ``execution_price``: ``per_share`` dollars a
    share plus a ``per_dollar`` fraction of the traded value."""
    traded = abs(shares)
    return traded * per_share + traded * abs(execution_price) * per_dollar
