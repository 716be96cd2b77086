"""Peak memory of the direction model: the pooled S&P 100 against TSLA alone.

    PYTHONPATH=. python benchmarks/model_memory.py [--csv-dir ../shared/data/ohlcv]

Each case runs in its own process, since peak RSS is per process. A case reads the
real prices through the csv source, cleans them and builds features as the pipeline
does (one ticker at a time), stacks the labelled rows as float32, fits the forest
with the ``[model]`` settings of luigi.cfg, saves it, and scores it held out and
walk-forward. Printed: rows, feature bytes, peak RSS after each phase, seconds, and
ratios against an imports-only process and the TSLA case, and the share of the
4 GiB budget the pooled case uses.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BUDGET_MIB = 4096
RUN_DATE = dt.date(2025, 10, 8)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(case: str, csv_dir: Path) -> dict[str, float]:
    """Run one case in this process and return its figures."""
    from momentum_pipeline.features import build_features
    from momentum_pipeline.model.dataset import TickerFrames, direction_dataset, time_split
    from momentum_pipeline.model.evaluate import evaluate_window, walk_forward
    from momentum_pipeline.model.store import save_model
    from momentum_pipeline.model.train import train_direction_model
    from momentum_pipeline.sources.csvdir import fetch_csv
    from momentum_pipeline.foundation.universe import load_universe
    from momentum_pipeline.validation import clean_prices
    from tasks.config import data, features, model, universe

    figures = {"imports_peak_mib": peak_mib()}
    if case == "imports":
        return figures
    tickers = load_universe(universe().file) if case == "pooled" else ("TSLA",)
    params, start = features().settings(), data().start

    def frames():
        for ticker in tickers:
            fetched = fetch_csv(csv_dir, ticker, start, RUN_DATE)
            cleaned, _ = clean_prices(fetched.frame, ticker, RUN_DATE, where=ticker)
            yield TickerFrames(ticker, build_features(cleaned, params), cleaned["close"], ticker)

    started = time.perf_counter()
    rows = direction_dataset(frames())
    figures.update(tickers=len(tickers), rows=len(rows.target),
                   feature_mib=rows.features.memory_usage(deep=True).sum() / 2**20,
                   dataset_seconds=time.perf_counter() - started, dataset_peak_mib=peak_mib())
    settings = model().settings()
    split = time_split(rows.dates, settings.validation_fraction, settings.test_fraction,
                       settings.gap)
    forest = settings.forest(42)
    trained = train_direction_model(rows, split, forest)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.joblib"
        save_model(trained.model, path)
        figures["model_file_mib"] = path.stat().st_size / 2**20
    figures.update(train_seconds=trained.training_seconds, train_peak_mib=peak_mib())
    started = time.perf_counter()
    evaluate_window(trained.model, rows.select(split.train), rows.select(split.test),
                    settings.significance)
    walk_forward(rows, forest, settings.walk_forward_folds, split.gap, settings.significance)
    figures.update(evaluate_seconds=time.perf_counter() - started, evaluate_peak_mib=peak_mib())
    return figures


def run_case(case: str, csv_dir: Path) -> dict[str, float]:
    environment = {**os.environ, "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg"),
                   "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, __file__, "--case", case, "--csv-dir", str(csv_dir)],
                            env=environment, cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv-dir", type=Path, default=REPO.parent / "shared" / "data" / "ohlcv")
    parser.add_argument("--case", choices=["imports", "TSLA", "pooled"],
                        help="run one case in this process and print its figures as JSON")
    arguments = parser.parse_args()
    if arguments.case:
        print(json.dumps(measure(arguments.case, arguments.csv_dir)))
        return

    results = {case: run_case(case, arguments.csv_dir) for case in ("imports", "TSLA", "pooled")}
    base = results["imports"]["imports_peak_mib"]
    print(f"imports only: peak RSS {base:.0f} MiB")
    print(f"{'case':8}{'tickers':>8}{'rows':>10}{'features':>10}{'dataset':>10}{'trained':>10}"
          f"{'evaluated':>11}{'model':>8}{'fit s':>8}{'eval s':>8}")
    print(f"{'':8}{'':>8}{'':>10}{'MiB':>10}{'peak MiB':>10}{'peak MiB':>10}{'peak MiB':>11}"
          f"{'MiB':>8}")
    for case in ("TSLA", "pooled"):
        r = results[case]
        print(f"{case:8}{r['tickers']:>8}{r['rows']:>10}{r['feature_mib']:>10.1f}"
              f"{r['dataset_peak_mib']:>10.0f}{r['train_peak_mib']:>10.0f}"
              f"{r['evaluate_peak_mib']:>11.0f}{r['model_file_mib']:>8.2f}"
              f"{r['train_seconds']:>8.1f}{r['evaluate_seconds']:>8.1f}")
    pooled, single = results["pooled"], results["TSLA"]
    print(f"pooled / TSLA: rows x{pooled['rows'] / single['rows']:.1f}, peak RSS "
          f"x{pooled['evaluate_peak_mib'] / single['evaluate_peak_mib']:.2f}, above imports "
          f"x{(pooled['evaluate_peak_mib'] - base) / max(single['evaluate_peak_mib'] - base, 1):.1f}")
    share = pooled["evaluate_peak_mib"] / BUDGET_MIB
    print(f"pooled peak RSS {pooled['evaluate_peak_mib']:.0f} MiB = {share:.0%} of the "
          f"{BUDGET_MIB} MiB budget: {'within' if share <= 1 else 'OVER'} budget")


if __name__ == "__main__":
    main()
