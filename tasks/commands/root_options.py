"""The data-root flags the helpers share with the tasks: ``--paths-root`` and
``--data-source`` (whose default root is ``var/<source>``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from luigi.configuration import get_config


def add_root_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--paths-root", type=Path,
                        help="data root (default: [paths] root, or var/<data source>)")
    parser.add_argument("--data-source",
                        help="the runs' data source (default: [data] source)")


def root_options_parser() -> argparse.ArgumentParser:
    """The data-root flags as a parent of a command's subcommands, so that they follow
    the subcommand as users type them (``journal verify --paths-root ...``)."""
    parent = argparse.ArgumentParser(add_help=False)
    add_root_options(parent)
    return parent


def apply_root_options(args: argparse.Namespace) -> None:
    """Set the flags given into Luigi's configuration, as the tasks' own flags would."""
    config = get_config()
    if args.paths_root is not None:
        config.set("paths", "root", str(args.paths_root.resolve()))
    if args.data_source is not None:
        config.set("data", "source", args.data_source)
