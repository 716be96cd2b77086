"""The per-ticker data-quality record: every rule, its count and every date it touched."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from momentum_pipeline.foundation.frames import dump_json
from momentum_pipeline.validation import clean_prices

RULES = ["missing_values", "duplicate_rows", "non_trading_days", "ohlc_repaired",
         "missing_sessions", "sparse_history", "zero_volume", "flat_bars", "thin_volume",
         "suspicious_jumps", "extreme_jumps", "stale_last_session"]


def quiet_bars(dates: pd.DatetimeIndex, volume: float = 1e6) -> pd.DataFrame:
    return pd.DataFrame({"date": dates, "open": 10.0, "high": 10.5, "low": 9.5, "close": 10.2,
                         "volume": volume})


def test_record_when_serialised_then_all_rules_in_pipeline_order_with_action_count_dates():
    dates = pd.bdate_range("2024-03-01", "2024-03-28")  # weekdays; none is a holiday
    _, record = clean_prices(quiet_bars(dates), "X", dt.date(2024, 3, 28), where="X.csv")
    data = record.to_dict()
    assert list(data["rules"]) == RULES
    assert data["rules"]["flat_bars"] == {"action": "flagged", "severity": "info", "count": 0,
                                          "dates": []}
    assert data["rules"]["extreme_jumps"]["severity"] == "reject"
    assert data["price_basis"].startswith("as delivered") and data["warnings"] == []
    assert (data["ticker"], data["source"], data["rows_in"], data["rows_out"]) == (
        "X", "X.csv", 20, 20)
    assert json.loads(dump_json(data)) == data


def test_record_when_a_rule_touches_many_sessions_then_every_date_is_listed():
    dates = pd.bdate_range("2024-03-01", "2024-03-28")
    _, record = clean_prices(quiet_bars(dates, volume=0), "X", dt.date(2024, 3, 28), where="X")
    zero = record.rules["zero_volume"]
    assert zero.count == 20 and zero.dates == [d.date().isoformat() for d in dates]
    assert list(record.findings) == ["zero_volume"]
