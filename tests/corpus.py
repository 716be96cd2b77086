"""A corpus of the CSV layouts and defects people's price files have, made at test time.

Real prices are never stored in the repository: each case's file is written into a
temporary folder by a small function below, from the real bars in
``../shared/data/ohlcv/<T>.csv`` (:data:`tests.conftest.REAL_OHLCV`) or from a few
invented rows (``tests/resources/corpus/``, ``tests/resources/ohlcv/``). :data:`CASES`
is the manifest: each case, how it is made, and what reading it must give;
:func:`outcome_of` reads a file as the pipeline does and classifies the result.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from momentum_pipeline.sources import SourceError
from momentum_pipeline.sources.csvdir import fetch_csv
from momentum_pipeline.validation import SchemaMismatch, clean_prices
from tests.conftest import REAL_OHLCV, RESOURCES

START, RUN_DATE = dt.date(2000, 1, 1), dt.date(2025, 10, 8)
PLAIN = ["Date", "Open", "High", "Low", "Close", "Volume"]
#: Rows of real bars most cases take: the last year of the files (ending 2025-10-08).
RECENT = 250


# -- the outcome ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """What reading a file gave: ``accepted``, ``repaired`` or ``rejected``, and the text
    key words are looked for in (the error, or the notes and the layout found)."""

    kind: str
    detail: str


def outcome_of(path: Path, ticker: str, resample_intraday: bool = False) -> Outcome:
    """Read ``path`` as the pipeline does (``fetch_csv``, then the raw schema and the
    cleaning rules of ``clean_prices``) and classify: an error (a reject rule's too) is
    ``rejected``, a ``warn`` finding ``warned``, a layout note ``repaired``, anything
    else ``accepted``."""
    try:
        fetched = fetch_csv(path.parent, ticker, START, RUN_DATE,
                            resample_intraday=resample_intraday)
        _, report = clean_prices(fetched.frame, ticker, RUN_DATE, where=str(path))
    except (SourceError, SchemaMismatch) as error:
        return Outcome("rejected", str(error))
    layout = fetched.details["layout"]
    warnings = report.describe("warn")
    after = fetched.details["rows_after_run_date"]
    later = ([f"{after['count']} rows after the run date left out ({after['first']} to "
              f"{after['last']})"] if after["count"] else [])
    detail = "; ".join([*warnings, *layout["notes"], *later,
                        f"date format {layout['date_format']}",
                        f"delimiter {layout['delimiter']!r}", f"prices {report.price_basis}"])
    kind = "warned" if warnings else "repaired" if layout["notes"] else "accepted"
    return Outcome(kind, detail)


# -- building files ---------------------------------------------------------------------------

def real_rows(ticker: str = "AAPL", last: int | None = RECENT) -> list[list[str]]:
    """Rows of a real file (``Date, Open, High, Low, Close, Volume``), every value as
    written; the last ``last`` (all with ``None``)."""
    with (REAL_OHLCV / f"{ticker}.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    return rows[-last:] if last else rows


def write(folder: Path, name: str, header: list[str], rows: list[list[str]], *,
          delimiter: str = ",", newline: str = "\n", before: str = "", after: str = "",
          encoding: str = "utf-8", quoting: int = csv.QUOTE_MINIMAL) -> Path:
    """``folder/name`` with ``before`` (title lines), the header and rows, then ``after``."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator=newline, quoting=quoting)
    writer.writerow(header)
    writer.writerows(rows)
    path = folder / name
    path.write_bytes((before + text.getvalue() + after).encode(encoding))
    return path


def resource(relative: str, name: str) -> Callable[[Path], Path]:
    """A case made by copying a hand-made file of invented rows as ``name``."""
    def make(folder: Path) -> Path:
        return Path(shutil.copy(RESOURCES / relative, folder / name))
    make.__doc__ = f"tests/resources/{relative}"
    return make


def us_date(iso: str, separator: str = "/") -> str:
    return f"{iso[5:7]}{separator}{iso[8:10]}{separator}{iso[:4]}"


def day_first(iso: str, separator: str = "/") -> str:
    return f"{iso[8:10]}{separator}{iso[5:7]}{separator}{iso[:4]}"


def with_dates(rows: list[list[str]], write_date: Callable[[str], str]) -> list[list[str]]:
    return [[write_date(r[0]), *r[1:]] for r in rows]


def bars_by(rows: list[list[str]], period: str) -> list[list[str]]:
    """Daily rows aggregated by ``period`` (``W``, ``M``), dated by the first day, as a
    vendor's weekly or monthly download is."""
    frame = pd.DataFrame(rows, columns=PLAIN).astype({c: float for c in PLAIN[1:]})
    frame["Date"] = pd.to_datetime(frame["Date"])
    groups = frame.groupby(frame["Date"].dt.to_period(period))
    bars = groups.agg(Date=("Date", "first"), Open=("Open", "first"), High=("High", "max"),
                      Low=("Low", "min"), Close=("Close", "last"), Volume=("Volume", "sum"))
    return [[d.strftime("%Y-%m-%d"), *(repr(v) for v in values[:-1]), str(int(values[-1]))]
            for d, *values in bars.itertuples(index=False)]


def invented_minutes(days: list[str], minutes: int = 1) -> list[list[str]]:
    """Intraday bars of an invented price, every ``minutes`` from 09:30 to 16:00, New York
    time with its UTC offset, as yfinance writes them."""
    rng = np.random.default_rng(7)
    rows, price = [], 100.0
    for day in days:
        stamps = pd.date_range(f"{day} 09:30", f"{day} 15:59", freq=f"{minutes}min",
                               tz="America/New_York")
        for stamp in stamps.astype(str):
            move = rng.normal(0, 0.05, 3)
            open_, close = round(price, 2), round(price + move[0], 2)
            rows.append([stamp, f"{open_}", f"{max(open_, close) + abs(move[1]):.2f}",
                         f"{min(open_, close) - abs(move[2]):.2f}", f"{close}",
                         str(int(rng.integers(1_000, 50_000)))])
            price = close
    return rows


def yahoo_with_dividends(folder: Path) -> Path:
    """Yahoo's standard layout with dividends paid: OHLC only split-adjusted, Adj Close
    lower before each ex-date (a 1 % dividend each quarter)."""
    rows = real_rows("KO")
    factors = [0.99 ** ((len(rows) - 1 - i) // 63) for i in range(len(rows))]
    adjusted = [[*r[:5], repr(float(r[4]) * f), r[5]] for r, f in zip(rows, factors)]
    return write(folder, "KO.csv", [*PLAIN[:5], "Adj Close", "Volume"], adjusted)


def scaled_before(rows: list[list[str]], row: int, factor: float) -> list[list[str]]:
    """Prices of the rows before ``row`` multiplied by ``factor`` (volume kept)."""
    return [[r[0], *(repr(float(v) * factor) for v in r[1:5]), r[5]] if i < row else r
            for i, r in enumerate(rows)]


def unapplied_split(folder: Path) -> Path:
    """A 10:1 split the file never applied: prices before it ten times higher."""
    return write(folder, "KO.csv", PLAIN, scaled_before(real_rows("KO"), 120, 10.0))


def hundredfold_print(folder: Path) -> Path:
    """One close printed 100 times too high (a misplaced decimal point)."""
    rows = real_rows("KO")
    rows[150][2] = rows[150][4] = repr(float(rows[150][4]) * 100)
    return write(folder, "KO.csv", PLAIN, rows)


def overnight_gap(folder: Path) -> Path:
    """Prices halve overnight (-50 %): a real shock or a bad spin-off adjustment."""
    return write(folder, "KO.csv", PLAIN, scaled_before(real_rows("KO"), 120, 2.0))


def high_below_close(folder: Path) -> Path:
    """One bar whose high is below its close."""
    rows = real_rows("KO")
    rows[80][2] = repr(float(rows[80][4]) * 0.99)
    return write(folder, "KO.csv", PLAIN, rows)


def month_missing(folder: Path) -> Path:
    """Thirty sessions missing mid-file: a stale vendor gap, forward-filling would invent them."""
    rows = real_rows("KO")
    return write(folder, "KO.csv", PLAIN, rows[:100] + rows[130:])


def ends_early(folder: Path) -> Path:
    """The file stops a month before the run date (a delisting, a stale download)."""
    return write(folder, "KO.csv", PLAIN, real_rows("KO")[:-21])


def rows_after_run_date(folder: Path) -> Path:
    """Three rows dated after the run date (a file refreshed later than the run)."""
    rows = real_rows("KO")
    later = [[day, *rows[-1][1:]] for day in ("2025-10-09", "2025-10-10", "2025-10-13")]
    return write(folder, "KO.csv", PLAIN, rows + later)


# -- the cases: one function each, writing <TICKER>.csv into a folder ---------------------------

def yahoo_download(folder: Path) -> Path:
    """Yahoo's CSV download: Date, Open, High, Low, Close, Adj Close, Volume."""
    rows = [[*r[:5], r[4], r[5]] for r in real_rows("MSFT")]
    return write(folder, "MSFT.csv", [*PLAIN[:5], "Adj Close", "Volume"], rows)


def yfinance_to_csv(folder: Path, last: int | None = RECENT) -> Path:
    """yfinance's ``history().to_csv()``: midnight New York time with its UTC offset,
    then Dividends and Stock Splits."""
    rows = real_rows("AAPL", last)
    stamps = pd.DatetimeIndex([r[0] for r in rows]).tz_localize("America/New_York").astype(str)
    rows = [[stamp, *r[1:], "0.0", "0.0"] for stamp, r in zip(stamps, rows)]
    return write(folder, "AAPL.csv", [*PLAIN, "Dividends", "Stock Splits"], rows)


def nasdaq_export(folder: Path) -> Path:
    """Nasdaq.com's historical-data export: Close/Last first, '$' prices, MM/DD/YYYY dates,
    newest first."""
    rows = [[us_date(r[0]), f"${float(r[4]):.2f}", r[5], *(f"${float(v):.2f}" for v in r[1:4])]
            for r in reversed(real_rows("AAPL"))]
    return write(folder, "AAPL.csv", ["Date", "Close/Last", "Volume", "Open", "High", "Low"],
                 rows)


def investing_com(folder: Path) -> Path:
    """Investing.com's export: Price (the close), 'Vol.' with an M suffix, Change %, US
    dates, newest first, every field quoted."""
    rows = [[us_date(r[0]), f"{float(r[4]):.2f}", *(f"{float(v):.2f}" for v in r[1:4]),
             f"{int(r[5]) / 1e6:.2f}M", "0.00%"] for r in reversed(real_rows("JPM"))]
    return write(folder, "JPM.csv", ["Date", "Price", "Open", "High", "Low", "Vol.", "Change %"],
                 rows, quoting=csv.QUOTE_ALL)


def weekly_with_nulls(folder: Path) -> Path:
    """Yahoo's weekly download, with a week of 'null' values."""
    rows = bars_by(real_rows("KO"), "W")
    rows[10] = [rows[10][0], *["null"] * 5]
    return write(folder, "KO.csv", PLAIN, rows)


def monthly(folder: Path) -> Path:
    """Monthly bars."""
    return write(folder, "KO.csv", PLAIN, bars_by(real_rows("KO", 1000), "M"))


def intraday_minutes(folder: Path) -> Path:
    """yfinance's 1-minute bars (``Datetime`` column), two sessions of invented prices."""
    rows = invented_minutes(["2024-01-02", "2024-01-03"])
    return write(folder, "XYZ.csv", ["Datetime", *PLAIN[1:]], rows)


def intraday_date_and_time_columns(folder: Path) -> Path:
    """5-minute bars with the date and the time of day in two columns, US dates."""
    rows = [[us_date(r[0][:10]), r[0][11:16], *r[1:]]
            for r in invented_minutes(["2024-01-16", "2024-01-17"], minutes=5)]
    return write(folder, "XYZ.csv", ["Date", "Time", *PLAIN[1:]], rows)


def semicolon_decimal_commas(folder: Path) -> Path:
    """A European spreadsheet's export: ';' between fields, decimal commas, DD.MM.YYYY."""
    rows = [[day_first(r[0], "."), *(v.replace(".", ",") for v in r[1:])]
            for r in real_rows("MSFT")]
    return write(folder, "MSFT.csv", PLAIN, rows, delimiter=";")


def euro_prices(folder: Path) -> Path:
    """';' fields, '€' prices with decimal commas and '.' thousands separators."""
    rows = [[r[0], *(f"€{float(v):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
                     for v in r[1:5]), r[5]] for r in real_rows("COST")]
    return write(folder, "COST.csv", PLAIN, rows, delimiter=";")


def tab_separated(folder: Path) -> Path:
    """Tab between fields."""
    return write(folder, "KO.csv", PLAIN, real_rows("KO"), delimiter="\t")


def pipe_separated(folder: Path) -> Path:
    """'|' between fields."""
    return write(folder, "KO.csv", PLAIN, real_rows("KO"), delimiter="|")


def utf8_byte_order_mark(folder: Path) -> Path:
    """Excel's 'CSV UTF-8': a byte-order mark before the header."""
    return write(folder, "KO.csv", PLAIN, real_rows("KO"), before="\ufeff")


def utf16_tab_separated(folder: Path) -> Path:
    """Excel's 'Unicode text': UTF-16 with a byte-order mark, tab-separated."""
    return write(folder, "KO.csv", PLAIN, real_rows("KO"), delimiter="\t", encoding="utf-16")


def latin1_title(folder: Path) -> Path:
    """A title line in Windows-1252 (not UTF-8) above the header."""
    return write(folder, "KO.csv", PLAIN, real_rows("KO"), encoding="cp1252",
                 before="Coca-Cola Company – cours historiques (€ non, $ oui)\n")


def title_line(folder: Path) -> Path:
    """A title line above the header."""
    return write(folder, "KO.csv", PLAIN, real_rows("KO"), before="KO Historical Prices\n")


def footer(folder: Path) -> Path:
    """A 'Data provided by' line after the last row."""
    return write(folder, "KO.csv", PLAIN, real_rows("KO"),
                 after="Data provided by Example Market Data, delayed 15 minutes\n")


def totals_footer(folder: Path) -> Path:
    """A totals line after the last row."""
    rows = real_rows("KO")
    total = str(sum(int(r[5]) for r in rows))
    return write(folder, "KO.csv", PLAIN, [*rows, ["Total", "", "", "", "", total]])


def repeated_header(folder: Path) -> Path:
    """Downloads pasted one after the other: the header again every 100 rows."""
    rows = real_rows("KO")
    for at in (200, 100):
        rows.insert(at, PLAIN)
    return write(folder, "KO.csv", PLAIN, rows)


def dollar_prices(folder: Path) -> Path:
    """'$' before every price."""
    rows = [[r[0], *(f"${v}" for v in r[1:5]), r[5]] for r in real_rows("KO")]
    return write(folder, "KO.csv", PLAIN, rows)


def thousands_separators(folder: Path) -> Path:
    """Prices and volume with ',' thousands separators, quoted."""
    rows = [[r[0], *(f"{float(v):,.2f}" for v in r[1:5]), f"{int(r[5]):,}"]
            for r in real_rows("COST")]
    return write(folder, "COST.csv", PLAIN, rows)


def descending(folder: Path) -> Path:
    """Newest first."""
    return write(folder, "KO.csv", PLAIN, real_rows("KO")[::-1])


def day_month_dates(folder: Path) -> Path:
    """DD/MM/YYYY dates (a day above 12 decides)."""
    return write(folder, "KO.csv", PLAIN, with_dates(real_rows("KO"), day_first))


def month_day_dates(folder: Path) -> Path:
    """MM/DD/YYYY dates (a day above 12 decides)."""
    return write(folder, "KO.csv", PLAIN, with_dates(real_rows("KO"), us_date))


def mixed_iso_and_us_dates(folder: Path) -> Path:
    """ISO dates, two of them written MM/DD/YYYY."""
    rows = real_rows("KO")
    for i in (16, 17):
        rows[i][0] = us_date(rows[i][0])
    return write(folder, "KO.csv", PLAIN, rows)


def month_name_dates(folder: Path) -> Path:
    """Yahoo's web table copied: 'Oct 07, 2025'."""
    rows = with_dates(real_rows("KO"), lambda d: dt.date.fromisoformat(d).strftime("%b %d, %Y"))
    return write(folder, "KO.csv", PLAIN, rows)


def day_month_name_dates(folder: Path) -> Path:
    """'07-Oct-2025'."""
    rows = with_dates(real_rows("KO"), lambda d: dt.date.fromisoformat(d).strftime("%d-%b-%Y"))
    return write(folder, "KO.csv", PLAIN, rows)


def compact_dates(folder: Path) -> Path:
    """YYYYMMDD dates."""
    return write(folder, "KO.csv", PLAIN, with_dates(real_rows("KO"), lambda d: d.replace("-", "")))


def slashed_iso_dates(folder: Path) -> Path:
    """YYYY/MM/DD dates."""
    rows = with_dates(real_rows("KO"), lambda d: d.replace("-", "/"))
    return write(folder, "KO.csv", PLAIN, rows)


def missing_value_markers(folder: Path) -> Path:
    """'null', 'N/A' and '-' for missing values, and an empty field."""
    rows = real_rows("KO")
    rows[20][2], rows[40][4], rows[60][5], rows[80][1] = "null", "N/A", "-", ""
    return write(folder, "KO.csv", PLAIN, rows)


def empty_rows(folder: Path) -> Path:
    """Rows of empty fields, as a spreadsheet saves its blank rows."""
    rows = real_rows("KO")
    rows[50:50] = [[""] * 6, [""] * 6]
    return write(folder, "KO.csv", PLAIN, rows)


def extra_columns(folder: Path) -> Path:
    """Columns the pipeline does not use: Ticker, Dividends, Change %."""
    rows = [["KO", *r, "0", "0.1%"] for r in real_rows("KO")]
    return write(folder, "KO.csv", ["Ticker", *PLAIN, "Dividends", "Change %"], rows)


def other_column_order(folder: Path) -> Path:
    """The columns in another order."""
    order = [0, 5, 4, 1, 3, 2]
    return write(folder, "KO.csv", [PLAIN[i] for i in order],
                 [[r[i] for i in order] for r in real_rows("KO")])


def lower_case_header(folder: Path) -> Path:
    """date,open,high,low,close,volume (and adj_close, as pandas writes it)."""
    rows = [[*r[:5], r[4], r[5]] for r in real_rows("KO")]
    return write(folder, "KO.csv", [*(c.lower() for c in PLAIN[:5]), "adj_close", "volume"], rows)


def upper_case_header(folder: Path) -> Path:
    """DATE,OPEN,HIGH,LOW,CLOSE,VOLUME with spaces around the names."""
    return write(folder, "KO.csv", [f" {c.upper()} " for c in PLAIN], real_rows("KO"))


def windows_line_endings(folder: Path) -> Path:
    """CR LF line endings."""
    return write(folder, "KO.csv", PLAIN, real_rows("KO"), newline="\r\n")


def trailing_blank_lines(folder: Path) -> Path:
    """Blank lines after the last row."""
    return write(folder, "KO.csv", PLAIN, real_rows("KO"), after="\n\n\n")


def spaces_around_values(folder: Path) -> Path:
    """Spaces around every value, as fixed-width exports pad them."""
    rows = [[f" {v} " for v in r] for r in real_rows("KO")]
    return write(folder, "KO.csv", PLAIN, rows)


def index_without_caret(folder: Path) -> Path:
    """An index's file without its '^' (GSPC.csv for ^GSPC)."""
    return write(folder, "GSPC.csv", PLAIN, real_rows("SPY"))


def class_with_underscore(folder: Path) -> Path:
    """A share class with '_' in the file name (BRK_B.csv for BRK-B), lower case."""
    return write(folder, "brk_b.csv", PLAIN, real_rows("BRK-B"))


def missing_close(folder: Path) -> Path:
    """No Close column (only Adj Close)."""
    rows = [[*r[:4], r[4], r[5]] for r in real_rows("KO")]
    return write(folder, "KO.csv", [*PLAIN[:4], "Adj Close", "Volume"], rows)


def binary_file(folder: Path) -> Path:
    """Not text: a spreadsheet saved as .xlsx under a .csv name."""
    path = folder / "KO.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)))
    return path


@dataclass(frozen=True)
class Case:
    """One layout or defect: the file ``make`` writes into a folder (``make``'s docstring
    says what it is), the ``ticker`` read, the expected outcome and its key words."""

    name: str
    make: Callable[[Path], Path]
    ticker: str
    outcome: str
    words: tuple[str, ...] = ()
    resample_intraday: bool = False


CASES = [
    # accepted: read as written, no repair
    Case("yahoo download with Adj Close", yahoo_download, "MSFT", "accepted", ("ISO",)),
    Case("yfinance to_csv", yfinance_to_csv, "AAPL", "accepted",
         ("ISO with time and UTC offset",)),
    Case("tab-separated", tab_separated, "KO", "accepted", ("'\\t'",)),
    Case("pipe-separated", pipe_separated, "KO", "accepted", ("'|'",)),
    Case("DD/MM/YYYY, a day above 12", day_month_dates, "KO", "accepted", ("DD/MM/YYYY",)),
    Case("MM/DD/YYYY, a day above 12", month_day_dates, "KO", "accepted", ("US MM/DD/YYYY",)),
    Case("month names: Oct 07, 2025", month_name_dates, "KO", "accepted", ("Mon DD, YYYY",)),
    Case("month names: 07-Oct-2025", day_month_name_dates, "KO", "accepted", ("DD-Mon-YYYY",)),
    Case("YYYYMMDD", compact_dates, "KO", "accepted", ("YYYYMMDD",)),
    Case("YYYY/MM/DD", slashed_iso_dates, "KO", "accepted", ("YYYY/MM/DD",)),
    Case("extra columns", extra_columns, "KO", "accepted"),
    Case("columns in another order", other_column_order, "KO", "accepted"),
    Case("lower-case header", lower_case_header, "KO", "accepted"),
    Case("upper-case header with spaces", upper_case_header, "KO", "accepted"),
    Case("Windows line endings", windows_line_endings, "KO", "accepted"),
    Case("spaces around values", spaces_around_values, "KO", "accepted"),
    Case("Yahoo layout, dividends in Adj Close", yahoo_with_dividends, "KO", "accepted",
         ("prices adjusted close: open, high, low and close scaled by adj_close / close",)),
    Case("rows after the run date", rows_after_run_date, "KO", "accepted",
         ("3 rows after the run date left out (2025-10-09 to 2025-10-13)",)),
    Case("share class file with '_', lower case", class_with_underscore, "BRK-B", "accepted"),
    # warned: used, and a person is told (the report shows it; recent findings are alerted)
    Case("index file without '^' (SPY's ends a session early)", index_without_caret, "^GSPC",
         "warned", ("stale_last_session (flagged): 1 (2025-10-07)",)),
    Case("overnight gap of 50 %", overnight_gap, "KO", "warned",
         ("suspicious_jumps (flagged): 1",)),
    Case("high below close", high_below_close, "KO", "warned", ("ohlc_repaired (repaired): 1",)),
    Case("file ends a month early", ends_early, "KO", "warned",
         ("stale_last_session (flagged): 1 (2025-09-09)",)),
    Case("missing-value markers", missing_value_markers, "KO", "warned",
         ("missing_sessions (filled): 4",
          "missing-value markers read as missing: 'null' (1), 'N/A' (1), '-' (1)")),
    Case("1-minute bars aggregated", intraday_minutes, "XYZ", "warned",
         ("1-minute bars aggregated to daily bars: 780 rows into 2 days",),
         resample_intraday=True),
    # repaired: read, with every repair in the notes
    Case("Nasdaq export", nasdaq_export, "AAPL", "repaired",
         ("'$' removed from 1,000 values", "descending order: reversed", "US MM/DD/YYYY")),
    Case("Investing.com export", investing_com, "JPM", "repaired",
         ("volume suffixes K/M/B expanded in 250 values", "reversed")),
    Case("';' with decimal commas", semicolon_decimal_commas, "MSFT", "repaired",
         ("decimal commas read as decimal points", "DD.MM.YYYY", "';'")),
    Case("'€' prices, '.' thousands", euro_prices, "COST", "repaired",
         ("'€' removed from 1,000 values", "thousands separators '.'")),
    Case("UTF-8 byte-order mark", utf8_byte_order_mark, "KO", "repaired", ("byte-order mark",)),
    Case("UTF-16, tab-separated", utf16_tab_separated, "KO", "repaired", ("UTF-16",)),
    Case("Windows-1252 title line", latin1_title, "KO", "repaired",
         ("not UTF-8: read as cp1252", "1 line before the header skipped")),
    Case("title line", title_line, "KO", "repaired",
         ("1 line before the header skipped ('KO Historical Prices')",)),
    Case("'Data provided by' footer", footer, "KO", "repaired",
         ("1 footer row dropped: row 251 (Data provided by",)),
    Case("totals footer", totals_footer, "KO", "repaired", ("1 footer row dropped: row 251",)),
    Case("repeated header", repeated_header, "KO", "repaired",
         ("2 repeated header rows dropped (rows 101, 202)",)),
    Case("'$' prices", dollar_prices, "KO", "repaired", ("'$' removed from 1,000 values",)),
    Case("thousands separators", thousands_separators, "COST", "repaired",
         ("thousands separators ','",)),
    Case("newest first", descending, "KO", "repaired", ("dates in descending order: reversed",)),
    Case("rows of empty fields", empty_rows, "KO", "repaired", ("2 empty rows dropped",)),
    Case("trailing blank lines", trailing_blank_lines, "KO", "repaired",
         ("3 blank lines skipped (file lines 252, 253, 254)",)),
    # rejected: what is wrong, where, and the fix
    Case("unapplied 10:1 split", unapplied_split, "KO", "rejected",
         ("extreme_jumps (flagged): 1", ": x0.1", "--validation-severity")),
    Case("one close printed 100x", hundredfold_print, "KO", "rejected",
         ("extreme_jumps (flagged): 2", "close 7095 after 70.56: x101")),
    Case("a month of sessions missing", month_missing, "KO", "rejected",
         ("sparse_history (flagged): 30",)),
    Case("weekly Yahoo download with 'null'", weekly_with_nulls, "KO", "rejected",
         ("weekly bars (median spacing 7 days): the pipeline needs daily bars; "
          "download daily data",)),
    Case("monthly bars", monthly, "KO", "rejected", ("monthly bars",)),
    Case("1-minute bars", intraday_minutes, "XYZ", "rejected",
         ("intraday bars (1-minute bars, 390 rows a day", "download daily data")),
    Case("5-minute bars, date and time columns", intraday_date_and_time_columns, "XYZ",
         "rejected", ("intraday bars (5-minute bars, 78 rows a day",)),
    Case("ambiguous DD/MM or MM/DD", resource("corpus/ambiguous_dates.csv", "ABC.csv"), "ABC",
         "rejected", ("ambiguous dates", "rows 1 (01/02/2024), 2 (01/03/2024)",
                      "write the dates as YYYY-MM-DD")),
    Case("ISO and US dates mixed", mixed_iso_and_us_dates, "KO", "rejected",
         ("more than one format", "MM/DD/YYYY at rows 17 (", "), 18 (")),
    Case("spreadsheet serial dates", resource("corpus/serial_dates.csv", "ABC.csv"), "ABC",
         "rejected", ("in no known format", "rows 1 (45293), 2 (45294)")),
    Case("no header line", resource("corpus/no_header.csv", "ABC.csv"), "ABC", "rejected",
         ("no header line in the first 20 lines",)),
    Case("no Close column", missing_close, "KO", "rejected",
         ("no close column: the header (line 1) has Date, Open, High, Low, Adj Close, Volume",)),
    Case("text in a price", resource("ohlcv/TEXTNUM.csv", "ABC.csv"), "ABC", "rejected",
         ("column 'close': not readable as float64 at row 3 (51.O6)",)),
    Case("a date that is not a date", resource("ohlcv/BADDATE.csv", "ABC.csv"), "ABC",
         "rejected", ("column 'date': not readable as datetime64[ns] at row 2 (2024-01-32)",)),
    Case("negative price", resource("ohlcv/NEGATIVE.csv", "ABC.csv"), "ABC", "rejected",
         ("greater_than(0) at row 3 (-51.06)",)),
    Case("a few rows out of order", resource("ohlcv/UNSORTED.csv", "ABC.csv"), "ABC",
         "rejected", ("dates not in ascending order at row 4 (2024-01-04)",)),
    Case("empty file", resource("ohlcv/EMPTY.csv", "ABC.csv"), "ABC", "rejected",
         ("empty file",)),
    Case("header only", resource("ohlcv/HEADERONLY.csv", "ABC.csv"), "ABC", "rejected",
         ("header but no rows",)),
    Case("ragged row", resource("ohlcv/RAGGED.csv", "ABC.csv"), "ABC", "rejected",
         ("the header has 6 fields, row 2 (7 fields)",)),
    Case("not text", binary_file, "KO", "rejected", ("not a readable CSV file", "binary")),
]
