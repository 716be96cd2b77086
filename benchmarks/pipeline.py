"""The whole daily job on the real S&P 100: the Luigi pipeline against a plain script.

    PYTHONPATH=. python benchmarks/pipeline.py [--csv-dir ../shared/data/ohlcv] [--rounds N] [--quick]

Each case runs as its own subprocess, measured alike (wall seconds; CPU seconds, user +
system of the process and everything it waited for; peak RSS of the largest process,
from ``wait4``; and, on Linux, the peak of the whole process tree's summed RSS,
sampled from /proc every 0.1 s, which counts pages shared by forked workers twice).
Every case reads the csv files in place and writes into a fresh temporary folder; the
job is DailyPipeline's for 2025-10-08 (fetch, validate, metrics, features, signals,
zipline ingest and backtest 2015-2025, metrics log, PDF report) for the 101 members
and SPY:

  plain script       ``benchmarks/plain_script.py``: the job written as one plain
                     script the way a user would (pandas, TA-Lib, a stock zipline
                     csvdir bundle, matplotlib, weasyprint), importing nothing from
                     this project. The peer: the work without the pipeline.
  luigi, 1 worker    ``luigi --module tasks DailyPipeline --local-scheduler``
  luigi, 2 workers   the same with ``--workers 2`` (one forked process per task, or per batch of tickers)
  luigi, rerun       the 1-worker case again on its finished root: nothing to do
  ... data stages    the plain script with ``--until signals`` and Luigi's
                     ``GenerateSignals`` (1 worker) cold: everything up to the signals;
                     then with 2 workers, and with 2 workers and one task process per
                     ticker (``--batch-tickers 1``, the design before batches)

The Luigi runs go through a small launcher (``luigi.cmdline.luigi_run``, what the
``luigi`` command calls) that records each task's processing time (Luigi's
PROCESSING_TIME event) for the per-stage breakdown of the 1-worker cold run.
``--rounds N`` runs every case N times, round after round, so a slow spell of a shared
machine falls on every case alike; each case's middle run counts, and its range is printed.
``--quick`` runs 3 tickers + SPY instead (a smoke check; the figures mean little; the
pipeline also runs its deep-dive ticker there).

The plain script's backtest ends on 2025-10-07, SPY's last bar in the csv files (zipline
refuses a benchmark that ends before the period); it does no validation beyond dropping
NaN rows, duplicate dates and non-positive prices, and no stamps or provenance.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUN_DATE = "2025-10-08"
QUICK_TICKERS = "AAPL,JPM,XOM"
DATA_FAMILIES = ("FetchPrices", "ValidatePrices", "CalculateMetrics", "BuildFeatures",
                 "ConfirmTicker", "GenerateSignals")
LAUNCHER = """
import json, os, sys, luigi
from luigi.cmdline import luigi_run

times = os.environ.get("BENCH_TASK_TIMES")

if times:
    @luigi.Task.event_handler(luigi.Event.PROCESSING_TIME)
    def _record(task, seconds):
        with open(times, "a") as out:
            out.write(json.dumps([task.task_family, seconds]) + "\\n")

