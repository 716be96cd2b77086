"""``python -m tasks.commands.journal``: the order journal, for the person who looks after
execution.

* ``verify``: the journal's records and head check out; the positions it holds and the
  orders in doubt (exit 0; 1 with orders in doubt; 2 when it does not verify).
* ``resolve``: the final state of an order in doubt, as the venue (or the broker) reports
  it: its fills move the position and its symbol trades again. Who and why go to
  ``executions/resolutions.log`` beside the journal's own records.
* ``repair``: a journal whose last write was torn by a crash is cut back to its last
  commit (a copy of the damaged file is kept); damage inside committed records needs a
  backup, since cutting them would forget client order ids that were sent.

Each takes the data root's lock first, so no pipeline or ExecuteTrades runs meanwhile.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import sys
from pathlib import Path

import order_engine as oe

from momentum_pipeline.execution.config import ExecutionSettings
from momentum_pipeline.execution.session import (RESOLVED_STATES, in_doubt, journal_problem,
                                                 open_engine, resolve_order)
from momentum_pipeline.foundation.layout import Layout
from momentum_pipeline.operations.root_lock import RootInUse
from tasks.alerts import take_root
from tasks.base import data_layout
from tasks.commands.root_options import apply_root_options, root_options_parser
from tasks.config import execution


def resolutions_log(layout: Layout) -> Path:
    return layout.root / Layout.EXECUTIONS / "resolutions.log"


def verify(settings: ExecutionSettings, journal: Path) -> int:
    problem = journal_problem(journal)
    if problem is not None:
        print(f"journal: {problem}", file=sys.stderr)
        return 2
    if not journal.exists():
        print(f"journal: {journal} does not exist yet: no order was ever sent from this root")
        return 0
    records = len(oe.read_journal(str(journal)))
    with open_engine("paper", settings, journal) as engine:
        held = {t: int(n) for t, n in engine.positions().items() if n}
        doubts = in_doubt(engine)
    print(f"journal: {journal}: {records} records verify; positions {held or 'none'}")
    for order in doubts:
        print(f"  IN DOUBT {order['message']}")
    return 1 if doubts else 0


def resolve(args: argparse.Namespace, layout: Layout, settings: ExecutionSettings,
            journal: Path) -> int:
    with open_engine("paper", settings, journal) as engine:
        try:
            resolved = resolve_order(engine, args.order, args.status, args.filled, args.price)
        except ValueError as error:
            print(f"journal: not resolved: {error}", file=sys.stderr)
            return 2
    record = {"time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "host": socket.gethostname(), "by": args.by, "why": args.why,
              "journal": str(journal), **resolved}
    log = resolutions_log(layout)
    with open(log, "a") as out:
        out.write(json.dumps(record, sort_keys=True) + "\n")
        out.flush()
        os.fsync(out.fileno())
    print(f"journal: {args.order} resolved {resolved['status']} with {resolved['filled_quantity']} "
          f"of {resolved['quantity']} {resolved['ticker']} filled, by {args.by} ({args.why}); "
          f"recorded in {log}. Its id is never sent again: a rerun of its date, or the next "
          "date's orders, move the position to its target.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tasks.commands.journal",
                                     description=__doc__.split("\n")[0])
    root = [root_options_parser()]
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("verify", parents=root,
                        help="check the journal; list positions and orders in doubt")
    settle = commands.add_parser("resolve", parents=root,
                                 help="record the final state of an order in doubt")
    settle.add_argument("--order", required=True, help="its client order id")
    settle.add_argument("--status", required=True, choices=sorted(RESOLVED_STATES))
    settle.add_argument("--filled", required=True, type=int,
                        help="shares filled in all, as the venue reports")
    settle.add_argument("--price", type=float, default=0.0,
                        help="average price of the fills not in the journal yet (dollars)")
    settle.add_argument("--by", required=True, help="who resolves it")
    settle.add_argument("--why", required=True, help="what the venue said, or how it is known")
    commands.add_parser("repair", parents=root, help="cut a write torn after the last commit")
    args = parser.parse_args(argv)
    apply_root_options(args)
    layout = data_layout()
    try:
        take_root(layout)
    except RootInUse as busy:
        print(f"journal: {busy}", file=sys.stderr)
        return 10
    settings = ExecutionSettings.from_config(execution())
    journal = settings.journal or layout.journal
    if args.command == "verify":
        return verify(settings, journal)
    if args.command == "resolve":
        return resolve(args, layout, settings, journal)
    try:
        print(f"journal: {oe.repair_journal(str(journal))}")
    except (RuntimeError, OSError) as refused:
        print(f"journal: {refused}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
