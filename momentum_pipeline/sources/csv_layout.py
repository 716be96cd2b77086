"""What shape a price file is and how to read it.

Vendors write daily bars in many layouts: a title line above the header, ``;`` or tab
delimiters (with decimal commas), ``Close/Last``, ``Adj Close`` or ``Vol.`` for the
columns, ``$`` and thousands separators in prices, US or European dates, newest first,
footers, weekly or intraday bars. :func:`read_price_file` finds the layout from the
header and a sample of rows, reads the bars into the pipeline's columns and says what it
repaired; a layout it cannot read as daily bars is a :class:`LayoutError` naming the
file, the ticker, what was found and the fix. Judging the values (positive prices,
sorted dates) is the raw schema's job, in validation.

A plain file goes through Arrow's CSV parser: fast, and every float correctly rounded
(what ``float(text)`` reads). A file Arrow cannot convert (a ``$``, a repeated header,
a footer) is read value by value with ``float()`` after the repairs; a value still not a
number is kept as text so the schema names its row and value.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from momentum_pipeline.sources import LayoutError, SourceError, quote_rows

#: The pipeline's columns and vendors' names for them, normalised by :func:`_normalised`
#: (``Close/Last`` -> ``closelast``, ``Adj. Close`` -> ``adjclose``), preferred first.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "date": ("date", "datetime", "timestamp", "time", "tradedate"),
    "open": ("open", "openprice"),
    "high": ("high", "highprice"),
    "low": ("low", "lowprice"),
    "close": ("close", "closelast", "closeprice", "last", "price"),
    "adj_close": ("adjclose", "adjustedclose"),
    "volume": ("volume", "vol", "totalvolume"),
}
NEEDED = ("date", "open", "high", "low", "close", "volume")
NUMBERS = ("open", "high", "low", "close", "volume", "adj_close")
PLAIN_HEADER = "Date,Open,High,Low,Close,Volume"
DELIMITERS = (",", ";", "\t", "|")
#: The header is looked for in this many lines (title lines may come first).
HEADER_SEARCH_LINES = 20
#: Rows from each end of the file that decide the date format and the decimal mark.
SAMPLE_ROWS = 50
#: Text standing for a missing number (besides an empty field and ``nan``), lower case.
MISSING_MARKERS = frozenset({"null", "n/a", "na", "-", "--", "none", "nil", "#n/a"})
CURRENCY_SIGNS = "$€£¥"
VOLUME_SUFFIXES = {"k": 10**3, "m": 10**6, "b": 10**9}
#: Median days between bars above which a file is not daily.
MAX_DAILY_SPACING_DAYS = 4


@dataclass(frozen=True)
class ParsedPrices:
    """A price file read into the pipeline's columns.

    ``frame``: ``date`` (calendar dates), ``open, high, low, close, volume`` and
    ``adj_close`` when the file has one; datetime64 and float64 when every value is read,
    else text for the schema to name what is not (the readable values as exact text: ISO
    dates, ``repr`` of floats). The index is each row's position among the file's data
    rows (0 = first), kept through reordering, so errors name rows of the file.
    ``notes``: every repair, one sentence each. ``date_format``, ``delimiter``: as found.
    """

    frame: pd.DataFrame
    notes: tuple[str, ...]
    date_format: str
    delimiter: str = ","


@dataclass(frozen=True)
class Header:
    """The header line: where it is, how it splits, which field holds which column."""

    line: int  # 0-based line of the file
    delimiter: str
    names: tuple[str, ...]
    fields: dict[str, int]  # pipeline column -> field; "time": a separate time-of-day field


@dataclass(frozen=True)
class DateFormat:
    """A way of writing dates: ``pattern`` has groups ``y``, ``m`` (a number or a month
    name) and ``d``, or ``a`` and ``b`` for day and month in an order the values decide."""

    name: str
    shape: str
    pattern: str

    @property
    def order_by_values(self) -> bool:
        return "(?P<a>" in self.pattern

    @property
    def month_names(self) -> bool:
        return "[A-Za-z]" in self.pattern

    @property
    def full(self) -> str:
        """The whole field: the date, maybe a time of day and a UTC offset."""
        return rf"^\s*{self.pattern}{TIME_OF_DAY}\s*$"


TIME_OF_DAY = (r"(?:[ T](?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
               r"(?:\s*(?P<zone>Z|UTC|[+-]\d{2}:?\d{2}))?)?")
ISO = DateFormat("ISO", "YYYY-MM-DD", r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
DATE_FORMATS = (
    ISO,
    DateFormat("YYYY/MM/DD", "YYYY/MM/DD", r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})"),
    DateFormat("YYYYMMDD", "YYYYMMDD", r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
    *(DateFormat(f"DD{s}MM{s}YYYY or US MM{s}DD{s}YYYY", f"DD{s}MM{s}YYYY or MM{s}DD{s}YYYY",
                 rf"(?P<a>\d{{1,2}}){re.escape(s)}(?P<b>\d{{1,2}}){re.escape(s)}(?P<y>\d{{4}})")
      for s in "/.-"),
    DateFormat("Mon DD, YYYY", "Jan 03, 2000",
               r"(?P<m>[A-Za-z]{3,9})\.? (?P<d>\d{1,2}),? (?P<y>\d{4})"),
    DateFormat("DD-Mon-YYYY", "03-Jan-2000",
               r"(?P<d>\d{1,2})[- ](?P<m>[A-Za-z]{3,9})\.?[- ](?P<y>\d{4})"),
)
_DATE_REGEX = {f: re.compile(f.full) for f in DATE_FORMATS}
_LOOKS_LIKE_A_DATE = re.compile("|".join(re.sub(r"[?]P<\w+>", "?:", f.full)
                                         for f in DATE_FORMATS))
_MIDNIGHT = re.compile(r"(?:0?0:00(?::00(?:\.0+)?)?)?")
MONTHS = pa.array(["jan", "feb", "mar", "apr", "may", "jun",
                   "jul", "aug", "sep", "oct", "nov", "dec"])
_THOUSANDS = {".": re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?"),
              ",": re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?")}
_DECIMAL_COMMA = re.compile(
    rf"\s*[+-]?[{CURRENCY_SIGNS}]?\s*[\d.]*\d,\d+\s*[{CURRENCY_SIGNS}]?\s*")
_CURRENCY = re.compile(rf"([+-]?)\s*([{CURRENCY_SIGNS}])\s*(.+)|(.+?)\s*([{CURRENCY_SIGNS}])")
_SUFFIXED = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*([kKmMbB])")


def _normalised(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _quoted(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _plural(count: int, thing: str) -> str:
    return f"{count:,} {thing}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class _Reading:
    """The file being read and its ticker, for errors."""

    where: str
    ticker: str

    def refuse(self, problem: str) -> LayoutError:
        return LayoutError(f"{self.where}: ticker {self.ticker}: {problem}")

    def unreadable(self, problem: str) -> LayoutError:
        return LayoutError(f"{self.where}: not a readable CSV file for ticker {self.ticker}: "
                           f"{problem}")


# -- text and header ----------------------------------------------------------------------

def _decode(content: bytes, reading: _Reading) -> tuple[str, bytes | None, list[str]]:
    """The file's text, its UTF-8 bytes when they are the file's (``None`` when the text
    was decoded from another encoding), and a note when the encoding was not plain UTF-8."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16"), None, ["UTF-16 text: read as UTF-16"]
        except UnicodeDecodeError:
            raise reading.unreadable("starts with a UTF-16 byte-order mark but is not "
                                     "UTF-16 text") from None
    if b"\x00" in content[:4096]:
        raise reading.unreadable("binary content (NUL bytes), expected text with a header "
                                 f"{PLAIN_HEADER}")
    notes = []
    if content.startswith(codecs.BOM_UTF8):
        content = content[len(codecs.BOM_UTF8):]
        notes.append("UTF-8 byte-order mark skipped")
    try:
        return content.decode("utf-8"), content, notes
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1252", "latin-1"):  # cp1252 has the euro sign; latin-1 takes any byte
        try:
            return content.decode(encoding), None, [*notes, f"not UTF-8: read as {encoding}"]
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _columns(names: Sequence[str]) -> dict[str, int]:
    """Pipeline column -> field, by the most preferred spelling present."""
    normalised = [_normalised(n) for n in names]
    fields = {}
    for column, spellings in COLUMN_NAMES.items():
        found = [(spellings.index(n), i) for i, n in enumerate(normalised) if n in spellings]
        if found:
            fields[column] = min(found)[1]
    if "time" in normalised and normalised.index("time") != fields.get("date"):
        fields["time"] = normalised.index("time")  # a time of day beside the date
    return fields


