"""The CSV layout reader: what shape a price file is, how it is read, what was repaired."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from momentum_pipeline.sources import LayoutError, SourceError
from momentum_pipeline.sources.csv_layout import ParsedPrices, parse_prices, read_price_file
from tests.conftest import REAL_OHLCV
from tests.corpus import PLAIN, nasdaq_export, real_rows, yfinance_to_csv

HEADER = "Date,Open,High,Low,Close,Volume\n"
ROWS = ("2024-01-16,20.10,20.45,19.90,20.30,1204500\n"
        "2024-01-17,20.30,20.60,20.05,20.15,998700\n"
        "2024-01-18,20.15,20.20,19.70,19.85,1320400\n")


def read(text: str | bytes, **options) -> ParsedPrices:
    content = text if isinstance(text, bytes) else text.encode()
    return parse_prices(content, "prices/XYZ.csv", "XYZ", **options)


def refused(text: str, **options) -> str:
    with pytest.raises(LayoutError) as error:
        read(text, **options)
    assert str(error.value).startswith("prices/XYZ.csv: ")
    return str(error.value)


def test_read_when_yfinance_to_csv_of_a_real_ticker_then_exactly_the_bars_of_the_plain_file(
        tmp_path):
    plain = read_price_file(REAL_OHLCV / "AAPL.csv", "AAPL")
    parsed = read_price_file(yfinance_to_csv(tmp_path, last=None), "AAPL")
    assert parsed.date_format == "ISO with time and UTC offset" and parsed.notes == ()
    pd.testing.assert_frame_equal(parsed.frame, plain.frame, check_exact=True)
    assert plain.frame["date"].iloc[0] == pd.Timestamp("2005-10-10")


def test_read_when_plain_file_then_every_value_exactly_as_float_reads_it():
    parsed = read_price_file(REAL_OHLCV / "MSFT.csv", "MSFT")
    rows = real_rows("MSFT", last=None)
    assert parsed.notes == () and parsed.date_format == "ISO" and parsed.delimiter == ","
    for i, column in enumerate(PLAIN[1:], start=1):
        assert parsed.frame[column.lower()].tolist() == [float(r[i]) for r in rows]


def test_read_when_nasdaq_export_then_reversed_and_dollar_signs_removed(tmp_path):
    parsed = read_price_file(nasdaq_export(tmp_path), "AAPL")
    assert parsed.notes == ("'$' removed from 1,000 values", "dates in descending order: reversed")
    assert parsed.date_format == "US MM/DD/YYYY"
    frame = parsed.frame
    assert list(frame.columns) == ["date", "open", "high", "low", "close", "volume"]
    assert frame["date"].is_monotonic_increasing and frame["date"].iloc[-1] == pd.Timestamp(
        "2025-10-08")
    assert frame.index.tolist() == list(range(249, -1, -1))  # rows of the file, newest first
    newest = real_rows("AAPL")[-1]
    assert frame.iloc[-1]["close"] == float(f"{float(newest[4]):.2f}")
    assert frame.iloc[-1]["volume"] == float(newest[5])


def test_read_when_a_value_needs_a_repair_then_read_as_float_reads_the_repaired_text():
    text = HEADER + ('2024-01-16,"$1,234.567890123456789",1.1,1.0,£1.05,"12,345"\n'
                     "2024-01-17, 0.1 ,1.1,1.0,1.05,null\n"
                     "2024-01-18,3.3e-1,1.1,1.0,1.05,2.5M\n")
    parsed = read(text)
    assert parsed.frame["open"].tolist() == [1234.567890123456789, 0.1, 0.33]
    assert parsed.frame["close"].tolist() == [1.05] * 3
    assert parsed.frame["volume"].tolist()[::2] == [12345.0, 2_500_000.0]
    assert np.isnan(parsed.frame["volume"].iloc[1])
    assert parsed.notes == ("'$' removed from 1 value", "'£' removed from 1 value",
                            "thousands separators ',' removed from 2 values",
                            "volume suffixes K/M/B expanded in 1 value",
                            "missing-value markers read as missing: 'null' (1)")


def test_read_when_a_value_is_still_not_a_number_then_the_column_is_text_for_the_schema():
    parsed = read(HEADER + ROWS.replace("20.15,998700", "$2O.15,998700").replace(
        "19.85,", "$19.85,"))
    assert parsed.frame["close"].tolist() == ["20.3", "$2O.15", "19.85"]
    assert parsed.frame["open"].dtype == "float64"


def test_read_when_semicolons_and_decimal_commas_then_each_value_as_float_of_the_text():
    rows = real_rows("KO", 40)
    text = "Date;Open;High;Low;Close;Volume\n" + "".join(
        ";".join([r[0], *(v.replace(".", ",") for v in r[1:])]) + "\n" for r in rows)
    parsed = read(text)
    assert parsed.delimiter == ";" and parsed.notes == ("decimal commas read as decimal points",)
    assert parsed.frame["close"].tolist() == [float(r[4]) for r in rows]


@pytest.mark.parametrize("header", [
    "date,open,high,low,close,volume", "DATE,OPEN,HIGH,LOW,CLOSE,VOLUME",
    " Date , Open , High , Low , Close , Volume ", "Datetime,Open,High,Low,Close,Volume",
    "timestamp,open,high,low,close,volume", "Date/Time,Open,High,Low,Close,Vol.",
    "Date,Open,High,Low,Close/Last,Volume", "<DATE>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>",
])
def test_read_when_a_vendors_spelling_of_the_columns_then_the_pipelines_names(header):
    frame = read(header + "\n" + ROWS).frame
    assert list(frame.columns) == ["date", "open", "high", "low", "close", "volume"]
    assert frame["close"].tolist() == [20.30, 20.15, 19.85]


@pytest.mark.parametrize("name", ["Adj Close", "adj_close", "Adj. Close", "adjclose",
                                  "Adj Close**"])
def test_read_when_an_adjusted_close_column_then_kept_as_adj_close(name):
    text = f"Date,Open,High,Low,Close,{name},Volume\n" + ROWS.replace(
        ",1204500", ",20.25,1204500").replace(",998700", ",20.10,998700").replace(
        ",1320400", ",19.80,1320400")
    frame = read(text).frame
    assert list(frame.columns)[-1] == "adj_close"
    assert frame["adj_close"].tolist() == [20.25, 20.10, 19.80]


def test_read_when_a_needed_column_is_missing_then_error_lists_columns_found_and_expected():
    message = refused("Date,Open,High,Low,Adj Close\n2024-01-16,1,2,0.5,1.5\n")
    assert message == ("prices/XYZ.csv: ticker XYZ: no close or volume column: the header "
                       "(line 1) has Date, Open, High, Low, Adj Close; expected "
                       "Date,Open,High,Low,Close,Volume in any case, or vendors' names for "
                       "them (Datetime, Close/Last, Price, Vol.)")


@pytest.mark.parametrize(("written", "date_format"), [
    ("2024-01-16", "ISO"), ("20240116", "YYYYMMDD"), ("2024/01/16", "YYYY/MM/DD"),
    ("01/16/2024", "US MM/DD/YYYY"), ("16/01/2024", "DD/MM/YYYY"), ("16.01.2024", "DD.MM.YYYY"),
    ('"Jan 16, 2024"', "Mon DD, YYYY"), ("January 16 2024", "Mon DD, YYYY"),
    ("16-Jan-2024", "DD-Mon-YYYY"), ("2024-01-16T00:00:00", "ISO with time"),
    ("2024-01-16 00:00:00-05:00", "ISO with time and UTC offset"),
])
def test_read_when_dates_in_a_known_format_then_calendar_dates_and_the_format_named(
        written, date_format):
    parsed = read(HEADER + f"{written},1,2,0.5,1.5,100\n")
    assert parsed.date_format == date_format and parsed.notes == ()
    assert parsed.frame["date"].tolist() == [pd.Timestamp("2024-01-16")]


def test_read_when_time_and_utc_offset_then_the_calendar_date_as_written_not_utc():
    parsed = read(HEADER + "2024-01-16 23:00:00-05:00,1,2,0.5,1.5,100\n"
                           "2024-01-17 23:00:00-05:00,1,2,0.5,1.5,100\n")
    assert parsed.frame["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-16", "2024-01-17"]


def test_read_when_day_and_month_ambiguous_then_error_lists_rows_with_their_dates():
    rows = "".join(f"01/{d:02d}/2024,1,2,0.5,1.5,100\n" for d in range(1, 13))
    message = refused(HEADER + rows)
    assert ("ambiguous dates: DD/MM/YYYY or MM/DD/YYYY, and no date has a field above 12 to "
            "tell the day from the month (rows 1 (01/01/2024), 2 (01/02/2024), ") in message
    assert "10 (01/10/2024) and 2 more); write the dates as YYYY-MM-DD" in message


def test_read_when_day_first_and_month_first_dates_mixed_then_error_names_both_with_rows():
    message = refused(HEADER + "13/01/2024,1,2,0.5,1.5,100\n01/14/2024,1,2,0.5,1.5,100\n")
    assert ("dates in more than one format: day first (DD/MM/YYYY) at row 1 (13/01/2024); "
            "month first (US MM/DD/YYYY) at row 2 (01/14/2024)") in message


def test_read_when_iso_and_us_dates_mixed_then_error_lists_the_odd_rows_with_their_values():
    message = refused(HEADER + ROWS + "01/19/2024,1,2,0.5,1.5,100\n01/22/2024,1,2,0.5,1.5,100\n")
    assert ("dates in column 'Date' in more than one format: YYYY-MM-DD in most rows, "
            "DD/MM/YYYY or MM/DD/YYYY at rows 4 (01/19/2024), 5 (01/22/2024)") in message


def test_read_when_a_date_is_not_a_date_then_the_column_is_text_for_the_schema():
    text = HEADER + ROWS.replace("2024-01-17", "01/32/2024").replace("2024-01-16", "01/16/2024")
    dates = read(text.replace("2024-01-18", "01/18/2024")).frame["date"]
    assert dates.tolist() == ["2024-01-16", "01/32/2024", "2024-01-18"]  # the dates as ISO


def test_read_when_only_a_few_rows_out_of_order_then_left_for_the_schema():
    lines = ROWS.splitlines(keepends=True)
    parsed = read(HEADER + lines[1] + lines[0] + lines[2])
    assert parsed.notes == () and parsed.frame.index.tolist() == [0, 1, 2]


def test_read_when_title_lines_blank_lines_repeated_header_and_footer_then_dropped_and_named():
    lines = ROWS.splitlines(keepends=True)
    text = ("Prices of XYZ\n\n" + HEADER + lines[0] + "\n" + HEADER + lines[1] + ",,,,,\n"
            + lines[2] + '"Data provided by Example, Inc."\n\n')
    parsed = read(text)
    assert parsed.notes == ("1 line before the header skipped ('Prices of XYZ')",
                            "2 blank lines skipped (file lines 5, 11)",
                            "1 repeated header row dropped (row 2)",
                            "1 empty row dropped (row 4)",
                            "1 footer row dropped: row 6 (Data provided by Example, Inc.)")
    assert parsed.frame.index.tolist() == [0, 2, 4]  # data rows of the file, from 0
    assert parsed.frame["close"].tolist() == [20.30, 20.15, 19.85]


def test_read_when_rows_have_other_field_counts_then_error_names_each_row_and_its_count():
    lines = ROWS.splitlines()
    text = HEADER + "\n".join([lines[0] + ",7", lines[1], lines[2][:20]]) + "\n"
    message = refused(text)
    assert message == ("prices/XYZ.csv: not a readable CSV file for ticker XYZ: the header has "
                       "6 fields, rows 1 (7 fields), 3 (3 fields): fix or remove those rows")


@pytest.mark.parametrize(("step", "kind", "spacing"), [
    ("W", "weekly bars", 7), ("MS", "monthly bars", 31)])
def test_read_when_bars_further_apart_than_daily_then_error_names_spacing_and_the_fix(
        step, kind, spacing):
    rows = "".join(f"{d:%Y-%m-%d},1,2,0.5,1.5,100\n"
                   for d in pd.date_range("2024-01-01", periods=12, freq=step))
    assert refused(HEADER + rows).endswith(
        f"ticker XYZ: {kind} (median spacing {spacing:g} days): the pipeline needs daily "
        f"bars; download daily data")


def minutes(day: str, prices: list[float]) -> str:
    stamps = pd.date_range(f"{day} 09:30", periods=len(prices), freq="min")
    return "".join(f"{s:%Y-%m-%d %H:%M:%S},{p},{p + 0.5},{p - 0.5},{p + 0.25},10\n"
                   for s, p in zip(stamps, prices))


def test_read_when_intraday_bars_then_refused_unless_resampled():
    text = "Datetime,Open,High,Low,Close,Volume\n" + minutes("2024-01-16", [10, 11, 9])
    assert ("intraday bars (1-minute bars, 3 rows a day, times in column 'Datetime'): the "
            "pipeline needs daily bars; download daily data") in refused(text)


def test_read_when_intraday_bars_resampled_then_first_open_max_high_min_low_last_close_summed():
    text = ("Datetime,Open,High,Low,Close,Volume\n"
            + "".join(reversed(minutes("2024-01-17", [20, 22, 21]).splitlines(keepends=True)))
            + minutes("2024-01-16", [10, 11, 9]))
    parsed = read(text, resample_intraday=True)
    assert parsed.frame.to_dict("list") == {
        "date": [pd.Timestamp("2024-01-16"), pd.Timestamp("2024-01-17")],
        "open": [10.0, 20.0], "high": [11.5, 22.5], "low": [8.5, 19.5], "close": [9.25, 21.25],
        "volume": [30.0, 30.0]}
    assert parsed.frame.index.tolist() == [3, 0]  # each day's first row in the file
    assert parsed.notes[-1] == ("1-minute bars aggregated to daily bars: 6 rows into 2 days "
                                "(first open, highest high, lowest low, last close, summed "
                                "volume)")


def test_read_when_no_header_then_error_quotes_the_first_line():
    assert refused(ROWS).endswith(
        "not a readable CSV file for ticker XYZ: no header line in the first 20 lines (first "
        "line: '2024-01-16,20.10,20.45,19.90,20.30,1204500'); expected a header "
        "Date,Open,High,Low,Close,Volume")


@pytest.mark.parametrize(("content", "note"), [
    (b"\xef\xbb\xbf" + (HEADER + ROWS).encode(), "UTF-8 byte-order mark skipped"),
    ("Kurse €\n".encode("cp1252") + (HEADER + ROWS).encode(), "not UTF-8: read as cp1252"),
    ((HEADER + ROWS).encode("utf-16"), "UTF-16 text: read as UTF-16"),
])
def test_read_when_not_plain_utf8_then_decoded_and_noted(content, note):
    parsed = read(content)
    assert note in parsed.notes and parsed.frame["close"].tolist() == [20.30, 20.15, 19.85]


def test_read_when_file_missing_then_source_error_names_it(tmp_path):
    with pytest.raises(SourceError, match=f"{tmp_path / 'XYZ.csv'}: no CSV file for ticker XYZ"):
        read_price_file(tmp_path / "XYZ.csv", "XYZ")


def test_read_when_windows_line_endings_and_quoted_fields_then_as_a_plain_file(tmp_path):
    path = tmp_path / "XYZ.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(
            [PLAIN, *(line.split(",") for line in ROWS.splitlines())])
    parsed = read_price_file(path, "XYZ")
    pd.testing.assert_frame_equal(parsed.frame, read(HEADER + ROWS).frame)
    assert parsed.notes == ()
