"""The csv source: a folder of <TICKER>.csv files, delivered as written."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib

import pytest

from momentum_pipeline.sources import LayoutError, SourceError
from momentum_pipeline.sources.csvdir import csv_path, fetch_csv
from tests.conftest import REAL_OHLCV, RESOURCES

OHLCV = RESOURCES / "ohlcv"
WHOLE_2024 = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def csv_rows(path):
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_fetch_csv_when_real_file_then_every_value_exactly_as_written():
    path = REAL_OHLCV / "AAPL.csv"
    fetched = fetch_csv(REAL_OHLCV, "AAPL", dt.date(2005, 1, 1), dt.date(2025, 10, 8))
    rows = csv_rows(path)
    assert len(fetched.frame) == len(rows)
    for column in ("open", "high", "low", "close", "volume"):
        # float(text) is the correctly rounded double of the text: the reference.
        assert fetched.frame[column].tolist() == [float(r[column.title()]) for r in rows]
    assert fetched.frame["date"].dt.strftime("%Y-%m-%d").tolist() == [r["Date"] for r in rows]


def test_fetch_csv_when_dates_outside_window_then_only_window_rows_keeping_file_row_numbers():
    fetched = fetch_csv(OHLCV, "AAA", dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    rows = csv_rows(OHLCV / "AAA.csv")
    february = [i for i, r in enumerate(rows) if r["Date"].startswith("2024-02")]
    assert fetched.frame.index.tolist() == february  # row positions in the file
    assert fetched.frame["date"].dt.strftime("%Y-%m-%d").tolist() == [
        rows[i]["Date"] for i in february]


def test_fetch_csv_when_ticker_has_a_class_then_dotted_file_name_found():
    fetched = fetch_csv(OHLCV, "BRK-B", *WHOLE_2024)
    assert fetched.ticker == "BRK-B" and fetched.details["file"] == str(OHLCV / "BRK.B.csv")


def test_fetch_csv_when_fetched_then_provenance_names_file_and_its_hash_and_not_sample():
    fetched = fetch_csv(OHLCV, "AAA", *WHOLE_2024)
    content = (OHLCV / "AAA.csv").read_bytes()
    assert {key: fetched.details[key] for key in ("file", "sha256", "layout")} == {
        "file": str(OHLCV / "AAA.csv"), "sha256": hashlib.sha256(content).hexdigest(),
        "layout": {"date_format": "ISO", "notes": [], "delimiter": ","}}
    assert fetched.source == "csv" and not fetched.sample_data and fetched.retrieved_at is None


def test_fetch_csv_when_columns_have_other_case_then_lower_case_names():
    assert list(fetch_csv(OHLCV, "AAA", *WHOLE_2024).frame.columns) == [
        "date", "open", "high", "low", "close", "volume"]


@pytest.mark.parametrize(("ticker", "message"), [
    ("NOSUCH", r"NOSUCH\.csv: no CSV file for ticker NOSUCH \(tried NOSUCH\.csv, in any case\)"),
    ("EMPTY", r"EMPTY\.csv: empty file, expected a header Date,Open,High,Low,Close,Volume"),
    ("HEADERONLY", r"HEADERONLY\.csv: header but no rows for ticker HEADERONLY"),
    ("RAGGED", r"RAGGED\.csv: not a readable CSV file for ticker RAGGED: the header has 6 "
               r"fields, row 2 \(7 fields\): fix or remove that row"),
    ("NOCLOSE", r"NOCLOSE\.csv: ticker NOCLOSE: no close column: the header \(line 1\) has "
                r"Date, Open, High, Low, Volume; expected Date,Open,High,Low,Close,Volume"),
])
def test_fetch_csv_when_file_missing_or_unreadable_then_source_error_names_the_file(
        ticker, message):
    with pytest.raises(SourceError, match=message):
        fetch_csv(OHLCV, ticker, *WHOLE_2024)


def test_fetch_csv_when_file_is_not_text_then_source_error_names_the_file(tmp_path):
    (tmp_path / "BIN.csv").write_bytes(b"\xff\xfe\x00\x01garbage\x00\n\x9c")
    with pytest.raises(SourceError, match=f"{tmp_path / 'BIN.csv'}: not a readable CSV file"):
        fetch_csv(tmp_path, "BIN", *WHOLE_2024)


def test_fetch_csv_when_values_malformed_then_delivered_unjudged_for_validation():
    for ticker in ("TEXTNUM", "UNSORTED", "DUPDATE", "NEGATIVE", "BADDATE"):
        assert len(fetch_csv(OHLCV, ticker, *WHOLE_2024).frame) >= 3


def test_fetch_csv_when_a_date_is_not_a_date_then_dates_kept_as_written():
    dates = fetch_csv(OHLCV, "BADDATE", *WHOLE_2024).frame["date"]
    assert [str(d) for d in dates] == ["2024-01-02", "2024-01-32", "2024-01-04"]


@pytest.mark.parametrize(("ticker", "file_name"), [
    ("^GSPC", "^GSPC.csv"), ("^GSPC", "GSPC.csv"), ("BRK-B", "BRK-B.csv"),
    ("BRK-B", "BRK.B.csv"), ("BRK-B", "BRK_B.csv"), ("BF-B", "bf.b.csv"), ("AAPL", "aapl.csv"),
])
def test_csv_path_when_index_class_or_other_case_then_the_file_is_found(tmp_path, ticker,
                                                                        file_name):
    (tmp_path / file_name).write_text("Date,Open,High,Low,Close,Volume\n")
    assert csv_path(tmp_path, ticker) == tmp_path / file_name


def test_csv_path_when_no_file_then_error_lists_the_names_tried(tmp_path):
    with pytest.raises(SourceError, match=r"BRK-B\.csv: no CSV file for ticker BRK-B "
                                          r"\(tried BRK-B\.csv, BRK\.B\.csv, BRK_B\.csv, "
                                          r"in any case\)"):
        csv_path(tmp_path, "BRK-B")


def test_fetch_csv_when_layout_not_daily_bars_then_layout_error_is_a_source_error(tmp_path):
    (tmp_path / "WEEKLY.csv").write_text("Date,Open,High,Low,Close,Volume\n" + "".join(
        f"2024-01-{d:02d},1,1,1,1,1\n" for d in (1, 8, 15, 22, 29)))
    with pytest.raises(LayoutError, match="weekly bars") as error:
        fetch_csv(tmp_path, "WEEKLY", *WHOLE_2024)
    assert isinstance(error.value, SourceError)