def _find_header(lines: Sequence[str], reading: _Reading) -> Header:
    """The first line naming at least three of the pipeline's columns, split by the
    delimiter that names the most."""
    for number, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        best = max(DELIMITERS, key=lambda d: len(_columns(_split(line, d))))
        names = tuple(n.strip() for n in _split(line, best))
        fields = _columns(names)
        if len(fields) >= 3:
            missing = [c for c in NEEDED if c not in fields]
            if missing:
                raise reading.refuse(
                    f"no {' or '.join(missing)} column: the header (line {number + 1}) has "
                    f"{', '.join(names)}; expected {PLAIN_HEADER} in any case, or vendors' "
                    f"names for them (Datetime, Close/Last, Price, Vol.)")
            return Header(number, best, names, fields)
    first = next((line for line in lines if line.strip()), "")
    raise reading.unreadable(
        f"no header line in the first {HEADER_SEARCH_LINES} lines (first line: "
        f"'{_quoted(first.strip())}'); expected a header {PLAIN_HEADER}")


def _has_decimal_commas(lines: Sequence[str], header: Header) -> bool:
    if header.delimiter == ",":
        return False
    prices = [header.fields[c] for c in ("open", "high", "low", "close")]
    for line in lines[header.line + 1:header.line + 1 + SAMPLE_ROWS]:
        fields = _split(line, header.delimiter)
        if any(i < len(fields) and _DECIMAL_COMMA.fullmatch(fields[i]) for i in prices):
            return True
    return False


