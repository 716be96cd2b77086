"""Parquet files with provenance: round trip, stable bytes, clear errors."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from momentum_pipeline.foundation.frames import (PROVENANCE_KEY, dump_json, read_parquet,
                                                 read_provenance, write_parquet)
from momentum_pipeline.foundation.provenance import Provenance

BARS = pd.DataFrame({"close": [101.5, 102.25], "volume": [1_200, 0]},
                    index=pd.DatetimeIndex(["2025-10-07", "2025-10-08"], name="date"))
FETCHED = Provenance(task="FetchPrices(AAPL)", source="csv", sample_data=False,
                     parameters={"date": "2025-10-08"}, inputs={"file": "AAPL.csv"},
                     code_version="0.1.0+gtest")


def test_parquet_when_written_then_frame_and_provenance_read_back_unchanged(tmp_path):
    path = tmp_path / "AAPL.parquet"
    write_parquet(BARS, path, FETCHED)
    pd.testing.assert_frame_equal(read_parquet(path), BARS, check_freq=False)
    assert read_provenance(path) == FETCHED


def test_parquet_when_written_twice_from_same_inputs_then_bytes_identical(tmp_path):
    write_parquet(BARS, tmp_path / "a.parquet", FETCHED)
    write_parquet(BARS.copy(), tmp_path / "b.parquet", FETCHED)
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_provenance_when_derived_then_source_and_sample_flag_carried_over():
    sample = Provenance(task="FetchPrices(X)", source="sample", sample_data=True)
    derived = sample.derive("ValidatePrices(X)", parameters={"jump_threshold": 0.4})
    assert (derived.source, derived.sample_data, derived.task) == ("sample", True,
                                                                  "ValidatePrices(X)")
    assert derived.parameters == {"jump_threshold": 0.4}


def test_read_provenance_when_file_has_none_then_error_names_the_file(tmp_path):
    path = tmp_path / "foreign.parquet"
    BARS.to_parquet(path)
    with pytest.raises(ValueError, match=f"{path}: no provenance recorded"):
        read_provenance(path)


def test_parquet_when_written_then_no_wall_clock_time_inside(tmp_path):
    path = tmp_path / "AAPL.parquet"
    write_parquet(BARS, path, FETCHED)
    metadata = pq.read_metadata(path)
    assert "2026" not in str(metadata.metadata) and metadata.created_by.startswith("parquet-cpp")


def test_dump_json_when_keys_unordered_then_text_sorted_and_stable():
    text = dump_json({"b": 1, "a": {"d": 2, "c": 3}})
    assert text == dump_json({"a": {"c": 3, "d": 2}, "b": 1})
    assert list(json.loads(text)) == ["a", "b"] and text.endswith("\n")


def test_read_provenance_when_file_written_by_an_earlier_version_then_still_read(tmp_path):
    """Files written before the provenance module moved to foundation/ keep their key."""
    import pyarrow as pa

    recorded = {"task": "ValidatePrices_AAPL", "source": "csv", "sample_data": False,
                "parameters": {}, "inputs": {}, "code_version": "0.1.0+g09b33521fe5b",
                "retrieved_at": None}
    table = pa.table({"close": [1.0]}).replace_schema_metadata(
        {b"momentum_pipeline.provenance": json.dumps(recorded).encode()})
    pq.write_table(table, tmp_path / "old.parquet")
    assert read_provenance(tmp_path / "old.parquet").to_dict() == recorded


HISTORY = pd.DataFrame(
    {"close": [float(i) for i in range(6)], "note": [None, None, None, "split", None, None]},
    index=pd.DatetimeIndex(["2023-12-28", "2023-12-29", "2024-06-03", "2024-12-31",
                            "2025-01-02", "2025-01-03"], name="date"))


def test_parquet_when_history_spans_years_then_closed_years_and_last_month_parts(tmp_path):
    path = tmp_path / "AAPL.parquet"
    write_parquet(HISTORY, path, FETCHED)
    assert sorted(p.name for p in path.iterdir()) == ["2023-2024.parquet", "2025-01.parquet"]
    assert pq.read_table(path / "2023-2024.parquet").num_rows == 4
    pd.testing.assert_frame_equal(read_parquet(path), HISTORY, check_freq=False)
    pd.testing.assert_frame_equal(read_parquet(path, columns=["close"]), HISTORY[["close"]],
                                  check_freq=False)
    pd.testing.assert_frame_equal(pd.read_parquet(path).sort_index(), HISTORY, check_freq=False)
    assert read_provenance(path) == FETCHED


def test_parquet_when_one_more_day_of_same_history_then_closed_years_part_identical(tmp_path):
    """What lets the next run date share the closed years instead of storing them again."""
    write_parquet(HISTORY.iloc[:-1], tmp_path / "monday.parquet", FETCHED)
    tuesday = Provenance(**{**FETCHED.to_dict(), "parameters": {"date": "2025-01-03"}})
    write_parquet(HISTORY, tmp_path / "tuesday.parquet", tuesday)
    closed = "2023-2024.parquet"
    assert ((tmp_path / "monday.parquet" / closed).read_bytes()
            == (tmp_path / "tuesday.parquet" / closed).read_bytes())
    assert ((tmp_path / "monday.parquet" / "2025-01.parquet").read_bytes()
            != (tmp_path / "tuesday.parquet" / "2025-01.parquet").read_bytes())


def test_parquet_when_written_through_memory_then_bytes_of_pyarrows_own_file_writer(tmp_path):
    """The stored format did not change when writes went through memory: pyarrow
    writing the same table (schema metadata, provenance and all) to a file itself gives
    the same bytes, part for part."""
    write_parquet(HISTORY, tmp_path / "AAPL.parquet", FETCHED)
    for part in sorted((tmp_path / "AAPL.parquet").iterdir()):
        direct = tmp_path / f"direct-{part.name}"
        pq.write_table(pq.read_table(part), direct, compression="zstd", use_dictionary=False)
        assert part.read_bytes() == direct.read_bytes(), part.name


def test_parquet_when_rows_in_a_date_column_then_years_months_and_last_month_parts(tmp_path):
    dates = pd.bdate_range("2023-11-01", "2025-10-08")
    positions = pd.DataFrame({"date": dates.repeat(2), "ticker": ["KO", "PEP"] * len(dates),
                              "shares": range(2 * len(dates))})
    path = tmp_path / "positions.parquet"
    write_parquet(positions, path, FETCHED)
    parts = sorted(path.iterdir())
    assert [p.name for p in parts] == ["2023-2024.parquet", "2025-01-2025-09.parquet",
                                       "2025-10.parquet"]
    assert pq.read_table(parts[-1]).num_rows == 2 * 6  # October 1-8: six sessions, two rows each
    assert [PROVENANCE_KEY in (pq.read_schema(p).metadata or {}) for p in parts] == [False, False, True]
    pd.testing.assert_frame_equal(read_parquet(path), positions)


def test_parquet_when_not_a_multi_year_date_index_then_one_file(tmp_path):
    for name, frame in {"one_year": BARS, "unordered": HISTORY.iloc[::-1],
                        "no_dates": HISTORY.reset_index(drop=True)}.items():
        write_parquet(frame, tmp_path / name, FETCHED)
        assert (tmp_path / name).is_file(), name
        pd.testing.assert_frame_equal(read_parquet(tmp_path / name), frame, check_freq=False)
