"""Where a run's outputs are: ``python -m tasks.commands.where --paths-root ROOT --date DATE``.

Prints each stage folder of the run date with its number of files, the shared logs,
and last the PDF report's path (what ``make demo`` ends with). Exits 1 when the
report has not been made.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from luigi.configuration import get_config

from tasks.report import GenerateReport


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tasks.commands.where",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--paths-root", type=Path, help="data root (default: [paths] root)")
    parser.add_argument("--date", type=dt.date.fromisoformat, default=dt.date.today(),
                        help="run date, YYYY-MM-DD (default: today)")
    args = parser.parse_args(argv)
    if args.paths_root is not None:
        get_config().set("paths", "root", str(args.paths_root.resolve()))
    report = GenerateReport(date=args.date)
    layout = report.layout
    print(f"outputs of {args.date} under {layout.root.resolve()}:")
    for stage in layout.DATED:
        folder = report.folder(stage)
        if folder.is_dir():
            files = sum(1 for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
            print(f"  {folder.resolve()}/  ({files} files)")
    for log in (layout.performance_log, layout.alerts_log):
        if log.is_file():
            print(f"  {log.resolve()}")
    outputs = report.output()
    pdf = Path(outputs["pdf"].path).resolve()
    if not pdf.is_file():
        print(f"no report for {args.date} yet: {pdf} does not exist "
              f"(run: luigi --module tasks DailyPipeline --date {args.date})", file=sys.stderr)
        return 1
    print(f"Markdown summary: {Path(outputs['summary'].path).resolve()}")
    print(f"HTML report: {Path(outputs['html'].path).resolve()}")
    print(f"PDF report: {pdf}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