# -- the rows -----------------------------------------------------------------------------

@dataclass
class _Rows:
    """The data rows as read, before dates, order and frequency are decided."""

    dates: pa.Array  # the date field as written (with the time field, if separate)
    numbers: pd.DataFrame  # pipeline column -> float64, or object with the unreadable text
    notes: list[str]


def _with_time(dates: pa.Array, times: pa.Array | None) -> pa.Array:
    if times is None:
        return dates
    joined = pc.binary_join_element_wise(dates, times, " ", null_handling="skip")
    return pc.if_else(dates.is_valid(), joined, pa.scalar(None, pa.string()))


def _read_plain(data: bytes, header: Header, decimal: str) -> _Rows | None:
    """Arrow's reading of a file of plain numbers; ``None`` for anything else."""
    names = [f"f{i}" for i in range(len(header.names))]
    types = {names[i]: pa.string() if c in ("date", "time") else pa.float64()
             for c, i in header.fields.items()}
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=header.delimiter),
            convert_options=pacsv.ConvertOptions(
                column_types=types, include_columns=list(types), null_values=[""],
                strings_can_be_null=True, decimal_point=decimal))
    except pa.ArrowInvalid:
        return None
    fields = header.fields
    numbers = {c: names[fields[c]] for c in NUMBERS if c in fields}
    frame = table.select(list(numbers.values())).to_pandas()
    frame.columns = list(numbers)
    dates = table.column(names[fields["date"]]).combine_chunks()
    times = table.column(names[fields["time"]]).combine_chunks() if "time" in fields else None
    return _Rows(_with_time(dates, times), frame, _blank_lines(data, header.line, len(frame)))


def _blank_lines(data: bytes, header_line: int, rows: int) -> list[str]:
    """A note naming the empty lines Arrow skipped (file lines counted from 1) among the
    header and ``rows`` data rows of ``data``."""
    if data.count(b"\n") == 1 + rows - (not data.endswith(b"\n")):  # one line a row: none
        return []
    ends = [m.start() for m in re.finditer(rb"\n(?=\r?\n)", data)]
    return _blank_note([header_line + data.count(b"\n", 0, end) + 2 for end in ends])


