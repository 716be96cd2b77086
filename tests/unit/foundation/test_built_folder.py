"""built_folder: a folder appears whole or not at all, and no builder deletes another's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from momentum_pipeline.foundation.built_folder import built_folder
from tests.conftest import REPO

#: Another process building ``final`` (argv[1]): it writes a file, says where, and
#: publishes when its stdin closes.
BUILDER = """
import sys
from momentum_pipeline.foundation.built_folder import built_folder
with built_folder(sys.argv[1]) as building:
    (building / "theirs.txt").write_text("theirs")
    print(building, flush=True)
    sys.stdin.read()
"""


def start_builder(final: Path) -> tuple[subprocess.Popen[str], Path]:
    builder = subprocess.Popen([sys.executable, "-c", BUILDER, str(final)], cwd=REPO,
                               env={**os.environ, "PYTHONPATH": str(REPO)}, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    return builder, Path(builder.stdout.readline().strip())


def build(final: Path, content: str) -> None:
    with built_folder(final) as building:
        (building / "bundle.json").write_text(content)


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_built_folder_when_a_folder_is_in_place_then_the_new_one_replaces_it_whole(tmp_path):
    final = tmp_path / "2025-10-08"
    build(final, "first")
    (final / "left-over").write_text("of the first build")

    with built_folder(final) as building:
        (building / "bundle.json").write_text("second")
        assert (final / "bundle.json").read_text() == "first"  # nothing visible yet

    assert entries(final) == ["bundle.json"] and (final / "bundle.json").read_text() == "second"
    assert entries(tmp_path) == ["2025-10-08"]


def test_built_folder_when_the_build_fails_then_the_folder_in_place_is_kept(tmp_path):
    final = tmp_path / "2025-10-08"
    build(final, "first")

    with pytest.raises(RuntimeError, match="ingest broke"), built_folder(final) as building:
        (building / "bundle.json").write_text("half")
        raise RuntimeError("ingest broke")

    assert (final / "bundle.json").read_text() == "first"
    assert entries(tmp_path) == ["2025-10-08"]


def test_built_folder_when_another_process_is_building_then_its_folder_is_left_alone(
        tmp_path):
    final = tmp_path / "2025-10-08"
    builder, theirs = start_builder(final)
    try:
        build(final, "ours")
        assert (theirs / "theirs.txt").read_text() == "theirs"
    finally:
        builder.communicate("")

    assert builder.returncode == 0
    assert entries(final) == ["theirs.txt"]  # the later build won, and it was whole


def test_built_folder_when_a_builder_was_killed_then_the_next_build_sweeps_its_folder(
        tmp_path):
    final = tmp_path / "2025-10-08"
    builder, theirs = start_builder(final)
    builder.send_signal(signal.SIGKILL)
    builder.communicate()
    assert theirs.is_dir()

    build(final, "ours")

    assert entries(tmp_path) == ["2025-10-08"]
    assert (final / "bundle.json").read_text() == "ours"
