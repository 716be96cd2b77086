"""Parquet files with provenance: round trip, stable bytes, clear errors."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from momentum_pipeline.foundation.frames import dump_json, read_parquet, read_provenance, write_parquet
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