def _blank_note(lines: list[int]) -> list[str]:
    return [f"{_plural(len(lines), 'blank line')} skipped "
            f"({quote_rows(lines, noun='file line')})"] if lines else []


def _footer_length(dates: Sequence[str | None]) -> int:
    """How many rows at the end have text that is not a date in the date field (``Data
    provided by ...``, a totals line), when some row before them has a date."""
    count = 0
    for text in reversed(dates):
        if text is None or _LOOKS_LIKE_A_DATE.match(text):
            break
        count += 1
    return count if count < len(dates) else 0


def _read_by_value(body: str, header: Header, decimal: str, reading: _Reading) -> _Rows:
    """Every row with Python's CSV reader and ``float()``, making the repairs, for a file
    Arrow could not read as plain numbers."""
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=header.delimiter)
    next(reader)  # the header
    width, at = len(header.names), header.fields["date"]
    header_date = _normalised(header.names[at])
    rows: list[list[str]] = []
    blank: list[int] = []
    for fields in reader:
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            blank.append(header.line + reader.line_num)
            continue
        rows.append(fields)
    notes = _blank_note(blank)

    def date_text(fields: list[str]) -> str | None:
        date = fields[at].strip() if at < len(fields) else ""
        if len(fields) != width and not _LOOKS_LIKE_A_DATE.match(date):
            return header.delimiter.join(fields).strip()  # a footer's whole text, for its note
        return date or None

    footer = _footer_length([date_text(f) for f in rows])
    ragged = [(i + 1, len(f)) for i, f in enumerate(rows[:len(rows) - footer])
              if len(f) != width]
    if ragged:
        raise reading.unreadable(
            f"the header has {width} fields, "
            f"{quote_rows([r for r, _ in ragged], [f'{n} fields' for _, n in ragged])}: "
            f"fix or remove {'that row' if len(ragged) == 1 else 'those rows'}")
    for i in range(len(rows) - footer, len(rows)):
        text = date_text(rows[i])
        rows[i] = [""] * width
        rows[i][at] = text or ""
    repeated = [i for i, f in enumerate(rows) if _normalised(f[at]) == header_date]
    if repeated:
        notes.append(f"{_plural(len(repeated), 'repeated header row')} dropped "
                     f"({quote_rows([i + 1 for i in repeated])})")
    keep = np.setdiff1d(np.arange(len(rows)), repeated)
    repairs: Counter = Counter()
    numbers = pd.DataFrame(
        {c: _numbers([rows[i][header.fields[c]] for i in keep], decimal, c == "volume", repairs)
         for c in NUMBERS if c in header.fields}, index=keep)
    notes += _repair_notes(repairs)
    dates = pa.array([rows[i][at].strip() or None for i in keep], pa.string())
    times = (pa.array([rows[i][header.fields["time"]].strip() or None for i in keep],
                      pa.string()) if "time" in header.fields else None)
    return _Rows(_with_time(dates, times), numbers, notes)


def _numbers(texts: list[str], decimal: str, volume: bool, repairs: Counter) -> list | np.ndarray:
    """float64 when every text is a number after the repairs; else text (what the schema
    reads, and what parquet stores): the shortest exact text of each number, the
    unreadable text as written."""
    values = [_number(t, decimal, volume, repairs) for t in texts]
    if all(isinstance(v, float) for v in values):
        return np.array(values, dtype="float64")
    return [v if isinstance(v, str) else None if np.isnan(v) else repr(v) for v in values]


def _number(text: str, decimal: str, volume: bool, repairs: Counter) -> float | str:
    """What ``float()`` reads from ``text`` after removing a currency sign and thousands
    separators (each counted in ``repairs``); ``text`` itself when it is still not a number."""
    value = text.strip()
    if not value:
        return float("nan")
    if value[0] in CURRENCY_SIGNS or value[-1] in CURRENCY_SIGNS or value[1:2] in CURRENCY_SIGNS:
        currency = _CURRENCY.fullmatch(value)
        if currency:
            sign, symbol, rest, before, after = currency.groups()
            value, symbol = (sign + rest, symbol) if symbol else (before, after)
            repairs["currency", symbol] += 1
    separator = "," if decimal == "." else "."
    if separator in value and _THOUSANDS[decimal].fullmatch(value):
        value = value.replace(separator, "")
        repairs["thousands", separator] += 1
    try:
        return float(value.replace(",", ".") if decimal == "," else value)
    except ValueError:
        pass
    if value.lower() in MISSING_MARKERS:
        repairs["missing", value] += 1
        return float("nan")
    suffixed = _SUFFIXED.fullmatch(value) if volume else None
    if suffixed:
        repairs["suffix", "K/M/B"] += 1
        return float(Decimal(suffixed[1]) * VOLUME_SUFFIXES[suffixed[2].lower()])
    return text


