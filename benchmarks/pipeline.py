"""The whole daily job on the real S&P 100: Luigi against a plain script, same code.

    PYTHONPATH=. python benchmarks/pipeline.py [--csv-dir ../shared/data/ohlcv]

Each case runs in a fresh process on a fresh data root (imports included) and makes
everything DailyPipeline makes for 2025-10-08 (fetch, validate, metrics, features,
signals, zipline backtest, metrics log, PDF report) for the 101 members and SPY:

  plain script       the same tasks' ``run()`` called one after another in
                     dependency order in one process: no scheduler, no workers.
                     This is the peer: what the work costs without orchestration.
  luigi, 1 worker    ``luigi --module tasks DailyPipeline --local-scheduler``
  luigi, 2 workers   the same with ``--workers 2`` (one forked process per task)
  luigi, rerun       the 1-worker case again on its finished root: nothing to do

Printed: wall seconds, CPU seconds (children included) and the ratio of each Luigi
case to the plain script. Goals: cold Luigi <= 1.5x the plain script; rerun < 3 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUN_DATE = "2025-10-08"
PLAIN_SCRIPT = """
import sys, luigi
from luigi.task import flatten
import tasks

def ordered(task, seen, out):
    if task.task_id in seen:
        return
    seen.add(task.task_id)
    for dependency in flatten(task.requires()):
        ordered(dependency, seen, out)
    out.append(task)

with luigi.cmdline_parser.CmdlineParser.global_instance(sys.argv[1:]) as parser:
    run = []
    ordered(parser.get_task_obj(), set(), run)
    for task in run:
        if not task.complete():
            task.run()
"""


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child and its children) of a command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-dir", type=Path, default=REPO.parent / "shared" / "data" / "ohlcv")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO), "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg")}
    luigi_bin = str(Path(sys.executable).with_name("luigi"))

    def job(root: Path) -> list[str]:
        return ["DailyPipeline", "--local-scheduler", "--date", RUN_DATE,
                "--data-source", "csv", "--data-csv-dir", str(args.csv_dir.resolve()),
                "--paths-root", str(root)]

    results: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        results["plain script"] = measure(
            [sys.executable, "-c", PLAIN_SCRIPT, *job(scratch / "plain")], env)
        results["luigi, 1 worker"] = measure(
            [luigi_bin, "--module", "tasks", *job(scratch / "one"), "--workers", "1"], env)
        results["luigi, 2 workers"] = measure(
            [luigi_bin, "--module", "tasks", *job(scratch / "two"), "--workers", "2"], env)
        results["luigi, rerun"] = measure(
            [luigi_bin, "--module", "tasks", *job(scratch / "one"), "--workers", "1"], env)

    plain_wall = results["plain script"][0]
    print(f"DailyPipeline, 101 tickers + SPY, real data as of {RUN_DATE}, {os.cpu_count()} cores")
    print(f"{'case':<18} {'wall s':>8} {'cpu s':>8} {'x plain':>8}")
    for case, (wall, cpu) in results.items():
        print(f"{case:<18} {wall:8.1f} {cpu:8.1f} {wall / plain_wall:8.2f}")
    best = min(results["luigi, 1 worker"][0], results["luigi, 2 workers"][0])
    print(f"goal: cold Luigi <= 1.5x plain -> {best / plain_wall:.2f}x; "
          f"rerun < 3 s -> {results['luigi, rerun'][0]:.1f} s")


if __name__ == "__main__":
    main()
