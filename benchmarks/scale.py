"""Scale: time and peak memory as the universe grows and as a backfill gets longer.

    PYTHONPATH=. python benchmarks/scale.py [--csv-dir ../shared/data/ohlcv] [--quick]

Each case runs as its own subprocess with 1 worker into a fresh temporary data root,
measured as ``benchmarks/pipeline.py`` measures (wall seconds; CPU seconds, user +
system; peak RSS of the largest process, from ``wait4``: with 1 worker, the whole run).
Two axes:

  universe   the sample source with 100, 300 and 1,000 synthetic tickers (S0000,
             S0001, ... in a temporary universe file; the sample source draws any
             ticker's bars from its name), the whole DailyPipeline as of 2025-10-08
             cold (the benchmark SPY and the report's deep-dive ticker come on top):
             every stage, since the per-ticker stages, the zipline ingest and
             backtest and Luigi's scheduling all grow with the universe. The data
             stages' own share (fetch through signals: the seconds inside their
             ``run()``, Luigi's PROCESSING_TIME event) is printed beside it.
  backfill   the real S&P 100 (the csv files read in place): the README's backfill,
             ``python -m tasks.commands.backfill`` (one ``luigi`` run a date, oldest
             first), over the last 1, 5 and 20 sessions up to 2025-10-08, each into one
             fresh root, with the disk it takes (``du``'s blocks, a part
             hard-linked from an earlier date counted once: ``benchmarks/storage.py``);
             and its peer, Luigi's ``RangeDaily --of DailyPipeline --reverse`` (one run
             of every date) over the 20 sessions.

Each axis prints its growth from the smallest to the largest case against linear
growth (10x the tickers, 20x the sessions), and "linear or better: yes" when wall time
and peak RSS both grew by no more than that. ``--quick`` runs 3 and 10 tickers and
1 and 2 sessions of AAPL, JPM and XOM instead (a smoke check; the figures mean little).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from benchmarks.pipeline import (DATA_FAMILIES, LAUNCHER, QUICK_TICKERS, REPO, RUN_DATE, Measure,
                                 measure)
from benchmarks.storage import usage
from momentum_pipeline.foundation.calendar import sessions_before

UNIVERSE_SIZES = (100, 300, 1000)
BACKFILL_SESSIONS = (1, 5, 20)
QUICK_UNIVERSE_SIZES = (3, 10)
QUICK_BACKFILL_SESSIONS = (1, 2)


def write_synthetic_universe(path: Path, count: int) -> Path:
    """A universe file of ``count`` made-up tickers, S0000 upwards."""
    path.write_text("ticker\n" + "".join(f"S{number:04d}\n" for number in range(count)))
    return path


def backfill_window(count: int, last: dt.date) -> tuple[dt.date, dt.date]:
    """RangeDaily's ``--start`` and (exclusive) ``--stop`` covering the last ``count``
    sessions up to ``last``: calendar days, whose weekends resolve to the Friday before."""
    return sessions_before(last, count)[0].date(), last + dt.timedelta(days=1)


def stored(root: Path) -> int:
    """Bytes a data root takes on disk, each hard-linked part once."""
    return sum(disk for _, disk in usage(root, {}).values())


def data_stages_seconds(run: Measure) -> float:
    """Seconds spent inside the run() of the data stages (fetch through signals)."""
    return sum(sum(run.task_times.get(family, [])) for family in DATA_FAMILIES)


def growth_verdict(unit: str, sizes: tuple[int, int], runs: tuple[Measure, Measure]) -> str:
    """Growth of wall time and peak RSS from the smallest case to the largest, against linear."""
    linear = sizes[1] / sizes[0]
    wall, memory = runs[1].wall / runs[0].wall, runs[1].maxrss_mb / runs[0].maxrss_mb
    verdict = "yes" if wall <= linear and memory <= linear else "no"
    return (f"growth {sizes[0]} -> {sizes[1]} {unit} (linear {linear:.1f}x): wall {wall:.2f}x, "
            f"peak RSS {memory:.2f}x\nlinear or better: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-dir", type=Path, default=REPO.parent / "shared" / "data" / "ohlcv")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_UNIVERSE_SIZES} tickers, {QUICK_BACKFILL_SESSIONS} "
                             f"sessions of {QUICK_TICKERS}")
    parser.add_argument("--only", choices=("universe", "backfill"),
                        help="measure one of the two (each takes a quarter of an hour or more)")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO), "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg")}
    universe_sizes = () if args.only == "backfill" else (
        QUICK_UNIVERSE_SIZES if args.quick else UNIVERSE_SIZES)
    backfill_sessions = () if args.only == "universe" else (
        QUICK_BACKFILL_SESSIONS if args.quick else BACKFILL_SESSIONS)
    real_universe = ["--universe-tickers", QUICK_TICKERS] if args.quick else []
    run_date = dt.date.fromisoformat(RUN_DATE)

    def luigi(*task_and_flags: str, root: Path) -> list[str]:
        return [sys.executable, "-c", LAUNCHER, "--module", "tasks", *task_and_flags,
                "--local-scheduler", "--workers", "1", "--paths-root", str(root)]

    universe_runs: dict[int, Measure] = {}
    backfill_runs: dict[int, tuple[Measure, int]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for count in universe_sizes:
            tickers = write_synthetic_universe(scratch / f"universe-{count}.csv", count)
            universe_runs[count] = measure(luigi(
                "DailyPipeline", "--date", RUN_DATE, "--data-source", "sample",
                "--universe-file", str(tickers), root=scratch / f"universe-{count}"), env,
                scratch / f"universe-{count}.times")
        csv_source = ["--data-source", "csv", "--data-csv-dir", str(args.csv_dir.resolve()),
                      *real_universe]
        for count in backfill_sessions:
            start, _ = backfill_window(count, run_date)
            root = scratch / f"backfill-{count}"
            run = measure([sys.executable, "-m", "tasks.commands.backfill", "--start",
                           start.isoformat(), "--end", RUN_DATE, "--local-scheduler",
                           "--workers", "1", "--paths-root", str(root), *csv_source], env)
            backfill_runs[count] = (run, stored(root))
        if backfill_sessions:
            count = backfill_sessions[-1]
            start, stop = backfill_window(count, run_date)
            root = scratch / f"range-daily-{count}"
            range_daily = (measure(luigi(
                "RangeDaily", "--of", "DailyPipeline", "--param-name", "date",
                "--start", start.isoformat(), "--stop", stop.isoformat(), "--days-back", "3650",
                "--reverse", *csv_source, root=root), env), stored(root))

    print(f"Scale, {os.cpu_count()} cores, 1 worker, every case cold in a fresh data root")
    if universe_runs:
        print(f"\nuniverse: sample source, DailyPipeline as of {RUN_DATE}, N synthetic tickers "
              "(+ SPY and the deep-dive ticker)")
        print(f"{'tickers':>8} {'wall s':>8} {'cpu s':>8} {'peak RSS MB':>11} {'ms/ticker':>9}"
              f" {'data stages s':>13}")
        for count, run in universe_runs.items():
            print(f"{count:8d} {run.wall:8.1f} {run.cpu:8.1f} {run.maxrss_mb:11.0f}"
                  f" {1000 * run.wall / count:9.0f} {data_stages_seconds(run):13.1f}")
        smallest, largest = universe_sizes[0], universe_sizes[-1]
        print(growth_verdict("tickers", (smallest, largest),
                             (universe_runs[smallest], universe_runs[largest])))
        data_growth = data_stages_seconds(universe_runs[largest]) / data_stages_seconds(universe_runs[smallest])
        print(f"data stages alone (inside their run()): {data_growth:.2f}x")

    if backfill_runs:
        size = f"{QUICK_TICKERS} + SPY (--quick)" if args.quick else "S&P 100 + SPY"
        print(f"\nbackfill: real {size} (csv), python -m tasks.commands.backfill over the last N "
              f"sessions up to {RUN_DATE}")
        print(f"{'sessions':>8} {'wall s':>8} {'cpu s':>8} {'peak RSS MB':>11} {'s/session':>9}"
              f" {'disk MB':>8} {'MB/session':>10}")
        for count, (run, disk) in backfill_runs.items():
            print(f"{count:8d} {run.wall:8.1f} {run.cpu:8.1f} {run.maxrss_mb:11.0f}"
                  f" {run.wall / count:9.1f} {disk / 1e6:8.1f} {disk / 1e6 / count:10.1f}")
        first, last = backfill_sessions[0], backfill_sessions[-1]
        (first_run, first_disk), (last_run, last_disk) = backfill_runs[first], backfill_runs[last]
        print(growth_verdict("sessions", (first, last), (first_run, last_run)))
        print(f"disk {last_disk / first_disk:.2f}x; each session after the first adds "
              f"{(last_disk - first_disk) / (last - first) / 1e6:.1f} MB")
        peer, peer_disk = range_daily
        print(f"peer: RangeDaily --reverse, one luigi run of the {last} sessions: "
              f"{peer.wall:.1f} s wall, {peer.cpu:.1f} s cpu, peak RSS {peer.maxrss_mb:.0f} MB, "
              f"disk {peer_disk / 1e6:.1f} MB; backfill / RangeDaily: {last_run.wall / peer.wall:.2f}")


if __name__ == "__main__":
    main()