def _repair_notes(repairs: Counter) -> list[str]:
    notes = []
    for symbol in CURRENCY_SIGNS:
        if repairs["currency", symbol]:
            notes.append(f"'{symbol}' removed from {_plural(repairs['currency', symbol], 'value')}")
    for separator in ",.":
        if repairs["thousands", separator]:
            notes.append(f"thousands separators '{separator}' removed from "
                         f"{_plural(repairs['thousands', separator], 'value')}")
    if repairs["suffix", "K/M/B"]:
        notes.append(f"volume suffixes K/M/B expanded in "
                     f"{_plural(repairs['suffix', 'K/M/B'], 'value')}")
    markers = {key[1]: n for key, n in repairs.items() if key[0] == "missing"}
    if markers:
        listed = ", ".join(f"'{m}' ({n:,})" for m, n in markers.items())
        notes.append(f"missing-value markers read as missing: {listed}")
    return notes


# -- dates ----------------------------------------------------------------------------------

@dataclass
class _Dates:
    day: np.ndarray  # datetime64[D]: the calendar date as written, NaT where not a date
    at: np.ndarray  # datetime64[ns]: the day and its time of day, for order and intraday bars
    unreadable: np.ndarray  # bool: written, but not a date
    date_format: str
    times_of_day: bool  # times other than midnight


def _sample(texts: pa.Array) -> list[tuple[int, str]]:
    """(position, text) of the first and last dates written."""
    valid = np.flatnonzero(texts.is_valid().to_numpy(zero_copy_only=False))
    chosen = np.unique(np.concatenate([valid[:SAMPLE_ROWS], valid[-SAMPLE_ROWS:]]))
    return list(zip(chosen.tolist(), texts.take(chosen).to_pylist()))


def _ints(parts: pa.StructArray, group: str) -> np.ndarray:
    field = parts.field(group)
    field = pc.if_else(pc.equal(field, ""), pa.scalar(None, pa.string()), field)
    return np.nan_to_num(pc.cast(field, pa.int64()).to_numpy(zero_copy_only=False)).astype(int)


def _month_numbers(names: pa.Array) -> np.ndarray:
    """1 to 12 for month names (``Jan``, ``January``, ``Sept.``), 0 for anything else."""
    found = pc.index_in(pc.utf8_slice_codeunits(pc.utf8_lower(names), 0, 3), value_set=MONTHS)
    return np.nan_to_num(found.to_numpy(zero_copy_only=False), nan=-1).astype(int) + 1


def _calendar_days(y: np.ndarray, m: np.ndarray, d: np.ndarray,
                   matched: np.ndarray) -> np.ndarray:
    """datetime64[D] of year, month, day; NaT where not matched or not a real date."""
    months = ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
    real = matched & (m >= 1) & (m <= 12) & (d >= 1) & (days.astype("datetime64[M]") == months)
    return np.where(real, days, np.datetime64("NaT"))


def _likeliest_format(sample: list[str]) -> DateFormat | None:
    """The format most of ``sample`` is in (the first that all are in, without counting)."""
    counts = {}
    for fmt in DATE_FORMATS:
        counts[fmt] = sum(1 for t in sample if _DATE_REGEX[fmt].match(t))
        if counts[fmt] == len(sample):
            return fmt
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else None


