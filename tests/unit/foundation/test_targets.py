"""DataTarget: outputs written whole, JSON stable, frames with their provenance."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

from momentum_pipeline.foundation.provenance import Provenance
from tasks.targets import DataTarget

REPO = Path(__file__).resolve().parents[3]


def test_write_json_when_keys_in_any_order_then_same_bytes(tmp_path):
    first, second = DataTarget(str(tmp_path / "a.json")), DataTarget(str(tmp_path / "b.json"))
    first.write_json({"b": 1, "a": [1, 2]})
    second.write_json({"a": [1, 2], "b": 1})
    assert first.file.read_bytes() == second.file.read_bytes()
    assert first.read_json() == {"a": [1, 2], "b": 1}


def test_write_frame_when_read_back_then_same_frame_and_provenance(tmp_path):
    target = DataTarget(str(tmp_path / "prices" / "AAPL.parquet"))
    frame = pd.DataFrame({"close": [1.0, 2.5]},
                         index=pd.DatetimeIndex(["2025-01-02", "2025-01-03"], name="date"))
    provenance = Provenance(task="T", source="csv", sample_data=False, parameters={"w": "5"})
    target.write_frame(frame, provenance)
    pd.testing.assert_frame_equal(target.read_frame(), frame, check_freq=False)
    assert target.provenance() == provenance
    assert target.read_frame(["close"]).columns.tolist() == ["close"]


def test_writing_when_writer_fails_then_previous_output_is_kept(tmp_path):
    target = DataTarget(str(tmp_path / "model.joblib"))
    target.write_bytes(b"yesterday")
    with pytest.raises(RuntimeError), target.writing() as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("killed")
    assert target.file.read_bytes() == b"yesterday"
    assert [p.name for p in tmp_path.iterdir()] == ["model.joblib"]


def test_task_modules_when_scanned_then_none_writes_outside_the_targets():
    """Tasks write through their DataTargets: no task module calls ``atomic_path``, opens
    a file but to append to a log, writes parquet or builds a ``luigi.LocalTarget``."""
    found = []
    for module in sorted((REPO / "tasks").glob("*.py")):
        if module.name in ("targets.py", "base.py"):
            continue
        for node in ast.walk(ast.parse(module.read_text())):
            name = (node.func.attr if isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute) else
                    node.func.id if isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name) else None)
            appends = name == "open" and any(
                isinstance(arg, ast.Constant) and str(arg.value).startswith("a")
                for arg in node.args)
            if name in ("atomic_path", "LocalTarget", "open", "write_parquet",
                        "to_parquet") and not appends:
                found.append(f"{module.name}:{node.lineno}: {name}")
    assert not found, found


def test_share_unchanged_when_bytes_equal_then_hard_link_else_own_copy(tmp_path):
    from tasks.targets import share_unchanged

    earlier, written = tmp_path / "earlier", tmp_path / "written"
    for folder in (earlier, written):
        folder.mkdir()
        (folder / "closed.parquet").write_bytes(b"2010..2024")
    (earlier / "last.parquet").write_bytes(b"2025 to monday")
    (written / "last.parquet").write_bytes(b"2025 to tuesday")
    assert share_unchanged(written, earlier) == 1
    assert (written / "closed.parquet").stat().st_ino == (earlier / "closed.parquet").stat().st_ino
    assert (written / "last.parquet").stat().st_ino != (earlier / "last.parquet").stat().st_ino
    assert (written / "last.parquet").read_bytes() == b"2025 to tuesday"
    assert sorted(p.name for p in written.iterdir()) == ["closed.parquet", "last.parquet"]


def test_write_frame_when_earlier_date_has_same_closed_years_then_shared_and_reads_whole(tmp_path):
    """Two run dates of one history store the closed years once; each date's output is
    whole on its own, and deleting the earlier date leaves the later one intact."""
    import shutil

    from momentum_pipeline.foundation.layout import Layout

    layout = Layout(tmp_path)
    frame = pd.DataFrame({"close": [1.0, 2.0, 3.0, 4.0]}, index=pd.DatetimeIndex(
        ["2024-12-30", "2024-12-31", "2025-01-02", "2025-01-03"], name="date"))
    provenance = Provenance(task="T", source="csv", sample_data=False)
    targets = {day: DataTarget(str(layout.dated(Layout.CLEANED, pd.Timestamp(day).date())
                                   / "KO.parquet"), layout)
               for day in ("2025-01-02", "2025-01-03")}
    targets["2025-01-02"].write_frame(frame.iloc[:3], provenance)
    targets["2025-01-03"].write_frame(frame, provenance)
    monday, tuesday = (targets[d].file for d in ("2025-01-02", "2025-01-03"))
    assert (tuesday / "2024.parquet").stat().st_ino == (monday / "2024.parquet").stat().st_ino
    assert (tuesday / "2025-01.parquet").stat().st_nlink == 1
    targets["2025-01-03"].write_frame(frame, provenance)  # a rerun replaces the folder whole
    shutil.rmtree(monday.parent)
    pd.testing.assert_frame_equal(targets["2025-01-03"].read_frame(), frame, check_freq=False)


def test_write_frame_when_a_file_of_an_earlier_version_is_in_place_then_replaced(tmp_path):
    target = DataTarget(str(tmp_path / "KO.parquet"))
    target.file.write_bytes(b"one-file output of an earlier version")
    frame = pd.DataFrame({"close": [1.0, 2.0]},
                         index=pd.DatetimeIndex(["2024-12-31", "2025-01-02"], name="date"))
    target.write_frame(frame, Provenance(task="T", source="csv", sample_data=False))
    assert target.file.is_dir() and not list(tmp_path.glob(".KO*"))
    pd.testing.assert_frame_equal(target.read_frame(), frame, check_freq=False)
