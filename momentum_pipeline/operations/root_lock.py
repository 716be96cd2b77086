"""One writer per data root: an exclusive ``flock`` on ``<root>/state/root.lock``.

Two runs on one root would write the same outputs, stamps, metrics-log rows and order
journal at once. The first process that checks or runs a task of a root takes the
lock and keeps it for its lifetime; the worker processes Luigi forks share it (a
flock belongs to the open file, which a fork shares). A second process fails at
once, naming the holder's host, pid and start, which the holder writes into the
file. The kernel drops the lock when the holder dies, even by ``kill -9``, so a
lock is never stale: the next run takes it over.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
from pathlib import Path

#: Under the data root: the file whose flock marks the root's one writer.
LOCK_FILE = Path("state") / "root.lock"

#: Data root -> descriptor of its lock file, for the roots this process holds.
_held: dict[Path, int] = {}


class RootInUse(RuntimeError):
    """Another process holds the data root."""


def _holder_record() -> dict[str, object]:
    """Who holds a root: this host, this process, since now (UTC)."""
    return {"host": socket.gethostname(), "pid": os.getpid(),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


def _describe_holder(lock: Path) -> str:
    """The holder's record; in the instant between a run's taking the lock and writing
    its record, the file still names the run before it."""
    try:
        holder = json.loads(lock.read_text().partition("\n")[0])
        return f"host {holder['host']}, pid {holder['pid']}, started {holder['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that has not yet recorded itself"


def hold_root(root: Path) -> None:
    """Take the lock of ``root`` for the rest of this process's life, unless held already.

    Raises :class:`RootInUse` when another process holds it.
    """
    root = Path(root).absolute()
    if root in _held:
        return
    lock = root / LOCK_FILE
    lock.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise RootInUse(f"data root {root} is in use by {_describe_holder(lock)} "
                        f"(lock {lock}): one run per data root; wait for it to end, or "
                        "use another --paths-root") from None
    record = (json.dumps(_holder_record(), sort_keys=True) + "\n").encode()
    os.pwrite(descriptor, record, 0)
    os.ftruncate(descriptor, len(record))
    _held[root] = descriptor


def release_roots() -> None:
    """Give up every root this process holds (a test process that starts another
    run on a root it checked itself)."""
    while _held:
        os.close(_held.popitem()[1])
