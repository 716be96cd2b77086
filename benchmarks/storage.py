"""Storage of consecutive run dates on the real S&P 100: what one more date adds.

    PYTHONPATH=. python benchmarks/storage.py [--csv-dir ../shared/data/ohlcv] [--quick]

Runs DailyPipeline for 2025-10-07 and then 2025-10-08 into one fresh data root (the
history up to the first date is unchanged on the second, as on any normal day) and
prints, for the first date and for what the second adds: the bytes of the files (each
hard-linked file once) and the disk use (``du``: blocks, folders included), per stage.
The second date shares every unchanged part of the first's outputs by hard link
(``tasks.targets``). Goal (issue 15): one more date adds <= 15 MB (136 MB before
outputs shared their history). The wall time of each run is printed too.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.pipeline import LAUNCHER, QUICK_TICKERS, REPO, measure

DATES = ("2025-10-07", "2025-10-08")
GOAL_MB = 15


def usage(root: Path, seen: dict[tuple[int, int], tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Bytes and disk bytes per top folder of ``root`` added since ``seen`` (updated): a file
    linked from an earlier date counts once, a log file by what it grew."""
    found: dict[str, list[int]] = {}
    for path in root.rglob("*"):
        status = path.lstat()
        key = (status.st_dev, status.st_ino)
        size, disk = status.st_size if path.is_file() else 0, status.st_blocks * 512
        before = seen.get(key, (0, 0))
        seen[key] = (size, disk)
        parts = path.relative_to(root).parts
        stage = "/".join(parts[:2]) if parts[0] == "data" and len(parts) > 2 else parts[0]
        entry = found.setdefault(stage, [0, 0])
        entry[0] += size - before[0]
        entry[1] += disk - before[1]
    return {stage: (size, disk) for stage, (size, disk) in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-dir", type=Path, default=REPO.parent / "shared" / "data" / "ohlcv")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_TICKERS} + SPY only")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO), "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg")}
    universe = ["--universe-tickers", QUICK_TICKERS] if args.quick else []
    seen: dict[tuple[int, int], tuple[int, int]] = {}
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "var"
        for day in DATES:
            run = measure([sys.executable, "-c", LAUNCHER, "--module", "tasks", "DailyPipeline",
                           "--local-scheduler", "--date", day, "--data-source", "csv",
                           "--data-csv-dir", str(args.csv_dir.resolve()), "--paths-root",
                           str(root), *universe], env)
            rows.append((day, run.wall, usage(root, seen)))
        du = subprocess.run(["du", "-sk", str(root)], capture_output=True, text=True).stdout.split()[0]
    size = f"{QUICK_TICKERS} + SPY (--quick)" if args.quick else "101 tickers + SPY"
    print(f"DailyPipeline, {size}, real data, two consecutive run dates into one root")
    stages = sorted({stage for _, _, found in rows for stage in found})
    print(f"{'stage':<18}" + "".join(f" {day + ' MB':>14} {'du MB':>7}" for day, _, _ in rows))
    for stage in stages:
        cells = [found.get(stage, (0, 0)) for _, _, found in rows]
        print(f"{stage:<18}" + "".join(f" {size / 1e6:14.1f} {disk / 1e6:7.1f}" for size, disk in cells))
    totals = [(sum(s for s, _ in found.values()), sum(d for _, d in found.values()))
              for _, _, found in rows]
    print(f"{'total':<18}" + "".join(f" {size / 1e6:14.1f} {disk / 1e6:7.1f}" for size, disk in totals))
    print("wall s            " + "".join(f" {wall:14.1f} {'':>7}" for _, wall, _ in rows))
    added = totals[1][1] / 1e6
    print(f"\none more run date adds {totals[1][0] / 1e6:.1f} MB of files, {added:.1f} MB on disk "
          f"(goal <= {GOAL_MB} MB: {'met' if added <= GOAL_MB else 'not met'}); the first date "
          f"{totals[0][1] / 1e6:.0f} MB; the root {int(du) / 1e3:.0f} MB by du")
    print(f"a year of 252 daily runs: about {(totals[0][1] + 251 * totals[1][1]) / 1e9:.1f} GB "
          "(plus once a month the year-to-date part, once a year the closed years)")


if __name__ == "__main__":
    main()
