"""Severity of the cleaning rules, and prices adjusted from an adjusted close."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from momentum_pipeline.foundation.calendar import sessions
from momentum_pipeline.config import CleaningSettings
from momentum_pipeline.validation import (PRICE_BASIS_ADJUSTED, PRICE_BASIS_AS_DELIVERED,
                                          QualityRejected, clean_prices, rule_severities)

RUN_DATE = dt.date(2024, 6, 28)


def bars(closes: list[float], start: str = "2024-01-02") -> pd.DataFrame:
    days = sessions(pd.Timestamp(start), pd.Timestamp(RUN_DATE))[:len(closes)]
    close = np.array(closes, dtype=float)
    return pd.DataFrame({"date": days, "open": close, "high": close * 1.01,
                         "low": close * 0.99, "close": close, "volume": 1e6})


def steady(count: int = 120) -> list[float]:
    return list(100 * 1.001 ** np.arange(count))


def test_clean_when_close_jumps_100x_then_ticker_rejected_naming_date_and_values():
    closes = steady()
    closes[60:] = [c * 100 for c in closes[60:]]
    frame = bars(closes)
    with pytest.raises(QualityRejected) as rejected:
        clean_prices(frame, "ACME", RUN_DATE, "prices/ACME.csv")
    message = str(rejected.value)
    day = frame["date"][60].date().isoformat()
    assert "prices/ACME.csv: ticker ACME rejected" in message
    assert f"extreme_jumps (flagged): 1 ({day})" in message
    assert f"{day} (open {closes[60]:.4g}, close {closes[60]:.4g} after {closes[59]:.4g}: x100)" in message
    assert "--validation-severity" in message


def test_clean_when_extreme_jump_severity_lowered_to_warn_then_data_used_with_warning():
    closes = steady()
    closes[60:] = [c / 10 for c in closes[60:]]  # an unapplied 10:1 split
    cleaned, report = clean_prices(bars(closes), "ACME", RUN_DATE, "x",
                                   CleaningSettings(severity={"extreme_jumps": "warn"}))
    assert len(cleaned) == len(closes)
    assert report.rules["extreme_jumps"].severity == "warn"
    assert any(w.startswith("extreme_jumps (flagged): 1") for w in report.to_dict()["warnings"])


def test_clean_when_overnight_gap_above_threshold_then_warned_not_rejected():
    closes = steady()
    frame = bars(closes)
    frame.loc[50, "open"] = closes[49] * 1.5
    frame.loc[50, "high"] = closes[49] * 1.5
    _, report = clean_prices(frame, "ACME", RUN_DATE, "x")
    assert report.of_severity("warn").keys() == {"suspicious_jumps", "stale_last_session"}
    assert report.of_severity("reject") == {}


def test_clean_when_most_sessions_missing_then_rejected_as_sparse_history():
    weekly = bars(steady(200), start="2023-06-01").iloc[::5]  # one bar a week: four sessions in five invented
    with pytest.raises(QualityRejected, match=r"sparse_history \(flagged\): \d+"):
        clean_prices(weekly, "ACME", RUN_DATE, "x")


def test_rule_severities_when_unknown_rule_or_severity_then_error_lists_allowed():
    with pytest.raises(ValueError, match="unknown rule nope .*rules: missing_values"):
        rule_severities({"nope": "warn"})
    with pytest.raises(ValueError, match="expected one of info, warn, reject"):
        rule_severities({"flat_bars": "loud"})


def test_clean_when_adjusted_close_given_then_ohlc_scaled_and_volume_kept():
    closes = steady(60)
    frame = bars(closes)
    factor = np.where(np.arange(60) < 30, 0.98, 1.0)  # a 2% dividend paid on session 30
    frame["adj_close"] = frame["close"] * factor
    cleaned, report = clean_prices(frame, "ACME", dt.date(2024, 3, 27), "x")
    assert report.price_basis == PRICE_BASIS_ADJUSTED
    np.testing.assert_allclose(cleaned["close"].to_numpy(), frame["adj_close"].to_numpy(),
                               rtol=1e-15)
    np.testing.assert_allclose(cleaned["open"].to_numpy(), frame["open"].to_numpy() * factor,
                               rtol=1e-15)
    assert (cleaned["volume"] == 1_000_000).all()


def test_clean_when_no_adjusted_close_then_prices_said_to_be_taken_as_adjusted():
    _, report = clean_prices(bars(steady(30)), "ACME", dt.date(2024, 2, 13), "x")
    assert report.price_basis == PRICE_BASIS_AS_DELIVERED
    assert report.to_dict()["price_basis"].startswith("as delivered")
