"""The vectorised check by hand on a tiny market: a position whose data ends is sold
at its last close, as zipline's auto-close does."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from momentum_pipeline.backtest.costs import CostModel
from momentum_pipeline.backtest.vectorised import vectorised_backtest
from momentum_pipeline.foundation.calendar import sessions

SESSIONS = sessions(pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-09"))  # 6 sessions
#: ENDS has bars on the first four sessions only; STAYS on all six.
CLOSES = pd.DataFrame({"ENDS": [10.0, 11.0, 12.0, 13.0, np.nan, np.nan],
                       "STAYS": [20.0] * 6}, index=SESSIONS)
FREE = CostModel(commission="none", slippage_bps=0.0)


def plan() -> pd.DataFrame:
    """0.4 each on the first session; ENDS to 0 on its last bar (close_ended_positions)."""
    return pd.DataFrame({"ENDS": [0.4, 0.0], "STAYS": [0.4, 0.4]}, index=SESSIONS[[0, 3]])


def test_vectorised_check_when_data_ends_while_held_then_position_goes_to_cash_at_last_close():
    check = vectorised_backtest(plan(), CLOSES, CLOSES, SESSIONS, 1000.0, FREE)

    # 40 ENDS at 11 and 20 STAYS at 20 fill on the second session: cash 160. On ENDS'
    # last bar its 40 shares become 520 dollars at its close 13; the rebalance then buys
    # 1 STAYS (0.4 * 1080 / 20 - 20 = 1.6, whole shares), filled on the next session.
    assert check["portfolio_value"].tolist() == pytest.approx(
        [1000.0, 1000.0, 1040.0, 1080.0, 1080.0, 1080.0])
    assert check["traded_value"].tolist() == pytest.approx([0.0, 840.0, 0.0, 520.0, 20.0, 0.0])


def test_vectorised_check_when_it_closes_an_ended_position_then_it_charges_no_commission():
    charged = vectorised_backtest(plan(), CLOSES, CLOSES, SESSIONS, 1000.0, CostModel())

    assert charged.loc[SESSIONS[3], "commission"] == 0.0
    assert charged.loc[SESSIONS[3], "traded_value"] == pytest.approx(40 * 13.0)


def test_vectorised_check_when_every_ticker_has_bars_to_the_end_then_nothing_is_closed():
    full = CLOSES.fillna(13.0)

    check = vectorised_backtest(plan(), full, full, SESSIONS, 1000.0, FREE)

    assert check.loc[SESSIONS[3], "traded_value"] == 0.0
    # The 40 ENDS shares are sold at 13 on the next session, with the STAYS purchase.
    assert check.loc[SESSIONS[4], "traded_value"] == pytest.approx(40 * 13.0 + 20.0)
