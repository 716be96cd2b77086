"""atomic_path: an output appears complete or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.targets import atomic_path


def hidden_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_atomic_path_when_block_succeeds_then_output_appears_and_no_temporary_remains(tmp_path):
    final = tmp_path / "out" / "AAPL.parquet"
    with atomic_path(final) as tmp:
        assert tmp.parent == final.parent and tmp.name.startswith(".AAPL.parquet.tmp-")
        tmp.write_bytes(b"bars")
        assert not final.exists()  # nothing is visible before the block ends
    assert final.read_bytes() == b"bars"
    assert hidden_files(final.parent) == []


def test_atomic_path_when_block_fails_then_previous_output_kept_and_temporary_removed(tmp_path):
    final = tmp_path / "AAPL.parquet"
    final.write_bytes(b"yesterday")
    with pytest.raises(RuntimeError, match="disk full"), atomic_path(final) as tmp:
        tmp.write_bytes(b"half of tod")
        raise RuntimeError("disk full")
    assert final.read_bytes() == b"yesterday"
    assert hidden_files(tmp_path) == []


def test_atomic_path_when_a_killed_run_left_a_temporary_then_next_write_sweeps_it(tmp_path):
    final = tmp_path / "AAPL.parquet"
    (tmp_path / ".AAPL.parquet.tmp-99999").write_bytes(b"half")
    (tmp_path / ".MSFT.parquet.tmp-99999").write_bytes(b"half")
    with atomic_path(final) as tmp:
        tmp.write_bytes(b"bars")
    assert hidden_files(tmp_path) == [".MSFT.parquet.tmp-99999"]  # only AAPL's own


def test_atomic_path_when_output_is_a_folder_then_folder_renamed_into_place(tmp_path):
    final = tmp_path / "bundle"
    with atomic_path(final) as tmp:
        tmp.mkdir()
        (tmp / "daily.bcolz").write_bytes(b"x")
    assert (final / "daily.bcolz").read_bytes() == b"x"


def test_atomic_path_when_exclusive_and_output_exists_then_refused_and_first_kept(tmp_path):
    final = tmp_path / "source.json"
    with atomic_path(final, exclusive=True) as tmp:
        tmp.write_text("first")
    with pytest.raises(FileExistsError), atomic_path(final, exclusive=True) as tmp:
        tmp.write_text("second")
    assert final.read_text() == "first"
    assert hidden_files(tmp_path) == []


def test_atomic_path_when_exclusive_then_other_writers_temporaries_left_alone(tmp_path):
    other = tmp_path / ".source.json.tmp-99999"  # a concurrent run, still writing
    other.write_text("theirs")
    with atomic_path(tmp_path / "source.json", exclusive=True) as tmp:
        tmp.write_text("mine")
    assert other.read_text() == "theirs"


def test_atomic_path_when_a_folder_replaces_a_folder_then_new_content_only(tmp_path):
    final = tmp_path / "AAPL.parquet"
    for content in ("old", "new"):
        with atomic_path(final) as tmp:
            tmp.mkdir()
            (tmp / f"{content}.parquet").write_text(content)
    assert [p.name for p in final.iterdir()] == ["new.parquet"]
    assert [p.name for p in tmp_path.iterdir()] == ["AAPL.parquet"]
