"""Wall time and peak memory of the cold fetch+validate stage on the real S&P 100 + SPY.

    PYTHONPATH=. python benchmarks/fetch_validate.py [--csv-dir ../shared/data/ohlcv]
        [--start 2010-01-01] [--repeat 1]

Each case runs in a fresh process (imports and the NYSE calendar included), on a
fresh data root, ValidatePrices (and so FetchPrices) for the 101 members and SPY:

  luigi, 1 worker    the local scheduler, tasks in the scheduling process
  luigi, 2 workers   the local scheduler, one forked process per batch of tickers
  luigi, rerun       the 1-worker case again on its finished root: nothing to do
  plain loop         the same domain functions (fetch_csv, write_parquet, read back,
                     clean_prices, quality record, write_parquet) in one process,
                     without Luigi: the peer the Luigi cases are compared with
  pandas floor       read each CSV with pandas and write it as parquet, nothing else

Printed: wall seconds, CPU seconds (user + system, forked tasks included), peak RSS
of the largest process, and the ratio of each wall time to the plain loop's; then
where the time of the 1-worker run goes. Goal: the cold stage under 10 s on 2 cores.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUN_DATE = dt.date(2025, 10, 8)
GOAL_SECONDS = 10.0
CASES = ("luigi, 1 worker", "luigi, 2 workers", "luigi, rerun", "plain loop", "pandas floor")
STARTED = time.perf_counter()


def tickers() -> tuple[str, ...]:
    from tasks.universe import benchmark_ticker, universe_tickers
    return tuple(dict.fromkeys((*universe_tickers(), benchmark_ticker())))


def timed(spent: collections.Counter, phase: str, module, name: str) -> None:
    """Wrap ``module.name`` so its wall time adds up under ``phase``."""
    original = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[phase] += time.perf_counter() - began
    setattr(module, name, wrapper)


def run_luigi(root: Path, csv_dir: Path, start: str, workers: int) -> dict[str, float]:
    """ValidatePrices for every ticker; with one worker, the wall time of each phase."""
    import luigi
    from luigi.configuration import get_config

    import tasks.base
    from tasks.validate import ValidatePrices
    config = get_config()
    for section, option, value in (("paths", "root", root), ("data", "source", "csv"),
                                   ("data", "csv_dir", csv_dir), ("data", "start", start)):
        config.set(section, option, str(value))
    spent: collections.Counter = collections.Counter()
    if workers == 1:  # forked tasks would time themselves in their own processes
        import momentum_pipeline.foundation.frames as frames
        import momentum_pipeline.schema_batches as schema_batches
        import momentum_pipeline.sources.csvdir as csvdir
        import momentum_pipeline.validation as validation
        timed(spent, "preload: NYSE calendar, warm-ups", tasks.base, "preload_entry")
        timed(spent, "CSV parse", csvdir, "fetch_csv")
        timed(spent, "parquet write", frames, "write_parquet")
        timed(spent, "parquet read", frames, "read_parquet")
        timed(spent, "parquet read", frames, "read_provenance")
        timed(spent, "cleaning rules", validation, "clean_prices_together")  # one or a batch
        timed(spent, "pandera", validation, "check_schema")
        timed(spent, "pandera", schema_batches, "validate_together")
    began = time.perf_counter()
    spent["interpreter and imports (pandas, pandera, luigi)"] = began - STARTED
    result = luigi.build([ValidatePrices(date=RUN_DATE, ticker=t) for t in tickers()],
                         local_scheduler=True, workers=workers, log_level="WARNING",
                         detailed_summary=True)
    if result.status.name != "SUCCESS":
        raise SystemExit(f"fetch+validate failed: {result.summary_text}")
    spent["cleaning rules"] -= spent["pandera"]  # the schemas run inside the cleaning
    spent["Luigi and the tasks' own work (atomic writes, fsync, logs)"] = (
        time.perf_counter() - STARTED - sum(spent.values()))
    return dict(spent)


def run_loop(root: Path, csv_dir: Path, start: str) -> dict[str, float]:
    """The tasks' work without Luigi: the same functions, files and provenance."""
    from momentum_pipeline.foundation.frames import (
        dump_json, read_parquet, read_provenance, write_parquet)
    from momentum_pipeline.foundation.provenance import Provenance
    from momentum_pipeline.sources.csvdir import fetch_csv
    from momentum_pipeline.validation import clean_prices
    first = dt.date.fromisoformat(start)
    for ticker in tickers():
        fetched = fetch_csv(csv_dir, ticker, first, RUN_DATE)
        raw = root / "raw" / f"{ticker}.parquet"
        raw.parent.mkdir(parents=True, exist_ok=True)
        write_parquet(fetched.frame, raw, Provenance(task=ticker, source="csv",
                                                     sample_data=False, inputs=fetched.details))
        bars, provenance = read_parquet(raw), read_provenance(raw)
        cleaned, record = clean_prices(bars, ticker, RUN_DATE, where=fetched.details["file"])
        out = root / "cleaned" / f"{ticker}.parquet"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.with_suffix(".quality.json").write_text(dump_json(record.to_dict()))
        write_parquet(cleaned, out, provenance.derive(ticker))
    return {}


