"""A batch of tickers checked by each schema in one pandera call: it passes only where
every ticker passes alone, and then gives each ticker what its own validation gives; a
ticker of a batch gets the outcome (bars, record or error) it gets alone."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from momentum_pipeline.config import FeatureParams
from momentum_pipeline.features import build_features, features_schema
from momentum_pipeline.schema_batches import validate_together
from momentum_pipeline.sources import SourceError
from momentum_pipeline.sources.csvdir import fetch_csv
from momentum_pipeline.validation import (CLEANED_SCHEMA, RAW_SCHEMA, clean_prices,
                                          clean_prices_together)
from tests.conftest import REAL_OHLCV, RESOURCES
from tests.corpus import CASES, START

RUN_DATE = dt.date(2025, 10, 8)


def real_raw(ticker: str) -> pd.DataFrame:
    return fetch_csv(REAL_OHLCV, ticker, START, RUN_DATE).frame


@pytest.fixture(scope="module")
def raws() -> list[pd.DataFrame]:
    return [real_raw(ticker) for ticker in ("AAPL", "MSFT", "XOM")]


@pytest.fixture(scope="module")
def cleaned(raws) -> list[pd.DataFrame]:
    return [clean_prices(raw, "T", RUN_DATE, "T.csv")[0] for raw in raws]


@pytest.fixture(scope="module")
def features(cleaned) -> list[pd.DataFrame]:
    return [build_features(bars).reset_index() for bars in cleaned]


def assert_same_frames(got: list[pd.DataFrame], expected: list[pd.DataFrame]) -> None:
    assert len(got) == len(expected)
    for one, other in zip(got, expected, strict=True):
        pd.testing.assert_frame_equal(one, other, check_exact=True, check_freq=False)
        assert one.index.name == other.index.name


def test_together_when_every_ticker_passes_then_each_frame_is_what_its_own_validation_gives(
        raws, cleaned, features):
    schema = features_schema(FeatureParams())
    assert_same_frames(validate_together(RAW_SCHEMA, raws),
                       [RAW_SCHEMA.validate(raw) for raw in raws])
    assert_same_frames(validate_together(CLEANED_SCHEMA, cleaned), cleaned)
    assert_same_frames(validate_together(schema, features), features)
    assert validate_together(RAW_SCHEMA, raws)[0]["date"].dtype == "datetime64[ns]"  # coerced


def test_together_when_tickers_share_dates_then_neither_order_nor_uniqueness_fails_across_them(
        raws, cleaned, features):
    # Every ticker's dates start over below the last one's end, and repeat its dates.
    assert validate_together(RAW_SCHEMA, [raws[0], raws[0]]) is not None
    assert validate_together(CLEANED_SCHEMA, [cleaned[0], cleaned[0]]) is not None
    shorter = features[0].iloc[:100].copy()  # its warm-up NaN come after finite values
    assert validate_together(features_schema(FeatureParams()), [features[0], shorter]) is not None


def unsorted(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame.iloc[10:20], frame.iloc[:10], frame.iloc[20:]], ignore_index=True)


def conflicting_duplicate(frame: pd.DataFrame) -> pd.DataFrame:
    twin = frame.iloc[[5]].assign(close=frame["close"].iloc[5] * 1.01)
    return pd.concat([frame.iloc[:6], twin, frame.iloc[6:]], ignore_index=True)


RAW_DEFECTS = {
    "dates out of order": unsorted,
    "one date with two different bars": conflicting_duplicate,
    "a negative price": lambda f: f.assign(low=f["low"].where(f.index != 7, -1.0)),
    "a column missing": lambda f: f.drop(columns="volume"),
    "a text price": lambda f: f.assign(open=f["open"].astype(object).where(f.index != 3, "1.0O")),
    "another column type": lambda f: f.assign(volume=f["volume"].astype("float32")),
}


@pytest.mark.parametrize("defect", RAW_DEFECTS, ids=list(RAW_DEFECTS))
def test_together_when_one_ticker_has_a_raw_defect_then_the_batch_says_nothing(raws, defect):
    broken = RAW_DEFECTS[defect](raws[1])
    batch = [raws[0], broken, raws[2]]
    assert validate_together(RAW_SCHEMA, batch) is None


def test_together_when_one_tickers_cleaned_bars_repeat_a_date_then_the_batch_says_nothing(
        cleaned):
    repeated = pd.concat([cleaned[1].iloc[:50], cleaned[1].iloc[49:]])
    assert validate_together(CLEANED_SCHEMA, [cleaned[0], repeated, cleaned[2]]) is None
    renamed = cleaned[1].rename_axis("day")  # alone it fails on the index name
    assert validate_together(CLEANED_SCHEMA, [cleaned[0], renamed, cleaned[2]]) is None


def test_together_when_one_tickers_feature_is_not_finite_after_its_warm_up_then_it_says_nothing(
        features):
    broken = features[1].copy()
    broken.loc[500, "rsi"] = np.nan
    schema = features_schema(FeatureParams())
    assert validate_together(schema, [features[0], broken]) is None
    late_start = features[1].copy()  # NaN from the top of its frame: a warm-up, not a gap
    late_start.loc[:300, "rsi"] = np.nan
    assert validate_together(schema, [features[0], late_start]) is not None


def test_together_when_one_frame_only_then_it_says_nothing_and_the_caller_validates_alone(raws):
    assert validate_together(RAW_SCHEMA, raws[:1]) is None


def resource_raws() -> dict[str, pd.DataFrame]:
    """Every resource file the csv reader accepts (many break a schema or a rule)."""
    frames = {}
    for path in sorted((RESOURCES / "ohlcv").glob("*.csv")):
        try:
            frames[path.stem] = fetch_csv(path.parent, path.stem, dt.date(2000, 1, 1),
                                          dt.date(2024, 3, 28)).frame
        except SourceError:
            continue
    return frames


def corpus_raws(folder) -> dict[str, pd.DataFrame]:
    frames = {}
    for case in CASES:
        case_folder = folder / case.name.replace(" ", "_").replace("/", "_")
        case_folder.mkdir()
        path = case.make(case_folder)
        try:
            frames[case.name] = fetch_csv(path.parent, case.ticker, START, RUN_DATE,
                                          resample_intraday=case.resample_intraday).frame
        except SourceError:
            continue
    return frames


def outcome(result) -> tuple:
    """What a ticker got: its bars and record, or its error's type and text."""
    if isinstance(result, Exception):
        return type(result).__name__, str(result)
    bars, record = result
    return bars, record.to_dict()


