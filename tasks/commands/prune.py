"""``python -m tasks.commands.prune``: delete old run dates' outputs under a data root.

Keeps the last ``--keep-last`` run dates, the last run of each of the last
``--keep-month-ends`` months, and every date with executions
(``momentum_pipeline.operations.retention``); lists what it would delete and the space
it frees, and deletes only with ``--apply``. The logs (``logs/metrics.csv`` holds every
date's performance row), the order journal and the data-source record stay. It holds the
root's lock while it works, so it never deletes under a running pipeline; a date's
stamps go first, so a date interrupted half-way reads as not done and is rebuilt if a
run asks for it again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
from pathlib import Path

from momentum_pipeline.foundation.layout import Layout
from momentum_pipeline.operations.retention import RetentionPolicy, dates_to_keep
from momentum_pipeline.operations.root_lock import RootInUse
from tasks.alerts import take_root
from tasks.base import data_layout
from tasks.commands.root_options import add_root_options, apply_root_options


def run_dates(layout: Layout) -> dict[dt.date, list[Path]]:
    """Each run date under the root with its dated folders, stamps (``state``) first."""
    found: dict[dt.date, list[Path]] = {}
    for stage in (Layout.STATE, *(s for s in Layout.DATED if s != Layout.STATE)):
        parent = layout.root.joinpath(*stage.split("/"))
        if not parent.is_dir():
            continue
        for folder in sorted(parent.iterdir()):
            try:
                day = dt.date.fromisoformat(folder.name)
            except ValueError:
                continue  # not a run date: a hidden temporary folder, running markers
            if folder.is_dir():
                found.setdefault(day, []).append(folder)
    return found


def freed_bytes(folders: list[Path]) -> int:
    """The bytes deleting ``folders`` frees: a file another date still links (an unchanged
    part it shares, ``tasks.targets``) frees nothing."""
    files: dict[tuple[int, int], list[int]] = {}  # (device, inode) -> size, links seen, links
    for folder in folders:
        for path in folder.rglob("*"):
            status = path.lstat()
            if path.is_file() and not path.is_symlink():
                entry = files.setdefault((status.st_dev, status.st_ino),
                                         [status.st_size, 0, status.st_nlink])
                entry[1] += 1
    return sum(size for size, seen, links in files.values() if seen >= links)


def delete(folder: Path) -> None:
    """Rename away first, so the folder vanishes at once whatever rmtree meets later."""
    doomed = folder.with_name(f".{folder.name}.pruning-{os.getpid()}")
    folder.rename(doomed)
    shutil.rmtree(doomed)


def megabytes(count: int) -> str:
    return f"{count / 1e6:,.1f} MB"


def prune(layout: Layout, policy: RetentionPolicy, apply: bool) -> int:
    folders = run_dates(layout)
    executed = {day for day, paths in folders.items()
                if any(p.parent.name == Layout.EXECUTIONS for p in paths)}
    kept = dates_to_keep(set(folders), executed, policy)
    doomed = {day: paths for day, paths in sorted(folders.items()) if day not in kept}
    freed = {day: freed_bytes(paths) for day, paths in doomed.items()}
    total = freed_bytes([path for paths in doomed.values() for path in paths])
    print(f"prune: {layout.root}: {len(folders)} run dates; keeping {len(kept)}, "
          f"{'deleting' if apply else 'would delete'} {len(doomed)} (frees {megabytes(total)})")
    for day, why in kept.items():
        print(f"  keep   {day}  {why}")
    for day, paths in doomed.items():
        print(f"  delete {day}  {megabytes(freed[day])} of its own in {len(paths)} folders")
        if apply:
            for folder in paths:
                delete(folder)
    if not apply and doomed:
        print("dry run: nothing deleted; add --apply to delete")
    return 0


def main(argv: list[str] | None = None) -> int:
    defaults = RetentionPolicy()
    parser = argparse.ArgumentParser(prog="python -m tasks.commands.prune",
                                     description=__doc__.split("\n")[0])
    add_root_options(parser)
    parser.add_argument("--keep-last", type=int, default=defaults.keep_last,
                        help=f"most recent run dates kept (default {defaults.keep_last})")
    parser.add_argument("--keep-month-ends", type=int, default=defaults.keep_month_ends,
                        help="months whose last run date is kept, counted back from the "
                             f"latest (default {defaults.keep_month_ends})")
    parser.add_argument("--apply", action="store_true", help="delete (default: list only)")
    args = parser.parse_args(argv)
    apply_root_options(args)
    try:
        policy = RetentionPolicy(args.keep_last, args.keep_month_ends)
    except ValueError as error:
        parser.error(str(error))
    layout = data_layout()
    if not layout.root.is_dir():
        print(f"prune: {layout.root} does not exist", file=sys.stderr)
        return 1
    try:
        take_root(layout)
    except RootInUse as busy:
        print(f"prune: {busy}", file=sys.stderr)
        return 10
    return prune(layout, policy, args.apply)


if __name__ == "__main__":
    sys.exit(main())
