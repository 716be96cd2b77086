"""The prune command on a data root holding many run dates: a dry run lists and deletes
nothing; --apply deletes exactly the dates the policy lets go, in every stage, and
keeps the logs, the journal and the dates with executions; a root in use is refused."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from momentum_pipeline.foundation.layout import Layout
from tests.conftest import REPO
from tests.integration.test_root_lock import start_holder

#: Twelve weekly run dates; orders went out on the first.
DATES = [dt.date(2025, 7, 1) + dt.timedelta(weeks=n) for n in range(12)]


def filled_root(root: Path) -> None:
    layout = Layout(root)
    for day in DATES:
        for stage in (Layout.RAW, Layout.FEATURES, Layout.BUNDLE, Layout.REPORTS, Layout.STATE):
            folder = layout.dated(stage, day)
            folder.mkdir(parents=True)
            (folder / "output.parquet").write_bytes(b"x" * 1000)
    layout.dated(Layout.EXECUTIONS, DATES[0]).mkdir(parents=True)
    layout.performance_log.parent.mkdir(parents=True)
    layout.performance_log.write_text("run_date\n")
    layout.journal.write_text("SUBMIT\n")
    layout.running_markers.mkdir(parents=True)


def prune(root: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tasks.commands.prune", "--paths-root",
                           str(root), "--keep-last", "3", "--keep-month-ends", "2", *flags],
                          cwd=REPO, env={**os.environ, "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg")},
                          capture_output=True, text=True, timeout=120)


def files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_prune_when_dry_run_then_lists_what_would_go_and_deletes_nothing(tmp_path):
    root = tmp_path / "var"
    filled_root(root)
    before = files(root)
    listed = prune(root)
    assert listed.returncode == 0, listed.stderr
    assert "12 run dates; keeping 5, would delete 7 (frees 0.0 MB)" in listed.stdout
    assert "dry run: nothing deleted; add --apply to delete" in listed.stdout
    assert files(root) - {"state/root.lock"} == before  # the lock is the command's own


def test_prune_when_applied_then_only_the_policys_dates_remain_in_every_stage(tmp_path):
    root = tmp_path / "var"
    filled_root(root)
    applied = prune(root, "--apply")
    assert applied.returncode == 0, applied.stderr

    # kept: executed 2025-07-01; month ends 2025-08-26 and 2025-09-16 (the latest month's
    # is among the last 3: 2025-09-02, 09-09, 09-16)
    kept = {"2025-07-01", "2025-08-26", "2025-09-02", "2025-09-09", "2025-09-16"}
    for stage in (Layout.RAW, Layout.FEATURES, Layout.BUNDLE, Layout.REPORTS, Layout.STATE):
        present = {p.name for p in root.joinpath(*stage.split("/")).iterdir()
                   if not p.name.startswith(".")}
        assert present - {"running", "root.lock"} == kept, stage
    assert (root / "logs" / "metrics.csv").is_file() and (root / "executions" / "journal.log").is_file()
    assert not [p for p in root.rglob(".*pruning*")]  # no half-deleted folder left
    assert "delete 2025-07-08" in applied.stdout and "keep   2025-07-01  orders were executed" in applied.stdout


def test_prune_when_a_run_holds_the_root_then_refused_and_nothing_deleted(tmp_path):
    root = tmp_path / "var"
    filled_root(root)
    before = files(root)
    holder = start_holder(root)
    try:
        refused = prune(root, "--apply")
    finally:
        holder.communicate("")
    assert refused.returncode == 10
    assert "in use by host " in refused.stderr and f"pid {holder.pid}" in refused.stderr
    assert files(root) - {"state/root.lock"} == before - {"state/root.lock"}


def test_prune_when_dates_share_unchanged_parts_then_counts_only_what_it_frees(tmp_path):
    """A part linked by a kept date frees nothing and stays readable there."""
    root = tmp_path / "var"
    layout = Layout(root)
    closed = None
    for day in DATES:
        folder = layout.dated(Layout.FEATURES, day) / "KO.parquet"
        folder.mkdir(parents=True)
        (folder / "last-month.parquet").write_bytes(b"x" * 100_000)
        if closed is None:
            closed = folder / "closed-years.parquet"
            closed.write_bytes(b"y" * 1_000_000)
        else:
            os.link(closed, folder / "closed-years.parquet")
    listed = prune(root)
    assert "keeping 4, would delete 8 (frees 0.8 MB)" in listed.stdout  # 8 last months only
    assert prune(root, "--apply").returncode == 0
    kept = list(root.glob("features/*/KO.parquet/closed-years.parquet"))
    assert len(kept) == 4 and all(part.read_bytes() == b"y" * 1_000_000 for part in kept)
