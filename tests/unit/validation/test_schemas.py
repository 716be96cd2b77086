"""Schema mismatches: one clear error naming the file, the column and the rows.

The malformed files are in tests/resources/ohlcv; rows count data lines after the
header from 1, so "row 3" is the fourth line of the file.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from momentum_pipeline.sources.csvdir import fetch_csv
from momentum_pipeline.validation import CLEANED_SCHEMA, SchemaMismatch, check_schema, clean_prices
from tests.conftest import RESOURCES

OHLCV = RESOURCES / "ohlcv"
RUN_DATE = dt.date(2024, 3, 28)


def mismatch(ticker: str, start: dt.date = dt.date(2024, 1, 1)) -> list[str]:
    """The lines of the error validating the resource file of ``ticker``."""
    raw = fetch_csv(OHLCV, ticker, start, RUN_DATE).frame
    path = OHLCV / f"{ticker}.csv"
    with pytest.raises(SchemaMismatch) as error:
        clean_prices(raw, ticker, RUN_DATE, where=str(path))
    lines = str(error.value).splitlines()
    assert lines[0] == f"{path}: ticker {ticker} does not match the raw prices schema"
    return lines[1:]


def test_schema_when_a_column_is_missing_then_error_names_it_and_the_expected_columns():
    # A CSV file without one is refused by the reader (test_csv_layout); other sources' too.
    raw = fetch_csv(OHLCV, "AAA", dt.date(2024, 1, 1), RUN_DATE).frame.drop(columns="close")
    with pytest.raises(SchemaMismatch) as error:
        clean_prices(raw, "AAA", RUN_DATE, where="AAA.parquet")
    assert str(error.value).splitlines()[1:] == [
        "  column 'close': missing (expected columns date, open, high, low, close, volume)"]


def test_schema_when_text_in_numbers_then_error_names_column_row_and_text():
    assert mismatch("TEXTNUM") == [
        "  column 'close': not readable as float64 at row 3 (51.O6)"]


def test_schema_when_date_is_not_a_date_then_error_names_row_and_text():
    assert mismatch("BADDATE") == [
        "  column 'date': not readable as datetime64[ns] at row 2 (2024-01-32)"]


def test_schema_when_price_negative_then_error_names_column_row_and_value():
    assert mismatch("NEGATIVE") == [
        "  column 'close' failed greater_than(0) at row 3 (-51.06)"]


def test_schema_when_dates_unsorted_then_error_names_the_row_going_back():
    assert mismatch("UNSORTED") == [
        "  dates not in ascending order at row 4 (2024-01-04)"]


def test_schema_when_one_date_has_two_different_bars_then_error_names_both_rows():
    assert mismatch("DUPDATE") == [
        "  one date with two different bars at rows 2 (2024-01-03), 3 (2024-01-03)"]


def test_schema_when_rows_before_start_skipped_then_rows_still_counted_in_the_file(tmp_path):
    lines = (OHLCV / "TEXTNUM.csv").read_text().splitlines()
    (tmp_path / "LATE.csv").write_text("\n".join([lines[0], "2023-12-29,1,1,1,1,1", *lines[1:]]))
    raw = fetch_csv(tmp_path, "LATE", dt.date(2024, 1, 1), RUN_DATE).frame
    with pytest.raises(SchemaMismatch, match=r"at row 4 \(51.O6\)"):
        clean_prices(raw, "LATE", RUN_DATE, where="LATE.csv")


def test_schema_when_file_newest_first_then_each_row_listed_with_its_own_value(tmp_path):
    (tmp_path / "DESC.csv").write_text("Date,Open,High,Low,Close,Volume\n"
                                       "2024-01-05,51.10,51.36,50.12,50.32,2334600\n"
                                       "2024-01-04,50.59,51.71,50.30,5I.06,1361000\n"
                                       "2024-01-03,50.06,50.97,49.84,50.81,1720200\n"
                                       "2024-01-02,50.05,50.88,49.33,5O.26,3146200\n")
    raw = fetch_csv(tmp_path, "DESC", dt.date(2024, 1, 1), RUN_DATE).frame  # read reversed
    with pytest.raises(SchemaMismatch, match=r"column 'close': not readable as float64 at "
                                             r"rows 2 \(5I.06\), 4 \(5O.26\)"):
        clean_prices(raw, "DESC", RUN_DATE, where="DESC.csv")


def test_schema_when_many_rows_fail_then_ten_listed_and_the_rest_counted():
    raw = pd.DataFrame({"date": pd.bdate_range("2024-01-02", periods=15), "open": -1.0,
                        "high": 2.0, "low": 1.0, "close": 1.5, "volume": 10.0})
    with pytest.raises(SchemaMismatch,
                       match=r"column 'open' failed greater_than\(0\) at rows "
                             r"1 \(-1.0\), 2 \(-1.0\), .*, 10 \(-1.0\) and 5 more"):
        clean_prices(raw, "MANY", RUN_DATE, where="MANY.csv")


def cleaned_mismatch(bars: pd.DataFrame) -> list[str]:
    with pytest.raises(SchemaMismatch) as error:
        check_schema(CLEANED_SCHEMA, bars, "cleaned/X.parquet", "X")
    lines = str(error.value).splitlines()
    assert lines[0] == "cleaned/X.parquet: ticker X does not match the cleaned prices schema"
    return lines[1:]


CLEANED = pd.DataFrame({"open": [10.0, 10.0], "high": [11.0, 11.0], "low": [9.0, 9.0],
                        "close": [10.5, 10.5], "volume": [5, 6], "filled": [False, False]},
                       index=pd.DatetimeIndex(["2024-01-02", "2024-01-03"], name="date"))


def test_cleaned_schema_when_high_below_close_then_mismatch_names_the_date():
    assert cleaned_mismatch(CLEANED.assign(high=[11.0, 10.0])) == [
        "  high not above open/close/low or low not below open/close on 2024-01-03"]


def test_cleaned_schema_when_a_value_fails_then_mismatch_names_its_date_and_value():
    assert cleaned_mismatch(CLEANED.assign(close=[10.5, -10.5], low=[9.0, -11.0])) == [
        "  column 'low' failed greater_than(0) at date 2024-01-03 (-11.0)",
        "  column 'close' failed greater_than(0) at date 2024-01-03 (-10.5)"]


def test_cleaned_schema_when_extra_or_reordered_column_then_mismatch_names_the_columns():
    expected = "expected columns open, high, low, close, volume, filled"
    assert cleaned_mismatch(CLEANED.assign(adj_close=10.4)) == [
        f"  column 'adj_close': not expected ({expected})"]
    assert cleaned_mismatch(CLEANED[["high", "open", "low", "close", "volume", "filled"]]) == [
        "  columns out of order (expected open, high, low, close, volume, filled)"]


def test_cleaned_schema_when_volume_not_whole_shares_then_mismatch_names_the_type():
    assert cleaned_mismatch(CLEANED.assign(volume=[5.0, 6.0])) == [
        "  column 'volume': type float64, expected int64"]
