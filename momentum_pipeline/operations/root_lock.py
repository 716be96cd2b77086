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
import time
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


def _alive_here(holder: dict[str, object]) -> bool:
    """Whether ``holder`` names a live process of this host (a record of another host
    cannot be checked, so it counts as alive)."""
    if holder.get("host") != socket.gethostname():
        return True
    try:
        os.kill(int(holder["pid"]), 0)  # type: ignore[arg-type]
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _describe_holder(lock: Path, patience: float = 2.0) -> str:
    """The holder's record. A run that has just taken the lock writes its record a
    moment later; until then the file is empty or names the dead run before it, so
    wait up to ``patience`` seconds for a record of a live process."""
    deadline = time.monotonic() + patience
    while True:
        try:
            holder = json.loads(lock.read_text().partition("\n")[0])
            described = f"host {holder['host']}, pid {holder['pid']}, started {holder['started']}"
            if _alive_here(holder):
                return described
        except (OSError, ValueError, KeyError, TypeError):
            described = "a process that has not yet recorded itself"
        if time.monotonic() > deadline:
            return described
        time.sleep(0.05)


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