def run_floor(root: Path, csv_dir: Path, start: str) -> dict[str, float]:
    import pandas as pd
    root.mkdir(parents=True, exist_ok=True)
    for ticker in tickers():
        frame = pd.read_csv(csv_dir / f"{ticker}.csv")
        frame.loc[frame["Date"] >= start].to_parquet(root / f"{ticker}.parquet")
    return {}


def run_case(case: str, root: Path, csv_dir: Path, start: str) -> dict[str, float]:
    if case.startswith("luigi"):
        return run_luigi(root, csv_dir, start, workers=2 if "2 workers" in case else 1)
    if case == "plain loop":
        return run_loop(root, csv_dir, start)
    return run_floor(root, csv_dir, start)


def measure(case: str, root: Path, csv_dir: Path, start: str) -> dict:
    """Run ``case`` in a fresh process: wall s, CPU s, peak RSS MiB and its phases."""
    phases = root.parent / f"phases-{os.getpid()}.json"
    began = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, "--case", case, "--root", str(root), "--csv-dir",
         str(csv_dir), "--start", start, "--phases", str(phases)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO),
                       "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg")})
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    if status:
        raise SystemExit(f"{case}: the benchmark process failed ({status})")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "peak_mib": usage.ru_maxrss / 1024, "phases": json.loads(phases.read_text())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-dir", type=Path, default=REPO.parent / "shared" / "data" / "ohlcv")
    parser.add_argument("--start", default="2010-01-01", help="first date of history")
    parser.add_argument("--repeat", type=int, default=1, help="runs per case; the best counts")
    parser.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--phases", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    csv_dir = args.csv_dir.resolve()
    if args.case:  # a child: run one case and leave its phases for the parent
        args.phases.write_text(json.dumps(run_case(args.case, args.root, csv_dir, args.start)))
        return

    print(f"fetch+validate of {len(tickers())} tickers from {csv_dir}, {args.start} to "
          f"{RUN_DATE}, {os.cpu_count()} CPUs, best of {args.repeat}")
    best: dict[str, dict] = {}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="fetch-validate-") as scratch:
            for case in CASES:
                name = "luigi, 1 worker" if case == "luigi, rerun" else case
                root = Path(scratch) / name.replace(", ", "-").replace(" ", "-") / "var"
                figures = measure(case, root, csv_dir, args.start)
                if case not in best or figures["wall"] < best[case]["wall"]:
                    best[case] = figures
    peer = best["plain loop"]["wall"]
    print(f"\n{'case':<18} {'wall s':>7} {'CPU s':>7} {'peak MiB':>9} {'vs loop':>8}")
    for case in CASES:
        f = best[case]
        print(f"{case:<18} {f['wall']:>7.2f} {f['cpu']:>7.2f} {f['peak_mib']:>9.0f} "
              f"{f['wall'] / peer:>7.2f}x")
    print(f"\nwhere the 1-worker run's {best['luigi, 1 worker']['wall']:.2f} s go:")
    for phase, seconds in sorted(best["luigi, 1 worker"]["phases"].items(), key=lambda p: -p[1]):
        print(f"  {phase:<58} {seconds:>6.2f} s")
    fastest = min(best["luigi, 1 worker"]["wall"], best["luigi, 2 workers"]["wall"])
    verdict = "met" if fastest < GOAL_SECONDS else "NOT met"
    print(f"\ngoal: cold stage under {GOAL_SECONDS:.0f} s: {verdict} ({fastest:.2f} s)")


if __name__ == "__main__":
    main()