def assert_same_outcome(together, alone, name: str) -> None:
    if isinstance(alone, Exception) or isinstance(together, Exception):
        assert outcome(together) == outcome(alone), name
        return
    pd.testing.assert_frame_equal(together[0], alone[0], check_exact=True, check_freq=False)
    assert together[1].to_dict() == alone[1].to_dict(), name


def alone_outcome(raw: pd.DataFrame, ticker: str, run_date: dt.date):
    try:
        return clean_prices(raw, ticker, run_date, f"{ticker}.csv")
    except Exception as error:  # noqa: BLE001 - the outcome compared
        return error


def test_clean_together_when_each_resource_and_corpus_file_sits_between_real_tickers_then_it_gets_its_own_outcome(
        tmp_path):
    cases = {**resource_raws(), **corpus_raws(tmp_path)}
    assert len(cases) > 30
    refused = 0
    for name, raw in cases.items():
        batch = [(real_raw("AAPL"), "AAPL", "AAPL.csv"), (raw, name, f"{name}.csv"),
                 (real_raw("MSFT"), "MSFT", "MSFT.csv")]
        results = clean_prices_together(batch, RUN_DATE)
        for (frame, ticker, _), together in zip(batch, results, strict=True):
            assert_same_outcome(together, alone_outcome(frame, ticker, RUN_DATE), name)
        refused += isinstance(results[1], Exception)
        assert not isinstance(results[0], Exception) and not isinstance(results[2], Exception)
    assert refused >= 10  # the set holds schema mismatches and rejections, not only good files
