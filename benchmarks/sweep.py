"""The parameter sweep's speed on the real S&P 100: configurations per second.

    PYTHONPATH=. python benchmarks/sweep.py [--root ROOT] [--configurations N]

Builds the run date's inputs with Luigi into ROOT (a fresh temporary root by default:
GenerateSignals and IngestBundle on the real data of ../shared/data, 101 tickers), then
times :func:`momentum_pipeline.research.sweep.sweep_returns` over the configurations of
``config/research/sweep.toml`` (all, or the first ``--configurations``) in this process
(the signals and the vectorised backtest, 2015-01-02 to 2025-10-08, about ten years; the
compiled trading loop's first load counts), and the statistics
(:func:`evaluate`: the DSR and the PBO's 12,870 CSCV splits). Prints configurations per
second (goal of issue 17: at least 200 on 2 cores) and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUN_DATE = "2025-10-08"
GOAL_PER_SECOND = 200


def build_inputs(root: Path, csv_dir: Path) -> None:
    env = {**os.environ, "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg"), "PYTHONPATH": str(REPO)}
    for task in ("GenerateSignals", "IngestBundle"):
        subprocess.run([str(Path(sys.executable).with_name("luigi")), "--module", "tasks", task,
                        "--local-scheduler", "--date", RUN_DATE, "--paths-root", str(root),
                        "--data-source", "csv", "--data-csv-dir", str(csv_dir)],
                       cwd=REPO, env=env, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, help="a data root with the run date's inputs")
    parser.add_argument("--csv-dir", type=Path, default=REPO.parent / "shared" / "data" / "ohlcv")
    parser.add_argument("--configurations", type=int, help="the first N of the grid only")
    args = parser.parse_args()
    os.environ["LUIGI_CONFIG_PATH"] = str(REPO / "luigi.cfg")
    with tempfile.TemporaryDirectory() as scratch:
        root = args.root or Path(scratch) / "var"
        if args.root is None:
            build_inputs(root, args.csv_dir.resolve())
        from luigi.configuration import get_config

        from momentum_pipeline.backtest.checked_run import Market
        from momentum_pipeline.research.sweep import evaluate, load_grid, sweep_returns
        from tasks.config import backtest, signals
        from tasks.signals import GenerateSignals

        get_config().set("paths", "root", str(root))
        get_config().set("data", "source", "csv")
        day = dt.date.fromisoformat(RUN_DATE)
        generate = GenerateSignals(date=day)
        passed, _ = generate.screened_universe()
        inputs = generate.signal_inputs(passed)
        config = backtest().settings().config(day, "SPY")
        prices = generate.requires()["universe"]
        benchmark = generate.requires()["benchmark"]
        manifest = generate.layout.dated("zipline", day) / "bundle.json"
        import json

        market = Market.of(json.loads(manifest.read_text()), lambda t: (
            benchmark if t == config.benchmark else prices[t]["prices"]).output()["prices"].read_frame(),
            config, list(inputs.close.columns))
        grid = load_grid(REPO / "config" / "research" / "sweep.toml", signals().strategy_file)
        configurations = grid.configurations()[0][:args.configurations]
        began = time.perf_counter()
        returns, computed = sweep_returns(configurations, inputs, market, config)
        swept = time.perf_counter() - began
        began = time.perf_counter()
        evaluate(returns, configurations, grid.base, grid.holdout_start, [])
        judged = time.perf_counter() - began
    rate = computed / swept
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"sweep on {inputs.close.shape[1]} tickers x {len(market.simulated)} sessions "
          f"({market.simulated[0].date()}..{market.simulated[-1].date()}), {os.cpu_count()} cores, "
          "one process")
    print(f"  {computed} configurations in {swept:.1f} s: {rate:.1f} per second "
          f"(goal >= {GOAL_PER_SECOND}: {'met' if rate >= GOAL_PER_SECOND else 'not met'}); "
          f"{1000 / rate:.0f} ms each")
    print(f"  statistics (DSR, PBO over 12,870 CSCV splits): {judged:.2f} s")
    print(f"  peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