def _read_dates(texts: pa.Array, rows: np.ndarray, column: str, reading: _Reading) -> _Dates:
    """The dates of ``texts``, in the one format the sample shows; ``rows``: their
    positions in the file, ``column``: where they are (``column 'Date'``), for errors."""
    sample = _sample(texts)
    if not sample:
        raise reading.refuse(f"no dates in {column}")
    fmt = _likeliest_format([t for _, t in sample])
    if fmt is None:
        raise reading.refuse(
            f"dates in {column} in no known format: "
            f"{quote_rows([rows[i] + 1 for i, _ in sample], [t for _, t in sample])}; "
            f"write them as YYYY-MM-DD")
    if fmt is ISO and all(len(t) == 10 for _, t in sample):
        try:  # the plain case: Arrow's strict ISO parser, one pass
            day = pc.cast(texts, pa.date32()).to_numpy(zero_copy_only=False)
            return _Dates(day, day.astype("datetime64[ns]"), np.zeros(len(day), bool), "ISO",
                          False)
        except pa.ArrowInvalid:
            pass  # a date that is not a date, or another format: the general way
    parts = pc.extract_regex(texts, fmt.full)
    matched = parts.is_valid().to_numpy(zero_copy_only=False)
    written = texts.is_valid().to_numpy(zero_copy_only=False)
    _refuse_mixed(fmt, texts, np.flatnonzero(written & ~matched), rows, column, reading)
    y, name = _ints(parts, "y"), fmt.name
    if fmt.order_by_values:
        a, b = _ints(parts, "a"), _ints(parts, "b")
        m, d, name = _day_or_month_first(fmt, a, b, matched, texts, rows, reading)
    else:
        d = _ints(parts, "d")
        m = _month_numbers(parts.field("m")) if fmt.month_names else _ints(parts, "m")
    day = _calendar_days(y, m, d, matched)
    times = parts.field("time")
    written_times = [t for t in pc.unique(times).to_pylist() if t]
    at = day.astype("datetime64[ns]")
    times_of_day = any(not _MIDNIGHT.fullmatch(t) for t in written_times)
    if times_of_day:
        clock = pd.Series(times.to_numpy(zero_copy_only=False)).replace("", "0:00")
        clock = clock.where(clock.str.count(":") == 2, clock + ":00")
        at = at + pd.to_timedelta(clock).to_numpy()
    if written_times:
        zoned = pc.any(pc.not_equal(parts.field("zone"), "")).as_py()
        name += " with time and UTC offset" if zoned else " with time"
    return _Dates(day, at, written & np.isnat(day), name, times_of_day)


def _refuse_mixed(fmt: DateFormat, texts: pa.Array, strays: np.ndarray, rows: np.ndarray,
                  column: str, reading: _Reading) -> None:
    """A LayoutError when dates that are not in ``fmt`` are in another known format."""
    others: dict[DateFormat, list[tuple[int, str]]] = {}
    for i, text in zip(strays.tolist(), texts.take(strays).to_pylist()):
        other = next((f for f in DATE_FORMATS if _DATE_REGEX[f].match(text)), None)
        if other is not None:
            others.setdefault(other, []).append((rows[i] + 1, text))
    if not others:
        return
    listed = "; ".join(f"{f.shape} at {quote_rows(*zip(*found))}" for f, found in others.items())
    raise reading.refuse(f"dates in {column} in more than one format: {fmt.shape} in "
                         f"most rows, {listed}; write every date in one format (YYYY-MM-DD)")


def _day_or_month_first(fmt: DateFormat, a: np.ndarray, b: np.ndarray, matched: np.ndarray,
                        texts: pa.Array, rows: np.ndarray,
                        reading: _Reading) -> tuple[np.ndarray, np.ndarray, str]:
    """(month, day, format name) of ``a/b/YYYY`` dates: month first when some second field
    is above 12 (a day), day first when some first field is; refused when neither or both."""
    day_first, month_first = matched & (a > 12), matched & (b > 12)
    day_first_name, month_first_name = fmt.name.split(" or ")

    def quoted(which: np.ndarray) -> str:
        found = np.flatnonzero(which)
        return quote_rows(rows[found] + 1, texts.take(found).to_pylist())

    if day_first.any() and month_first.any():
        raise reading.refuse(
            f"dates in more than one format: day first ({day_first_name}) at "
            f"{quoted(day_first)}; month first ({month_first_name}) at {quoted(month_first)}; "
            f"write every date in one format (YYYY-MM-DD)")
    if not day_first.any() and not month_first.any():
        raise reading.refuse(
            f"ambiguous dates: {fmt.shape}, and no date has a field above 12 to tell the day "
            f"from the month ({quoted(matched)}); write the dates as YYYY-MM-DD")
    if month_first.any():
        return a, b, month_first_name
    return b, a, day_first_name


