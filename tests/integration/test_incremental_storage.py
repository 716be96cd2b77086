"""Two consecutive run dates of the same history store it once: the second date's files
share the first's unchanged parts by hard link, its outputs are byte for byte those of a
cold run of that date alone, and pruning the first date leaves the second whole."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REAL_OHLCV, REPO, run_cli

DATES = ("2025-10-06", "2025-10-07")
UNIVERSE = "AAPL,MSFT,NVDA,JPM,XOM,TSLA,KO,PEP"


def run_day(root: Path, day: str) -> subprocess.CompletedProcess[str]:
    result = run_cli("DailyPipeline", "--local-scheduler", "--date", day, "--paths-root", str(root),
                     "--universe-tickers", UNIVERSE,
                     "--data-source", "csv", "--data-csv-dir", str(REAL_OHLCV))
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def stored_bytes(root: Path) -> int:
    """Bytes on disk under ``root``, each hard-linked file once (as ``du`` counts)."""
    sizes = {}
    for path in root.rglob("*"):
        status = path.lstat()
        if path.is_file() and not path.is_symlink():
            sizes[status.st_dev, status.st_ino] = status.st_size
    return sum(sizes.values())


def dated_files(root: Path, day: str) -> dict[str, bytes]:
    """The files of run date ``day`` but its report, which lists every date's row of the
    performance log (a cold root has only its own)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and day in p.relative_to(root).parts
            and p.relative_to(root).parts[0] != "reports"}


def test_two_consecutive_dates_when_history_unchanged_then_second_shares_it_and_prunes_safely(tmp_path):
    daily, cold = tmp_path / "daily", tmp_path / "cold"
    run_day(daily, DATES[0])
    first = stored_bytes(daily)
    run_day(daily, DATES[1])
    added = stored_bytes(daily) - first
    print(f"first date {first / 1e6:.1f} MB, the next date adds {added / 1e6:.1f} MB")
    assert added < 0.25 * first

    features = daily / "features" / DATES[1] / "AAPL.parquet"
    shared = [part for part in features.iterdir() if part.stat().st_nlink == 2]
    assert [part.name for part in shared] == ["2010-2024.parquet", "2025-01-2025-09.parquet"]

    run_day(cold, DATES[1])
    assert dated_files(daily, DATES[1]) == dated_files(cold, DATES[1])

    pruned = subprocess.run([sys.executable, "-m", "tasks.commands.prune", "--paths-root",
                             str(daily), "--keep-last", "1", "--keep-month-ends", "0", "--apply"],
                            cwd=REPO, env={**os.environ, "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg")},
                            capture_output=True, text=True, timeout=120)
    assert pruned.returncode == 0, pruned.stderr
    assert f"delete {DATES[0]}" in pruned.stdout
    assert not list(daily.rglob(DATES[0]))
    assert all(part.stat().st_nlink == 1 for part in shared)
    assert dated_files(daily, DATES[1]) == dated_files(cold, DATES[1])
    rerun = run_day(daily, DATES[1])
    assert "Summary: nothing to do" in rerun.stderr + rerun.stdout
