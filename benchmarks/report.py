"""Speed of GenerateReport on the real S&P 100 run (101 tickers and SPY), against its
30 s budget.

    PYTHONPATH=. python benchmarks/report.py [--paths-root DIR] [--csv-dir ../shared/data/ohlcv]
                                             [--repeat 3]

First builds, or reuses from an earlier run in the same data root, everything the
report needs (``luigi --module tasks LogPerformance`` and the deep-dive stages on the csv
source). Then ``--repeat`` times: deletes the report and runs GenerateReport alone in
a fresh ``luigi`` process, as a daily run does. Printed: seconds of each run, the
median's share of the budget, and peers measured in the same run: a no-op rerun of the
task (process start and completion check, the fixed cost in every run) and, in this
process, each phase of the report (load inputs, charts, HTML, PDF).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BUDGET_SECONDS = 30.0
RUN_DATE = "2025-10-08"


def luigi(*args: str, root: Path, csv_dir: Path) -> float:
    """Seconds of one ``luigi --module tasks`` run with the csv source on ``root``."""
    command = [str(Path(sys.executable).with_name("luigi")), "--module", "tasks", *args,
               "--local-scheduler", "--date", RUN_DATE, "--paths-root", str(root),
               "--data-source", "csv", "--data-csv-dir", str(csv_dir)]
    env = {**os.environ, "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg"),
           "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0 or ":)" not in done.stderr:
        sys.exit(f"luigi {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return seconds


def remove_report(reports: Path) -> None:
    for name in ("summary.md", "final_analysis_report.html", "final_analysis_report.pdf"):
        (reports / name).unlink(missing_ok=True)
    shutil.rmtree(reports / "charts", ignore_errors=True)


def phases(root: Path, csv_dir: Path) -> dict[str, float]:
    """Seconds of each phase of the report, in this process (modules imported first)."""
    import datetime as dt

    from luigi.configuration import get_config

    for section, option, value in (("paths", "root", root), ("data", "source", "csv"),
                                   ("data", "csv_dir", csv_dir)):
        get_config().set(section, option, str(value))
    from momentum_pipeline.reporting.context import draw_charts, load_report, report_context
    from momentum_pipeline.reporting.render import render_html, render_pdf
    from tasks.report import GenerateReport

    task = GenerateReport(date=dt.date.fromisoformat(RUN_DATE))
    figures, clock = {}, time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        figures[name], clock = now - clock, now

    import weasyprint  # noqa: F401 - import cost is not a phase of a warm worker
    lap("imports")
    data = load_report(task.sources())
    lap("load inputs")
    drawn = draw_charts(data, 110, 126)
    lap(f"{len(drawn)} charts")
    html = render_html(report_context(data, drawn, {}))
    lap("HTML")
    render_pdf(html, Path(task.output()["html"].path))
    lap("PDF")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--paths-root", type=Path, default=Path("/tmp/momentum-bench-report"))
    parser.add_argument("--csv-dir", type=Path, default=REPO.parent / "shared" / "data" / "ohlcv")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root, csv_dir = args.paths_root.resolve(), args.csv_dir.resolve()
    reports = root / "reports" / RUN_DATE

    upstream = luigi("GenerateReport", "--workers", "2", root=root, csv_dir=csv_dir)
    print(f"upstream stages and a first report ({root}): {upstream:.1f} s")
    runs = []
    for _ in range(args.repeat):
        remove_report(reports)
        runs.append(luigi("GenerateReport", root=root, csv_dir=csv_dir))
    noop = luigi("GenerateReport", root=root, csv_dir=csv_dir)
    median = statistics.median(runs)
    tickers = len(list((root / "data" / "cleaned" / RUN_DATE).glob("*.quality.json")))
    print(f"GenerateReport for {tickers} tickers, fresh process each: "
          + ", ".join(f"{s:.1f}" for s in runs) + f" s; median {median:.1f} s")
    print(f"  budget {BUDGET_SECONDS:.0f} s: median uses {median / BUDGET_SECONDS:.0%} of it"
          f" ({'within' if median < BUDGET_SECONDS else 'OVER'} budget)")
    print(f"  peer: no-op rerun (process start, completion check) {noop:.1f} s; "
          f"the report's own work is {median - noop:.1f} s, {median / noop:.1f}x the no-op")
    print("  phases in one warm process:")
    for name, seconds in phases(root, csv_dir).items():
        print(f"    {name:<12} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