# -- order and frequency ----------------------------------------------------------------------

def _spacing_name(minutes: float) -> str:
    return f"{minutes:g}-minute" if minutes < 60 else f"{minutes / 60:g}-hour"


def _aggregate_intraday(frame: pd.DataFrame, dates: _Dates, spacing: str,
                        reading: _Reading) -> tuple[pd.DataFrame, str]:
    """Daily bars of intraday ones: first open, highest high, lowest low, last close,
    summed volume; each day keeps the position of its first row in the file."""
    text = [c for c in frame.columns if frame[c].dtype == object]
    if text or dates.unreadable.any():
        what = f"text in column {', '.join(text)}" if text else "dates that are not dates"
        raise reading.refuse(f"intraday bars with {what}: cannot aggregate them to daily "
                             f"bars; fix the values or download daily data")
    bars = frame.assign(_at=dates.at, _day=dates.day, _row=frame.index).sort_values(
        "_at", kind="stable")
    how = {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum",
           "adj_close": "last", "_row": "min"}
    daily = bars.groupby("_day").agg({c: how[c] for c in bars.columns if c in how})
    daily = daily.assign(date=daily.index.astype("datetime64[ns]")).set_index("_row")
    daily.index.name = None
    note = (f"{spacing} bars aggregated to daily bars: {len(frame):,} rows into "
            f"{_plural(len(daily), 'day')} (first open, highest high, lowest low, last close, "
            f"summed volume)")
    return daily, note


def _check_frequency(days: np.ndarray, reading: _Reading) -> None:
    """A LayoutError for weekly, monthly or other bars further apart than daily ones."""
    unique = np.unique(days[~np.isnat(days)])
    if len(unique) < 3:
        return
    spacing = float(np.median(np.diff(unique).astype("timedelta64[D]").astype(int)))
    if spacing <= MAX_DAILY_SPACING_DAYS:
        return
    kind = ("weekly bars" if spacing <= 10 else "monthly bars" if 25 <= spacing <= 35
            else "quarterly bars" if 80 <= spacing <= 100 else "bars far apart")
    raise reading.refuse(f"{kind} (median spacing {spacing:g} days): the pipeline needs daily "
                         f"bars; download daily data")


def _drop_empty_and_footer(rows: _Rows, notes: list[str]) -> tuple[pd.DataFrame, pa.Array]:
    """The rows without empty ones (every field empty) and without a footer, noted."""
    frame, dates = rows.numbers, rows.dates
    dropped = np.zeros(len(frame), bool)
    if dates.null_count:
        dropped = (frame.isna().all(axis=1).to_numpy()
                   & ~dates.is_valid().to_numpy(zero_copy_only=False))
        if dropped.any():
            notes.append(f"{_plural(int(dropped.sum()), 'empty row')} dropped "
                         f"({quote_rows(frame.index[dropped] + 1)})")
    kept = np.flatnonzero(~dropped)
    footer = _footer_length(dates.take(kept[-1000:]).to_pylist())
    if footer:
        last = kept[-footer:]
        dropped[last] = True
        texts = map(_quoted, dates.take(last).to_pylist())
        notes.append(f"{_plural(footer, 'footer row')} dropped: "
                     f"{quote_rows(frame.index[last] + 1, texts)}")
    if not dropped.any():
        return frame, dates
    return frame.loc[~dropped].copy(), dates.filter(pa.array(~dropped))


