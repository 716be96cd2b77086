"""``python -m tasks.commands.trading``: the order engine's kill switch, for a person.

``status`` says the state; ``halt`` stops all sending (ExecuteTrades then refuses to
start), ``reduce-only`` lets only orders that shrink a position through, ``resume`` goes
back to ACTIVE. The state holds across runs and restarts until changed; ExecuteTrades
sets it on the engine, which checks it before every send, and writes it into the
execution report. Each change records who and why (``--by``, ``--why``) in
``executions/trading_state.json`` and appends it to ``trading_state.log`` beside it.
It takes no root lock, so trading can be halted while a pipeline runs.
"""

from __future__ import annotations

import argparse
import json
import sys

from momentum_pipeline.execution.trading_state import describe, new_trading_state, read_trading_state
from tasks.base import data_layout
from tasks.commands.root_options import apply_root_options, root_options_parser
from tasks.targets import atomic_path

COMMANDS = {"halt": "HALTED", "reduce-only": "REDUCING", "resume": "ACTIVE"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tasks.commands.trading",
                                     description=__doc__.split("\n")[0])
    root = [root_options_parser()]
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("status", parents=root, help="the trading state and who set it")
    for name, state in COMMANDS.items():
        change = commands.add_parser(name, parents=root, help=f"set the trading state to {state}")
        change.add_argument("--by", required=True, help="who sets it")
        change.add_argument("--why", required=True, help="why")
    args = parser.parse_args(argv)
    apply_root_options(args)
    path = data_layout().trading_state
    try:
        current = read_trading_state(path)
        if args.command == "status":
            print(f"trading: {describe(current)}")
            return 0
        record = new_trading_state(COMMANDS[args.command], args.by, args.why)
    except ValueError as error:
        print(f"trading: {error}", file=sys.stderr)
        return 2
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    with open(path.with_suffix(".log"), "a") as history:
        history.write(json.dumps(record, sort_keys=True) + "\n")
    print(f"trading: {describe(record)} (was {current['state']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
