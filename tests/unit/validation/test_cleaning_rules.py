"""Each cleaning rule on a small frame whose defects are planted by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from momentum_pipeline.config import CleaningSettings
from momentum_pipeline.validation import CLEANED_SCHEMA, RULES, clean_prices

#: Ten consecutive NYSE sessions (2024-01-15 is Martin Luther King Jr. Day).
SESSIONS = ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08",
            "2024-01-09", "2024-01-10", "2024-01-11", "2024-01-12", "2024-01-16"]
LAST = dt.date(2024, 1, 16)


def bars(dates: list[str] = SESSIONS, **overrides: dict[str, float]) -> pd.DataFrame:
    """Calm bars: open 100, high 101, low 99, close 100.5, volume 1e6; ``overrides`` maps
    a date to the values that differ on it."""
    frame = pd.DataFrame({"date": dates, "open": 100.0, "high": 101.0, "low": 99.0,
                          "close": 100.5, "volume": 1e6})
    for day, values in overrides.items():
        row = frame.index[frame["date"] == day.replace("_", "-")]
        for column, value in values.items():
            frame.loc[row, column] = value
    return frame


def clean(frame: pd.DataFrame, run_date: dt.date = LAST, **thresholds):
    return clean_prices(frame, "TEST", run_date, "TEST.csv", CleaningSettings(**thresholds))


def dates_of(record, rule: str) -> list[str]:
    return record.rules[rule].dates


def test_clean_when_bars_are_clean_then_same_bars_and_every_rule_counts_zero():
    cleaned, record = clean(bars())
    assert record.findings == {} and list(record.rules) == list(RULES)
    assert cleaned.index.equals(pd.DatetimeIndex(SESSIONS, name="date"))
    assert cleaned["close"].tolist() == [100.5] * 10 and not cleaned["filled"].any()
    assert (record.rows_in, record.rows_out) == (10, 10)
    assert (record.first_date, record.last_date) == ("2024-01-02", "2024-01-16")


def test_clean_when_output_then_matches_the_cleaned_schema_exactly():
    cleaned, _ = clean(bars(**{"2024_01_05": {"high": 99.5}}))
    assert list(cleaned.columns) == ["open", "high", "low", "close", "volume", "filled"]
    assert cleaned["volume"].dtype == np.int64 and cleaned.index.dtype == "datetime64[ns]"
    CLEANED_SCHEMA.validate(cleaned)


def test_rule_missing_values_when_a_price_is_missing_then_row_dropped_and_session_filled():
    cleaned, record = clean(bars(**{"2024_01_09": {"high": np.nan, "close": 120.0}}))
    assert dates_of(record, "missing_values") == ["2024-01-09"]
    assert record.rules["missing_values"].action == "dropped"
    assert dates_of(record, "missing_sessions") == ["2024-01-09"]
    assert cleaned.loc["2024-01-09", "close"] == 100.5  # the previous close, not 120
    assert cleaned.loc["2024-01-09", "filled"]


def test_rule_duplicate_rows_when_a_row_is_repeated_exactly_then_one_kept():
    frame = bars()
    frame = pd.concat([frame.iloc[:4], frame.iloc[[3]], frame.iloc[4:]], ignore_index=True)
    cleaned, record = clean(frame)
    assert dates_of(record, "duplicate_rows") == ["2024-01-05"]
    assert len(cleaned) == 10


def test_rule_non_trading_days_when_weekend_and_holiday_rows_then_dropped():
    frame = bars(sorted([*SESSIONS, "2024-01-06", "2024-01-15"]))
    cleaned, record = clean(frame)
    assert dates_of(record, "non_trading_days") == ["2024-01-06", "2024-01-15"]
    assert pd.Timestamp("2024-01-15") not in cleaned.index and len(cleaned) == 10


def test_rule_ohlc_repaired_when_high_below_close_then_high_widened_to_the_close():
    cleaned, record = clean(bars(**{"2024_01_05": {"high": 100.2}}))
    assert dates_of(record, "ohlc_repaired") == ["2024-01-05"]
    assert cleaned.loc["2024-01-05", "high"] == 100.5


def test_rule_ohlc_repaired_when_low_above_open_then_low_lowered_to_the_open():
    cleaned, record = clean(bars(**{"2024_01_05": {"low": 100.3}}))
    assert dates_of(record, "ohlc_repaired") == ["2024-01-05"]
    assert cleaned.loc["2024-01-05", "low"] == 100.0


def test_rule_ohlc_when_off_by_rounding_noise_then_snapped_silently():
    # High one ulp below the close, low one above the open, as in real adjusted data.
    noisy = {"high": np.nextafter(100.5, 0), "low": np.nextafter(100.0, 101)}
    cleaned, record = clean(bars(**{"2024_01_05": noisy}))
    assert record.rules["ohlc_repaired"].count == 0
    assert cleaned.loc["2024-01-05", "high"] == 100.5 and cleaned.loc["2024-01-05", "low"] == 100.0


def test_rule_missing_sessions_when_sessions_absent_then_previous_close_carried_zero_volume():
    frame = bars([d for d in SESSIONS if d not in ("2024-01-09", "2024-01-10")],
                 **{"2024_01_08": {"close": 104.0}})
    cleaned, record = clean(frame)
    assert dates_of(record, "missing_sessions") == ["2024-01-09", "2024-01-10"]
    gap = cleaned.loc["2024-01-09":"2024-01-10"]
    assert (gap[["open", "high", "low", "close"]] == 104.0).all().all()
    assert (gap["volume"] == 0).all() and gap["filled"].all()
    assert not dates_of(record, "zero_volume") and not dates_of(record, "flat_bars")


def test_rule_zero_volume_and_flat_bars_when_a_stale_print_then_flagged_and_kept():
    stale = {"open": 100.5, "high": 100.5, "low": 100.5, "close": 100.5, "volume": 0}
    cleaned, record = clean(bars(**{"2024_01_10": stale}))
    assert dates_of(record, "zero_volume") == ["2024-01-10"]
    assert dates_of(record, "flat_bars") == ["2024-01-10"]
    assert record.rules["flat_bars"].action == "flagged"
    assert cleaned.loc["2024-01-10", "volume"] == 0 and not cleaned.loc["2024-01-10", "filled"]


#: Twelve sessions: enough history (ten previous sessions) for the thin-volume rule.
LONGER = [*SESSIONS, "2024-01-17", "2024-01-18"]


def test_rule_thin_volume_when_volume_collapses_after_enough_history_then_flagged():
    frame = bars(LONGER, **{"2024_01_17": {"volume": 40_000}})  # 4% of usual
    cleaned, record = clean(frame, run_date=dt.date(2024, 1, 18))
    assert dates_of(record, "thin_volume") == ["2024-01-17"]
    assert cleaned.loc["2024-01-17", "volume"] == 40_000


def test_rule_thin_volume_when_volume_only_lower_than_usual_then_not_flagged():
    frame = bars(LONGER, **{"2024_01_17": {"volume": 60_000}})  # 6% of usual
    _, record = clean(frame, run_date=dt.date(2024, 1, 18))
    assert record.rules["thin_volume"].count == 0


def test_rule_thin_volume_when_too_little_history_then_not_judged():
    _, record = clean(bars(**{"2024_01_04": {"volume": 10_000}}))  # third session
    assert record.rules["thin_volume"].count == 0


def test_rule_suspicious_jumps_when_overnight_gap_beyond_threshold_then_flagged():
    after = {"open": 150.0, "high": 151.0, "low": 149.0, "close": 150.5}
    frame = bars(**{day.replace("-", "_"): after for day in SESSIONS[5:]})
    _, record = clean(frame)
    assert dates_of(record, "suspicious_jumps") == ["2024-01-09"]  # 150 / 100.5 - 1 = 49%
    _, lenient = clean(frame, jump_threshold=0.6)
    assert lenient.rules["suspicious_jumps"].count == 0


def test_rule_stale_last_session_when_data_ends_before_the_run_dates_session_then_flagged():
    _, record = clean(bars(), run_date=dt.date(2024, 1, 17))
    assert dates_of(record, "stale_last_session") == ["2024-01-16"]
    _, on_weekend = clean(bars(SESSIONS[:-1]), run_date=dt.date(2024, 1, 14))
    assert on_weekend.rules["stale_last_session"].count == 0  # Friday's bar is the latest


def test_clean_when_volume_has_fractions_then_rounded_to_whole_shares():
    cleaned, _ = clean(bars(**{"2024_01_05": {"volume": 1234.6}}))
    assert cleaned.loc["2024-01-05", "volume"] == 1235


@pytest.mark.parametrize("column", ["open", "close"])
def test_clean_when_every_row_misses_a_value_then_ticker_fails_naming_the_file(column):
    frame = bars()
    frame[column] = np.nan
    with pytest.raises(ValueError, match="TEST.csv: ticker TEST has no usable rows"):
        clean(frame)


def test_clean_when_no_row_is_a_session_then_ticker_fails_naming_the_file():
    with pytest.raises(ValueError, match="TEST.csv: ticker TEST has no rows on NYSE sessions"):
        clean(bars(["2024-01-06", "2024-01-07", "2024-01-15"]))
