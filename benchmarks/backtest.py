"""Wall time and peak memory of the zipline backtest against the vectorised check.

    PYTHONPATH=. python benchmarks/backtest.py [--csv-dir ../shared/data/ohlcv]

The real S&P 100 prices (101 tickers and SPY) are cleaned as the pipeline does and
traded from 2015-01-02 to 2025-10-08 (2708 sessions) with 12-1 momentum weights,
the top 20 names equally weighted and rebalanced monthly, as the pipeline's strategy
is. Each stage runs in a process forked after the inputs are loaded, so its peak
resident memory above them is its own: ingesting the bundle, the zipline run (goal:
under 30 s on 2 cores) and the vectorised check on the same weights and prices.
Printed: seconds (wall and CPU), peak MiB, the zipline / vectorised ratios and how
closely the two agree.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUN_DATE = dt.date(2025, 10, 8)
START = dt.date(2015, 1, 2)
GOAL_SECONDS = 30.0


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def _measured(stage: Callable[[], object], pipe) -> None:
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current RSS
    baseline = _status_kib("VmRSS")
    wall, cpu = time.perf_counter(), time.process_time()
    result = stage()
    pipe.send({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
               "peak_mib": (_status_kib("VmHWM") - baseline) / 1024, "result": result})


def in_fork(stage: Callable[[], object]) -> dict:
    """Run ``stage`` in a forked process: seconds, peak MiB above the fork, its result."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_measured, args=(stage, send))
    process.start()
    figures = receive.recv()
    process.join()
    return figures


def momentum_weights(closes):
    """12-1 momentum, top 20 equally weighted, decided on the last session of each month."""
    score = closes.shift(21) / closes.shift(252) - 1
    chosen = score.rank(axis=1, ascending=False, method="first") <= 20
    weights = chosen.astype(float) / 20
    return weights.groupby(weights.index.to_period("M")).tail(1).rename_axis("date")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-dir", type=Path, default=REPO.parent / "shared" / "data" / "ohlcv")
    args = parser.parse_args()

    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import zipline"], check=True)
    zipline_import = time.perf_counter() - started

    import pandas as pd

    from momentum_pipeline.backtest.algorithm import benchmark_returns, run_backtest
    from momentum_pipeline.backtest.bundle import bundle_manifest, ingest_bundle
    from momentum_pipeline.backtest.config import BacktestConfig
    from momentum_pipeline.backtest.targets import align_targets, rebalances
    from momentum_pipeline.backtest.vectorised import compare, vectorised_backtest
    from momentum_pipeline.sources.csvdir import fetch_csv
    from momentum_pipeline.foundation.universe import load_universe
    from momentum_pipeline.validation import clean_prices

    tickers = load_universe(REPO / "config" / "universe" / "sp100.csv")
    bars = {}
    for ticker in (*tickers, "SPY"):
        fetched = fetch_csv(args.csv_dir, ticker, dt.date(2010, 1, 1), RUN_DATE)
        bars[ticker], _ = clean_prices(fetched.frame, ticker, RUN_DATE, where=ticker)
    opens = pd.DataFrame({t: bars[t]["open"] for t in tickers})
    closes = pd.DataFrame({t: bars[t]["close"] for t in tickers})
    config = BacktestConfig(start=START, end=RUN_DATE, capital=1_000_000.0, benchmark="SPY")
    simulated = config.simulated_sessions(min(b.index[0] for b in bars.values()),
                                          max(b.index[-1] for b in bars.values()))
    plan = rebalances(align_targets(momentum_weights(closes), simulated, where="momentum"))
    benchmark, _ = benchmark_returns(bars["SPY"]["close"], simulated, "SPY")
    sids = {t: e["sid"] for t, e in bundle_manifest(bars, RUN_DATE)["tickers"].items()}

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "zipline"
        ingest = in_fork(lambda: len(ingest_bundle(bars, root, RUN_DATE)["tickers"]))
        zipline = in_fork(lambda: run_backtest(plan, sids, simulated, config.capital,
                                               config.costs, benchmark, root,
                                               RUN_DATE).performance)
    vectorised = in_fork(lambda: vectorised_backtest(plan, opens, closes, simulated,
                                                     config.capital, config.costs))
    comparison = compare(zipline["result"], vectorised["result"])

    print(f"backtest of {len(tickers)} tickers, {simulated[0].date()}..{simulated[-1].date()} "
          f"({len(simulated)} sessions, {len(plan)} rebalances), {os.cpu_count()} CPUs")
    print(f"{'stage':<28}{'wall s':>9}{'cpu s':>9}{'peak MiB':>10}")
    for name, figures in (("ingest bundle (zipline)", ingest), ("zipline run", zipline),
                          ("vectorised check", vectorised)):
        print(f"{name:<28}{figures['wall']:>9.2f}{figures['cpu']:>9.2f}"
              f"{figures['peak_mib']:>10.1f}")
    print(f"{'import zipline (new process)':<28}{zipline_import:>9.2f}")
    print(f"zipline / vectorised: wall x{zipline['wall'] / vectorised['wall']:.0f}, "
          f"peak memory x{zipline['peak_mib'] / max(vectorised['peak_mib'], 0.1):.0f}")
    verdict = "met" if zipline["wall"] < GOAL_SECONDS else "NOT met"
    print(f"goal zipline run < {GOAL_SECONDS:.0f} s wall: {verdict}")
    print(f"agreement: daily returns correlation {comparison['returns_correlation']:.7f}, "
          f"final equity zipline {comparison['final_equity_zipline']:,.2f} vs vectorised "
          f"{comparison['final_equity_vectorised']:,.2f} "
          f"({comparison['final_equity_difference']:+.2e})")


if __name__ == "__main__":
    main()
