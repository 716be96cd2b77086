"""Validation and cleaning of daily bars: pandera schemas plus explicit cleaning rules.

Structural problems (missing columns, text in numbers, non-positive prices, unsorted
dates, conflicting duplicate dates) are schema mismatches: the ticker fails with an
error naming the file, column and rows, and is not retried. Repairable defects are
fixed by named rules, each counted in a :class:`QualityReport`, and each has a
severity (:data:`RULES`, changed with :attr:`CleaningSettings.severity`): ``info``
(recorded), ``warn`` (the data is used, the finding is alerted and reported) or
``reject`` (the ticker is excluded from the day, :class:`QualityRejected`):

====================  ========  =======  ================================================
rule                  action    default  what
====================  ========  =======  ================================================
missing_values        dropped   info     rows with a missing price or volume
duplicate_rows        dropped   info     exact repeats of a dated row
non_trading_days      dropped   info     dates that are not NYSE sessions
ohlc_repaired         repaired  warn     high below open/close/low or low above them,
                                         beyond the tolerance: widened to the extremes
missing_sessions      filled    warn     NYSE sessions absent between first and last
                                         date: previous close, zero volume, ``filled``
sparse_history        flagged   reject   filled sessions above ``max_filled_fraction``
                                         of all (and above 21): not a daily series
zero_volume           flagged   info     sessions with zero volume (kept)
flat_bars             flagged   info     open = high = low = close: a stale print
thin_volume           flagged   info     volume above zero but below a fraction of the
                                         median of the previous 21 sessions
suspicious_jumps      flagged   warn     overnight gaps beyond ``jump_threshold``: a
                                         missed or bad split/spin-off adjustment, or news
extreme_jumps         flagged   reject   a close or open ``extreme_jump_factor`` times
                                         (or 1/that) the previous close: an unapplied
                                         split or a bad print, never a real day
stale_last_session    flagged   warn     data ends before the last session of the run date
====================  ========  =======  ================================================

Prices: when the bars carry an adjusted close (``adj_close``: Yahoo's ``Adj Close``,
split- and dividend-adjusted, beside split-adjusted OHLC), open, high, low and close
are multiplied by ``adj_close / close`` so every return downstream includes dividends;
volume stays as delivered (dividends do not change share counts). Without that column
the prices are taken as already adjusted. The quality record's ``price_basis`` says which.

Within the OHLC tolerance, rounding noise of adjusted prices (high below close by
1e-16, common in real data) is snapped silently so the cleaned schema can be exact.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.engines.pandas_engine import DateTime
from pandera.errors import SchemaError, SchemaErrors

from momentum_pipeline.foundation.calendar import last_session_on_or_before, sessions
from momentum_pipeline.config import CleaningSettings
from momentum_pipeline.foundation.exclusions import TickerDataError
from momentum_pipeline.schema_batches import per_ticker, validated_each
from momentum_pipeline.sources import quote_rows

PRICES = ["open", "high", "low", "close"]
ADJUSTED_CLOSE = "adj_close"
SEVERITIES = ("info", "warn", "reject")
#: Each cleaning rule: what it does to the rows it finds, and its default severity.
RULES: dict[str, tuple[str, str]] = {
    "missing_values": ("dropped", "info"),
    "duplicate_rows": ("dropped", "info"),
    "non_trading_days": ("dropped", "info"),
    "ohlc_repaired": ("repaired", "warn"),
    "missing_sessions": ("filled", "warn"),
    "sparse_history": ("flagged", "reject"),
    "zero_volume": ("flagged", "info"),
    "flat_bars": ("flagged", "info"),
    "thin_volume": ("flagged", "info"),
    "suspicious_jumps": ("flagged", "warn"),
    "extreme_jumps": ("flagged", "reject"),
    "stale_last_session": ("flagged", "warn"),
}
PRICE_BASIS_ADJUSTED = ("adjusted close: open, high, low and close scaled by adj_close / close "
                        "(dividends included); volume as delivered")
PRICE_BASIS_AS_DELIVERED = ("as delivered: no adjusted close column, so the prices are taken "
                            "as already split- and dividend-adjusted")
#: Rows and values quoted per problem in a schema error.
MAX_LISTED_ROWS = 10
#: Filled sessions below which a series never counts as sparse (a month of sessions).
SPARSE_MIN_FILLED = 21
#: Sessions of the trailing volume median the thin-volume rule compares with.
VOLUME_MEDIAN_SESSIONS = 21


class SchemaMismatch(TickerDataError, ValueError):
    """Data does not match a stage's schema. Not transient: never retried."""


