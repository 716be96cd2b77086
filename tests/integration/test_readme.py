"""The README works as written: every ```bash block, in order, in one shell on a fresh
copy of the checkout (its tracked files, the installed .venv and ../shared beside
it), as a new user would run them after ``make demo``. The slow ones run on a small
universe through the documented ``LUIGI_CONFIG_PATH=config/quick.cfg``.

A block the test does not run says why in a ``<!-- readme-test: not run: ... -->``
line above it; ``make test`` is not run either: it is the command running this test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

NOT_RUN = re.compile(r"^<!-- readme-test: not run: (?P<why>.+) -->$")
#: The command that runs this test: running it here would recurse.
RUNS_THIS_TEST = re.compile(r"^make test\b")


@dataclass(frozen=True)
class Block:
    line: int
    code: str
    not_run: str | None


def shell_blocks(text: str) -> list[Block]:
    """The README's ```bash blocks, with the reason given above a block not run."""
    blocks, lines = [], text.splitlines()
    start = None
    for number, line in enumerate(lines):
        if not line.startswith("```"):
            continue
        if start is None:
            start = (number, line[3:].strip())
            continue
        opened, language = start
        start = None
        if language == "bash":
            marker = NOT_RUN.match(lines[opened - 1]) if opened else None
            blocks.append(Block(opened + 1, "\n".join(lines[opened + 1:number]),
                                marker["why"] if marker else None))
    return blocks


def readme_blocks() -> list[Block]:
    return shell_blocks((REPO / "README.md").read_text())


def test_readme_when_a_block_is_not_run_then_it_says_why():
    blocks = readme_blocks()
    assert len(blocks) >= 8
    not_run = [block for block in blocks if block.not_run is not None]
    assert all(len(block.not_run) > 20 for block in not_run)
    assert len(not_run) <= 3, [block.line for block in not_run]


def fresh_copy(destination: Path) -> Path:
    """The checkout's files (tracked, and new ones not ignored) with their times, the
    installed ``.venv`` and ``../shared`` beside it: a clone after ``make demo``'s install."""
    assert (REPO / ".venv" / ".installed").is_file(), "install first: make .venv/.installed"
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    clone = destination / "main"
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name, follow_symlinks=False)
    # The installed environment, entry by entry, with an install stamp of the copy's own:
    # make sees the install done and never runs pip, which would point the shared
    # environment's editable install at this copy.
    venv = clone / ".venv"
    venv.mkdir()
    for entry in (REPO / ".venv").iterdir():
        if entry.name != ".installed":
            (venv / entry.name).symlink_to(entry)
    (venv / ".installed").touch()
    (destination / "shared").symlink_to((REPO.parent / "shared").resolve())
    return clone


def script(blocks: list[Block]) -> str:
    """One bash session running the blocks in order; background jobs (luigid) end with it."""
    parts = ["set -euo pipefail", "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT"]
    for block in blocks:
        if block.not_run is None:
            code = "\n".join(line for line in block.code.splitlines()
                             if not RUNS_THIS_TEST.match(line))
            parts += [f"echo '### README.md line {block.line}' >&2", code]
    return "\n".join(parts) + "\n"


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory: pytest.TempPathFactory):
    clone = fresh_copy(tmp_path_factory.mktemp("fresh"))
    environment = {**os.environ, "LUIGI_CONFIG_PATH": "config/quick.cfg"}
    environment.pop("VIRTUAL_ENV", None)
    run = subprocess.run(["bash", "-c", script(readme_blocks())], cwd=clone, env=environment,
                         capture_output=True, text=True, timeout=2400)
    return clone, run


def test_readme_commands_when_run_in_order_on_a_fresh_copy_then_each_works(readme_run):
    clone, run = readme_run
    assert run.returncode == 0, (run.stdout[-3000:], run.stderr[-6000:])
    assert "make: installing" not in run.stdout  # the shared environment was left alone
    assert "PDF report: " in run.stdout  # make demo ends with the report's path
    var = clone / "var"
    assert sorted(p.name for p in var.iterdir()) == ["csv", "sample"]  # one root per source
    assert (var / "csv" / "reports" / "2025-10-08" / "final_analysis_report.pdf").is_file()
    assert (var / "csv" / "reports" / "2025-10-08" / "research_report.pdf").is_file()
    assert (var / "sample" / "executions" / "2025-10-08" / "summary.json").is_file()
    assert (var / "sample" / "luigid" / "task-history.db").is_file()
    backfilled = sorted(p.name for p in (var / "sample" / "reports").iterdir())
    assert {"2025-09-22", "2025-09-26", "2025-09-30", "2025-10-08"} <= set(backfilled)


def test_readme_execute_trades_when_run_then_console_says_what_was_traded(readme_run):
    _, run = readme_run
    said = re.search(r"^SAMPLE DATA.*ExecuteTrades 2025-10-08 on the paper venue: (\d+) orders",
                     run.stderr, re.MULTILINE)
    assert said and int(said[1]) > 0, run.stderr[-4000:]