def _intraday_to_daily(frame: pd.DataFrame, read: _Dates, column: str, resample: bool,
                       reading: _Reading) -> tuple[pd.DataFrame, str | None]:
    """``frame`` unchanged when it has one row a day; intraday bars aggregated to daily
    ones with ``resample``, else refused."""
    per_day = pd.Series(read.day[~np.isnat(read.day)]).value_counts().median()
    if not per_day >= 2:
        return frame, None
    ordered = np.sort(read.at[~np.isnat(read.at)])
    same_day = ordered[1:].astype("datetime64[D]") == ordered[:-1].astype("datetime64[D]")
    spacing = _spacing_name(float(np.median(np.diff(ordered)[same_day]) / np.timedelta64(1, "m")))
    if not resample:
        raise reading.refuse(
            f"intraday bars ({spacing} bars, {per_day:g} rows a day, times in {column}): the "
            f"pipeline needs daily bars; download daily data (or aggregate "
            f"them: read_price_file(..., resample_intraday=True))")
    return _aggregate_intraday(frame.drop(columns="date"), read, spacing, reading)


# -- the reader -------------------------------------------------------------------------------

def read_price_file(path: Path, ticker: str, *, resample_intraday: bool = False) -> ParsedPrices:
    """The bars of ``path`` (a CSV file of ``ticker``) in the pipeline's columns.

    Raises :class:`SourceError` for a missing file and :class:`LayoutError` for a layout
    that is not daily bars; intraday bars are aggregated to daily ones with
    ``resample_intraday``.
    """
    try:
        content = Path(path).read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path}: no CSV file for ticker {ticker}") from None
    return parse_prices(content, str(path), ticker, resample_intraday=resample_intraday)


def parse_prices(content: bytes, where: str, ticker: str, *,
                 resample_intraday: bool = False) -> ParsedPrices:
    """:func:`read_price_file` for a file's bytes; ``where`` names the file in errors."""
    reading = _Reading(where, ticker)
    if not content.strip():
        raise LayoutError(f"{where}: empty file, expected a header {PLAIN_HEADER} and daily "
                          f"rows (ticker {ticker})")
    text, utf8, notes = _decode(content, reading)
    head = text[:1 << 16].splitlines(keepends=True)
    header = _find_header(head, reading)
    skipped = [line.strip() for line in head[:header.line] if line.strip()]
    if skipped:
        notes.append(f"{_plural(len(skipped), 'line')} before the header skipped "
                     f"('{_quoted(skipped[0])}')")
    decimal = "," if _has_decimal_commas(head, header) else "."
    if decimal == ",":
        notes.append("decimal commas read as decimal points")
    body = text[sum(len(line) for line in head[:header.line]):]
    data = utf8 if utf8 is not None and not header.line else body.encode()
    rows = (_read_plain(data, header, decimal)
            or _read_by_value(body, header, decimal, reading))
    notes += rows.notes
    frame, dates = _drop_empty_and_footer(rows, notes)
    if frame.empty:
        raise LayoutError(f"{where}: header but no rows for ticker {ticker}")

    named = [f"'{header.names[header.fields[c]]}'" for c in ("date", "time")
             if c in header.fields]
    column = f"column {named[0]}" if len(named) == 1 else f"columns {' and '.join(named)}"
    read = _read_dates(dates, frame.index.to_numpy(), column, reading)
    frame.insert(0, "date", read.day.astype("datetime64[ns]"))
    if read.unreadable.any():  # text, for the schema to name: the dates ISO, the rest as written
        iso = np.where(np.isnat(read.day), None, np.datetime_as_string(read.day, unit="D"))
        frame["date"] = np.where(read.unreadable, dates.to_numpy(zero_copy_only=False), iso)

    at = read.at[~np.isnat(read.at)]
    steps = np.diff(at)
    if len(at) > 1 and (steps <= np.timedelta64(0)).all() and (steps < np.timedelta64(0)).any():
        frame = frame.iloc[::-1]
        read.day, read.at, read.unreadable = read.day[::-1], read.at[::-1], read.unreadable[::-1]
        notes.append("dates in descending order: reversed")
    days = read.day
    if read.times_of_day:
        frame, note = _intraday_to_daily(frame, read, column, resample_intraday, reading)
        if note:
            notes.append(note)
            days = frame["date"].to_numpy()
    _check_frequency(days, reading)

    columns = [c for c in (*NEEDED, "adj_close") if c in frame.columns]
    if list(frame.columns) != columns:
        frame = frame[columns]
    return ParsedPrices(frame=frame, notes=tuple(notes),
                        date_format=read.date_format, delimiter=header.delimiter)