class DataQualityWarning(Warning):
    """A finding of severity ``warn``: the data is used, and a person is told."""


class QualityRejected(SchemaMismatch):
    """A cleaning rule of severity ``reject`` found something: the ticker is excluded."""


def rule_severities(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every rule's severity: the defaults of :data:`RULES` with ``overrides`` applied;
    raises on an unknown rule or severity, naming what is allowed."""
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(RULES))
    if unknown:
        raise ValueError(f"severity given for unknown rule {', '.join(unknown)} "
                         f"(rules: {', '.join(RULES)})")
    bad = {r: s for r, s in overrides.items() if s not in SEVERITIES}
    if bad:
        raise ValueError(f"unknown severity {bad} (expected one of {', '.join(SEVERITIES)})")
    return {rule: overrides.get(rule, default) for rule, (_, default) in RULES.items()}


def _dates_sorted(frame: pd.DataFrame) -> pd.Series:
    step = frame["date"].diff()
    return step.isna() | (step >= pd.Timedelta(0))


def _no_conflicting_duplicates(frame: pd.DataFrame) -> pd.Series:
    same_date = frame["date"].duplicated(keep=False)
    if not same_date.any():
        return ~same_date
    same_row = frame.duplicated(["date", *PRICES, "volume"], keep=False)
    conflicting = frame.loc[same_date & ~same_row, "date"]
    return ~frame["date"].isin(conflicting)


RAW_SCHEMA = pa.DataFrameSchema(
    name="raw prices",
    columns={
        # cache=False: pandas' to_datetime otherwise samples the dates for its cache by
        # turning ten thousand of them into Timestamp objects (half the validation time).
        "date": pa.Column(DateTime(to_datetime_kwargs={"cache": False}), nullable=False),
        **{c: pa.Column("float64", pa.Check.gt(0), nullable=True) for c in PRICES},
        "volume": pa.Column("float64", pa.Check.ge(0), nullable=True),
        ADJUSTED_CLOSE: pa.Column("float64", pa.Check.gt(0), nullable=True, required=False),
    },
    # The table checks handle missing values themselves: ignore_na=False spares pandera
    # a scan of the whole frame for all-missing rows (a third of a validation's time).
    checks=[
        pa.Check(per_ticker(_dates_sorted), name="dates_sorted_ascending", ignore_na=False,
                 error="dates not in ascending order"),
        pa.Check(per_ticker(_no_conflicting_duplicates), name="no_conflicting_duplicate_dates",
                 ignore_na=False, error="one date with two different bars"),
    ],
    coerce=True,
    strict=False,
)


def _ohlc_consistent(frame: pd.DataFrame) -> pd.Series:
    return ((frame["high"] >= np.maximum(frame["low"], np.maximum(frame["open"], frame["close"])))
            & (frame["low"] <= np.minimum(frame["open"], frame["close"])))


CLEANED_SCHEMA = pa.DataFrameSchema(
    name="cleaned prices",
    index=pa.Index("datetime64[ns]", unique=True, name="date"),
    columns={
        **{c: pa.Column("float64", pa.Check.gt(0)) for c in PRICES},
        "volume": pa.Column("int64", pa.Check.ge(0)),
        "filled": pa.Column("bool"),
    },
    checks=[pa.Check(_ohlc_consistent, name="ohlc_consistent", ignore_na=False,
                     error="high not above open/close/low or low not below open/close")],
    strict=True,
    ordered=True,
)


def _rows(group: pd.DataFrame, dates: bool = False) -> str:
    """``rows 3 (51.O6), 9 (abc)``: data rows counted from 1 (row 1 is the line after a CSV
    header), or ``dates`` of bars indexed by date, each with its own failing value (as
    ``YYYY-MM-DD`` with ``dates``)."""
    cases = group[group["index"].notna()]
    values = cases["failure_case"]
    if dates:
        values = pd.to_datetime(values).dt.strftime("%Y-%m-%d")
    if cases["index"].map(type).eq(pd.Timestamp).all():  # cleaned bars: indexed by date
        labels = pd.to_datetime(cases["index"]).dt.strftime("%Y-%m-%d")
        return quote_rows(labels, values, MAX_LISTED_ROWS, noun="date")
    return quote_rows(cases["index"].astype(int) + 1, values, MAX_LISTED_ROWS)


def _values(group: pd.DataFrame) -> str:
    """The failing values, for checks without rows (a column's type)."""
    return ", ".join(str(v) for v in group["failure_case"].head(MAX_LISTED_ROWS))


#: pandera's checks of a frame's shape: they fail without rows to point at.
STRUCTURAL_CHECKS = ("column_in_dataframe", "column_in_schema", "column_ordered")


def _dtype_in(check: str) -> str:
    """``float64`` from ``coerce_dtype('float64')`` or ``dtype('float64')``."""
    return check.split("(", 1)[1].rstrip(")").strip("'")


def _dates(values: pd.Series) -> str:
    return ", ".join(pd.to_datetime(values.head(MAX_LISTED_ROWS)).dt.strftime("%Y-%m-%d"))


def _describe(context: str, column: str, check: str, group: pd.DataFrame,
              expected: str) -> str | None:
    """One line for one failing (column, check); a table check's row is reported by
    its date, so its other columns give ``None`` or the same line again."""
    if check == "column_in_dataframe":
        return f"column '{group['failure_case'].iloc[0]}': missing (expected columns {expected})"
    if check == "column_in_schema":
        return (f"column '{group['failure_case'].iloc[0]}': not expected "
                f"(expected columns {expected})")
    if check == "column_ordered":
        return f"columns out of order (expected {expected})"
    if check.startswith("coerce_dtype"):
        return f"column '{column}': not readable as {_dtype_in(check)} at {_rows(group)}"
    if check.startswith("dtype("):
        return f"column '{column}': type {_values(group)}, expected {_dtype_in(check)}"
    if context != "DataFrameSchema":
        return f"column '{column}' failed {check} at {_rows(group)}"
    if column == "date":  # raw bars: rows are positions, the dates are a column
        return f"{check} at {_rows(group, dates=True)}"
    if group["index"].map(type).eq(pd.Timestamp).all():  # cleaned bars: indexed by date
        return f"{check} on {_dates(group['index'].drop_duplicates())}"
    return None


def describe_schema_errors(errors: SchemaErrors | SchemaError, where: str, ticker: str) -> str:
    """One readable message: the file, then each failing column or check with its rows.

    Consequences of a reported problem are left out: the type and value checks of a
    column that could not be read, and checks that could not run at all (a table
    check needing a missing column); they are listed only if nothing else is.
    """
    cases = errors.failure_cases
    schema = errors.schema
    lines = [f"{where}: ticker {ticker} does not match the {schema.name or 'expected'} schema"]
    if not isinstance(cases, pd.DataFrame):
        return "\n".join([*lines, f"  {errors}"])
    expected = ", ".join(name for name, column in schema.columns.items() if column.required)
    unreadable = set(cases.loc[cases["check"].str.startswith("coerce_dtype"), "column"])
    problems, consequences = [], []
    for (context, column, check), group in cases.groupby(
            ["schema_context", "column", "check"], dropna=False, sort=False):
        check = str(check)
        line = _describe(context, column, check, group, expected)
        if line is None or f"  {line}" in problems:
            continue
        structural = check in STRUCTURAL_CHECKS or check.startswith("dtype(")
        could_not_run = group["index"].isna().all() and not structural
        masked = column in unreadable and not check.startswith("coerce_dtype")
        (consequences if could_not_run or masked else problems).append(f"  {line}")
    return "\n".join([*lines, *(problems or consequences)])


def check_schema(schema: pa.DataFrameSchema, frame: pd.DataFrame, where: str,
                 ticker: str) -> pd.DataFrame:
    """Validate ``frame`` (collecting all failures) or raise :class:`SchemaMismatch`."""
    try:
        return schema.validate(frame, lazy=True)
    except (SchemaErrors, SchemaError) as errors:
        raise SchemaMismatch(describe_schema_errors(errors, where, ticker)) from None


@dataclass
class RuleResult:
    """One cleaning rule's outcome: what it did, how much it matters, to how many
    sessions, which ones."""

    action: str
    severity: str = "info"
    count: int = 0
    dates: list[str] = field(default_factory=list)


@dataclass
class QualityReport:
    """What cleaning found and did for one ticker: the data-quality record.

    Every rule is listed, with the count and all dates it touched, so the record
    doubles as the audit trail of what was dropped, repaired, filled or flagged.
    """

    ticker: str
    where: str
    rows_in: int = 0
    rows_out: int = 0
    first_date: str | None = None
    last_date: str | None = None
    price_basis: str = PRICE_BASIS_AS_DELIVERED
    #: Rows the source had after the run date, left out (no data from the future).
    rows_after_run_date: int = 0
    severities: dict[str, str] = field(default_factory=rule_severities)
    rules: dict[str, RuleResult] = field(default_factory=dict)

    def record(self, rule: str, dates: pd.Index | pd.Series) -> None:
        listed = pd.DatetimeIndex(dates).strftime("%Y-%m-%d").tolist() if len(dates) else []
        self.rules[rule] = RuleResult(action=RULES[rule][0], severity=self.severities[rule],
                                      count=len(listed), dates=listed)

    @property
    def findings(self) -> dict[str, RuleResult]:
        return {name: rule for name, rule in self.rules.items() if rule.count}

    def of_severity(self, severity: str) -> dict[str, RuleResult]:
        return {n: r for n, r in self.findings.items() if r.severity == severity}

    def describe(self, severity: str) -> list[str]:
        """One line per finding of ``severity``: ``suspicious_jumps: 1 (2016-07-05)``."""
        return [f"{name} ({rule.action}): {rule.count} "
                f"({', '.join(rule.dates[:MAX_LISTED_ROWS])}"
                f"{' and more' if rule.count > MAX_LISTED_ROWS else ''})"
                for name, rule in self.of_severity(severity).items()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ticker": self.ticker, "source": self.where, "rows_in": self.rows_in,
            "rows_out": self.rows_out, "first_date": self.first_date,
            "last_date": self.last_date, "price_basis": self.price_basis,
            "rows_after_run_date": self.rows_after_run_date,
            "warnings": self.describe("warn"),
            "rules": {n: vars(r) for n, r in self.rules.items()},
        }


def adjust_to_adjusted_close(frame: pd.DataFrame) -> pd.DataFrame:
    """OHLC scaled by ``adj_close / close`` (back-adjusted for dividends, and for splits
    when the close is not split-adjusted); volume left as delivered."""
    factor = frame[ADJUSTED_CLOSE] / frame["close"]
    return frame.assign(**{c: frame[c] * factor for c in PRICES})


def _jump_values(frame: pd.DataFrame, dates: pd.Index) -> str:
    """``2020-08-31 close 499.23 after 124.81 (x4.00)``, for the first listed dates."""
    previous = frame["close"].shift(1)
    lines = []
    for day in dates[:MAX_LISTED_ROWS]:
        ratio = max(frame.at[day, "close"] / previous[day], frame.at[day, "open"] / previous[day],
                    key=lambda r: abs(np.log(r)))
        lines.append(f"{day.date()} (open {frame.at[day, 'open']:.4g}, close "
                     f"{frame.at[day, 'close']:.4g} after {previous[day]:.4g}: x{ratio:.3g})")
    return ", ".join(lines)


def clean_prices(raw: pd.DataFrame, ticker: str, run_date: dt.date, where: str,
                 settings: CleaningSettings = CleaningSettings()
                 ) -> tuple[pd.DataFrame, QualityReport]:
    """Check ``raw`` against the raw schema, apply the cleaning rules, check the result.

    ``where`` names the input (file or source) in errors and in the report.
    ``settings`` holds the rules' thresholds and the severities that override the
    rules' defaults (:data:`RULES`).
    Returns the cleaned bars (indexed by session date) and the quality report; raises
    :class:`QualityRejected` when a rule of severity ``reject`` finds anything.
    """
    [outcome] = clean_prices_together([(raw, ticker, where)], run_date, settings)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def clean_prices_together(batch: Sequence[tuple[pd.DataFrame, str, str]], run_date: dt.date,
                          settings: CleaningSettings = CleaningSettings()
                          ) -> list[tuple[pd.DataFrame, QualityReport] | Exception]:
    """:func:`clean_prices` of each ``(raw, ticker, where)`` of ``batch``: its cleaned bars
    and report, or the error it raises alone. The schemas check the batch in one call
    each where every ticker passes, else each ticker alone (:func:`validated_each`)."""
    checked_raws = validated_each(
        RAW_SCHEMA, [raw for raw, _, _ in batch],
        lambda number, raw: check_schema(RAW_SCHEMA, raw, batch[number][2], batch[number][1]))
    outcomes: list[tuple[pd.DataFrame, QualityReport] | Exception] = []
    for (raw, ticker, where), checked in zip(batch, checked_raws, strict=True):
        report = QualityReport(ticker=ticker, where=where, rows_in=len(raw),
                               severities=rule_severities(settings.severity))
        try:
            if isinstance(checked, Exception):
                raise checked
            outcomes.append((_apply_rules(checked, report, run_date, settings), report))
        except Exception as error:  # noqa: BLE001 - this ticker's, raised by its caller
            outcomes.append(error)
    passed = [number for number, outcome in enumerate(outcomes)
              if not isinstance(outcome, Exception)]
    reports = [outcomes[number][1] for number in passed]
    checked_frames = validated_each(
        CLEANED_SCHEMA, [outcomes[number][0] for number in passed],
        lambda at, frame: check_schema(CLEANED_SCHEMA, frame, reports[at].where, reports[at].ticker))
    for number, report, cleaned in zip(passed, reports, checked_frames, strict=True):
        if isinstance(cleaned, Exception):
            outcomes[number] = cleaned
            continue
        report.rows_out = len(cleaned)
        report.first_date = cleaned.index[0].date().isoformat()
        report.last_date = cleaned.index[-1].date().isoformat()
        outcomes[number] = (cleaned, report)
    return outcomes


def _apply_rules(checked: pd.DataFrame, report: QualityReport, run_date: dt.date,
                settings: CleaningSettings) -> pd.DataFrame:
    """The cleaning rules on raw bars that passed the raw schema, each recorded in
    ``report``: the bars for the cleaned schema, or :class:`QualityRejected`."""
    where, ticker = report.where, report.ticker
    adjusted = ADJUSTED_CLOSE in checked.columns
    frame = checked[["date", *PRICES, "volume", *([ADJUSTED_CLOSE] if adjusted else [])]]

    # Each step copies the frame only when its rule found something.
    missing = frame.drop(columns="date").isna().to_numpy().any(axis=1)
    report.record("missing_values", frame["date"][missing])
    if missing.any():
        frame = frame.loc[~missing]
    if adjusted:
        frame = adjust_to_adjusted_close(frame).drop(columns=ADJUSTED_CLOSE)
        report.price_basis = PRICE_BASIS_ADJUSTED

    repeated = frame["date"].duplicated().to_numpy()
    report.record("duplicate_rows", frame["date"][repeated])
    frame = (frame.loc[~repeated] if repeated.any() else frame).set_index("date")
    if frame.empty:
        raise SchemaMismatch(f"{where}: ticker {ticker} has no usable rows "
                             f"(every row misses a price or the volume)")

    off_calendar = ~frame.index.isin(sessions(frame.index[0], frame.index[-1]))
    report.record("non_trading_days", frame.index[off_calendar])
    if off_calendar.any():
        frame = frame.loc[~off_calendar]
    if frame.empty:
        raise SchemaMismatch(f"{where}: ticker {ticker} has no rows on NYSE sessions")

    bar = frame[PRICES].to_numpy()
    top, bottom = bar.max(axis=1), bar.min(axis=1)
    broken = ((frame["high"].to_numpy() < top * (1 - settings.ohlc_tolerance))
              | (frame["low"].to_numpy() > bottom * (1 + settings.ohlc_tolerance)))
    report.record("ohlc_repaired", frame.index[broken])
    frame = frame.assign(high=top, low=bottom)

    calendar = sessions(frame.index[0], frame.index[-1])
    gaps = calendar.difference(frame.index)
    report.record("missing_sessions", gaps)
    sparse = len(gaps) > max(settings.max_filled_fraction * len(calendar), SPARSE_MIN_FILLED)
    report.record("sparse_history", gaps if sparse else gaps[:0])
    filled = calendar.isin(gaps)
    if len(gaps):
        frame = frame.reindex(calendar)
        carried = frame["close"].ffill()
        for column in PRICES:
            frame[column] = frame[column].fillna(carried)
        frame["volume"] = frame["volume"].fillna(0)
    frame["filled"] = filled
    traded = ~filled

    volume = frame["volume"]
    report.record("zero_volume", frame.index[(volume == 0) & traded])
    flat = ((frame["open"] == frame["high"]) & (frame["high"] == frame["low"])
            & (frame["low"] == frame["close"]) & traded)
    report.record("flat_bars", frame.index[flat])
    usual = (volume.where(traded).shift(1)
             .rolling(VOLUME_MEDIAN_SESSIONS, min_periods=VOLUME_MEDIAN_SESSIONS // 2).median())
    thin = (volume > 0) & (volume < settings.thin_volume_fraction * usual)
    report.record("thin_volume", frame.index[thin])
    previous_close = frame["close"].shift(1)
    gap = (frame["open"] / previous_close - 1).abs()
    report.record("suspicious_jumps", frame.index[gap > settings.jump_threshold])
    extreme = (np.log(frame[["open", "close"]].div(previous_close, axis=0)).abs()
               .max(axis=1) >= np.log(settings.extreme_jump_factor))
    report.record("extreme_jumps", frame.index[extreme])
    expected_last = last_session_on_or_before(run_date)
    stale = frame.index[-1:] if frame.index[-1] < expected_last else frame.index[:0]
    report.record("stale_last_session", stale)

    rejected = report.describe("reject")
    if rejected:
        values = (f"\n  values: {_jump_values(frame, frame.index[extreme])}"
                  if "extreme_jumps" in report.of_severity("reject") else "")
        raise QualityRejected(
            f"{where}: ticker {ticker} rejected by its data-quality rules:\n  "
            + "\n  ".join(rejected) + values
            + "\n  fix the data, or change the rule's severity with --validation-severity")

    frame["volume"] = np.round(volume).astype("int64")
    frame.index.name = "date"
    return frame[[*PRICES, "volume", "filled"]]


@functools.cache
def warm_up() -> None:
    """Clean three sessions once per process.

    pandera imports and registers much of its machinery on first use (about 0.3 s);
    tasks preload this so Luigi's forked workers inherit it instead of paying per task.
    """
    days = ["2024-01-02", "2024-01-03", "2024-01-04"]
    bars = pd.DataFrame({"date": days, **{c: [10.0, 10.5, 10.2] for c in PRICES},
                         "volume": [1e6, 1.1e6, 0.9e6]})
    clean_prices(bars, "WARMUP", dt.date(2024, 1, 4), where="warm-up")