luigi_run(sys.argv[1:])
"""


@dataclass
class Measure:
    wall: float
    cpu: float
    maxrss_mb: float
    tree_rss_mb: float | None
    stdout: str = ""
    task_times: dict[str, list[float]] = field(default_factory=dict)


def tree_rss_peak(pid: int, stop: threading.Event, peak: list[int]) -> None:
    """Sample the summed RSS of ``pid`` and its descendants from /proc every 0.1 s."""
    page = os.sysconf("SC_PAGE_SIZE")
    while not stop.is_set():
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * page
        tree, grew = {pid}, True
        while grew:
            more = {child for child, parent in parents.items() if parent in tree} - tree
            tree |= more
            grew = bool(more)
        peak[0] = max(peak[0], sum(rss.get(p, 0) for p in tree))
        stop.wait(0.1)


def measure(command: list[str], env: dict[str, str], task_times: Path | None = None) -> Measure:
    """Run one case as a subprocess; wall, CPU and memory from its own ``wait4``."""
    env = dict(env)
    if task_times is not None:
        env["BENCH_TASK_TIMES"] = str(task_times)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        began = time.perf_counter()
        child = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=err, text=True)
        stop, peak = threading.Event(), [0]
        sampler = threading.Thread(target=tree_rss_peak, args=(child.pid, stop, peak), daemon=True)
        if Path("/proc/self/stat").exists():
            sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - began
        child.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        if sampler.is_alive():
            sampler.join()
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    if child.returncode != 0:
        shown = command[:1] + ["<launcher>"] + command[3:] if command[1] == "-c" else command
        sys.exit(f"{' '.join(shown)} failed ({child.returncode}):\n{stdout[-3000:]}\n{stderr[-3000:]}")
    times: dict[str, list[float]] = defaultdict(list)
    if task_times is not None and task_times.exists():
        for line in task_times.read_text().splitlines():
            family, seconds = json.loads(line)
            times[family].append(seconds)
    return Measure(wall=wall, cpu=usage.ru_utime + usage.ru_stime, maxrss_mb=usage.ru_maxrss / 1024,
                   tree_rss_mb=peak[0] / 2**20 if peak[0] else None, stdout=stdout,
                   task_times=dict(times))


def plain_stages(stdout: str) -> dict[str, float]:
    return json.loads(stdout.strip().splitlines()[-1])["stages"]


def one_round(plain: list[str], luigi, run: Path, env: dict[str, str]) -> dict[str, Measure]:
    """Every case once, cold in fresh folders under ``run`` (the rerun on the 1-worker root)."""
    run.mkdir(parents=True)
    return {  # in this order: the rerun finds the 1-worker run's root done
        "plain script": measure(plain, env),
        "luigi, 1 worker": measure(luigi("DailyPipeline", run / "one", 1), env, run / "one.times"),
        "luigi, 2 workers": measure(luigi("DailyPipeline", run / "two", 2), env),
        "luigi, rerun": measure(luigi("DailyPipeline", run / "one", 1), env),
        "plain, data stages": measure([*plain, "--until", "signals"], env),
        "luigi, data stages": measure(luigi("GenerateSignals", run / "signals", 1), env),
        "... data stages, 2w": measure(luigi("GenerateSignals", run / "signals2", 2), env),
        "... 2w, unbatched": measure(
            [*luigi("GenerateSignals", run / "unbatched", 2), "--batch-tickers", "1"], env),
    }


def middle(runs: list[Measure]) -> Measure:
    """The run of the middle wall time (of an even number, the slower of the two middle ones):
    a machine shared with other work slows some runs, never speeds one up."""
    return sorted(runs, key=lambda m: m.wall)[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-dir", type=Path, default=REPO.parent / "shared" / "data" / "ohlcv")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_TICKERS} + SPY only")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run every case this many times, the cases of a round one after "
                             "the other; each case's middle run by wall time counts")
    args = parser.parse_args()
    csv_dir = args.csv_dir.resolve()
    env = {**os.environ, "PYTHONPATH": str(REPO), "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg")}
    universe = ["--universe-tickers", QUICK_TICKERS] if args.quick else []
    plain = [sys.executable, str(REPO / "benchmarks" / "plain_script.py"), "--data-dir", str(csv_dir),
             "--date", RUN_DATE, *(["--tickers", QUICK_TICKERS] if args.quick else [])]

    def luigi(task: str, root: Path, workers: int) -> list[str]:
        return [sys.executable, "-c", LAUNCHER, "--module", "tasks", task, "--local-scheduler",
                "--date", RUN_DATE, "--data-source", "csv", "--data-csv-dir", str(csv_dir),
                "--paths-root", str(root), "--workers", str(workers), *universe]

    samples: dict[str, list[Measure]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as scratch:
        for round_ in range(args.rounds):
            run = Path(scratch) / f"round-{round_}"
            for case, sample in one_round(plain, luigi, run, env).items():
                samples[case].append(sample)
            shutil.rmtree(run)
    results = {case: middle(runs) for case, runs in samples.items()}

    plain_run = results["plain script"]
    size = f"{QUICK_TICKERS} + SPY (--quick)" if args.quick else "101 tickers + SPY"
    print(f"DailyPipeline, {size}, real data as of {RUN_DATE}, {os.cpu_count()} cores")
    if args.rounds > 1:
        print(f"the middle of {args.rounds} rounds by wall time; 'wall range' is every round's")
    print(f"{'case':<20} {'wall s':>7} {'cpu s':>7} {'max RSS MB':>10} {'tree RSS MB':>11}"
          f" {'wall x plain':>12} {'wall range':>11}")
    for case, m in results.items():
        base = results["plain, data stages"] if "data stages" in case or "2w" in case else plain_run
        tree = f"{m.tree_rss_mb:11.0f}" if m.tree_rss_mb is not None else f"{'-':>11}"
        walls = [sample.wall for sample in samples[case]]
        print(f"{case:<20} {m.wall:7.1f} {m.cpu:7.1f} {m.maxrss_mb:10.0f} {tree}"
              f" {m.wall / base.wall:12.2f} {min(walls):5.1f}-{max(walls):<5.1f}")

    print("\nplain script, seconds per stage (its own clock):")
    stages = plain_stages(plain_run.stdout)
    print("  " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in stages.items()))

    one = results["luigi, 1 worker"]
    print("\nluigi 1 worker cold, task run() seconds per family (Luigi's PROCESSING_TIME):")
    print(f"  {'family':<18} {'tasks':>5} {'sum s':>7} {'mean ms':>8}")
    for family, times in sorted(one.task_times.items(), key=lambda item: -sum(item[1])):
        print(f"  {family:<18} {len(times):5d} {sum(times):7.1f} {1000 * sum(times) / len(times):8.1f}")
    in_tasks = sum(sum(times) for times in one.task_times.values())
    data_in_tasks = sum(sum(one.task_times.get(f, [])) for f in DATA_FAMILIES)
    print(f"  {'all tasks':<18} {'':5} {in_tasks:7.1f}   (data stages {data_in_tasks:.1f}); "
          f"outside run(): imports, scheduling, completeness checks {one.wall - in_tasks:.1f} s")

    data_ratio = results["luigi, data stages"].wall / results["plain, data stages"].wall
    plain_data_work = sum(stages.get(s, 0.0) for s in ("read + clean", "features", "signals"))
    print("\nratios (wall):")
    print(f"  data stages (up to GenerateSignals), luigi 1 worker / plain: {data_ratio:.2f}"
          f"  (work inside tasks / plain's own stage clock: {data_in_tasks:.1f} / {plain_data_work:.1f}"
          f" = {data_in_tasks / plain_data_work:.2f})")
    data_two = results["... data stages, 2w"].wall
    print(f"  data stages, luigi 2 workers / plain: {data_two / results['plain, data stages'].wall:.2f};"
          f" 2 workers / 1 worker: {data_two / results['luigi, data stages'].wall:.2f};"
          f" one task per ticker (--batch-tickers 1) / batches, 2 workers:"
          f" {results['... 2w, unbatched'].wall / data_two:.2f}")
    print(f"  whole job, luigi 1 worker / plain: {one.wall / plain_run.wall:.2f};"
          f" 2 workers / plain: {results['luigi, 2 workers'].wall / plain_run.wall:.2f}")
    print(f"  2 workers / 1 worker: wall {results['luigi, 2 workers'].wall / one.wall:.2f},"
          f" cpu {results['luigi, 2 workers'].cpu / one.cpu:.2f}")
    print(f"  rerun: {results['luigi, rerun'].wall:.1f} s")


if __name__ == "__main__":
    main()
