"""One writer per data root: an exclusive ``flock`` on ``<root>/state/root.lock``.

Two runs on one root would write the same outputs, stamps, metrics-log rows and order
journal at once. The first process that checks or runs a task of a root takes the
lock and keeps it for its lifetime; the worker processes Luigi forks share it (a
flock belongs to the open file, which a fork shares). A second process fails at
once, naming the holder's host, pid and start, which the holder writes into the
file. The kernel drops the lock when the holder dies, even by ``kill -9``, so a
lock is never stale: the next run takes it over.

A holder that ends normally clears its record (at exit, or on release). So a record
found by the process that takes the lock names a run that died holding the root: killed
by a signal or the OOM killer, or its host went down. :func:`hold_root` returns it, for
the taker to alert.
"""

from __future__ import annotations

import atexit
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
    """Another process holds the data root: ``holder`` says which."""

    def __init__(self, message: str, holder: str) -> None:
        super().__init__(message)
        self.holder = holder


#: Marks records of holders that clear them on a normal exit (older ones did not).
_CLEARED_ON_EXIT = "cleared_on_exit"


def _holder_record() -> dict[str, object]:
    """Who holds a root: this host, this process, since now (UTC)."""
    return {"host": socket.gethostname(), "pid": os.getpid(),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            _CLEARED_ON_EXIT: True}


def describe(holder: dict[str, object]) -> str:
    """``host vm, pid 4242, started 2025-10-08T22:30:00+00:00``."""
    return f"host {holder['host']}, pid {holder['pid']}, started {holder['started']}"


def _died_holding(descriptor: int) -> dict[str, object] | None:
    """The record left in a lock file just taken: a holder that did not end normally."""
    text = os.pread(descriptor, 4096, 0).decode(errors="replace").partition("\n")[0]
    try:
        holder = json.loads(text)
    except ValueError:
        return None
    return holder if isinstance(holder, dict) and holder.get(_CLEARED_ON_EXIT) else None


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
            described = describe(holder)
            if _alive_here(holder):
                return described
        except (OSError, ValueError, KeyError, TypeError):
            described = "a process that has not yet recorded itself"
        if time.monotonic() > deadline:
            return described
        time.sleep(0.05)


def hold_root(root: Path) -> dict[str, object] | None:
    """Take the lock of ``root`` for the rest of this process's life, unless held already.

    Returns the record of a run that died holding the root (see the module's text), else
    ``None``. Raises :class:`RootInUse` when another process holds it.
    """
    root = Path(root).absolute()
    if root in _held:
        return None
    lock = root / LOCK_FILE
    lock.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        holder = _describe_holder(lock)
        raise RootInUse(f"data root {root} is in use by {holder} (lock {lock}): one run "
                        "per data root; wait for it to end, or use another --paths-root",
                        holder) from None
    died = _died_holding(descriptor)
    record = (json.dumps(_holder_record(), sort_keys=True) + "\n").encode()
    os.pwrite(descriptor, record, 0)
    os.ftruncate(descriptor, len(record))
    if not _held:
        atexit.register(release_roots, pid=os.getpid())
    _held[root] = descriptor
    return died


def holds(root: Path) -> bool:
    """Whether this process (or the worker it was forked from) holds ``root``."""
    return Path(root).absolute() in _held


def release_roots(pid: int | None = None) -> None:
    """Give up every root this process holds, clearing its record: this run ended
    normally. At exit, and in a test process that starts another run on a root it
    checked itself. ``pid``: only in that process, not in a forked child."""
    if pid is not None and pid != os.getpid():
        return
    while _held:
        descriptor = _held.popitem()[1]
        os.ftruncate(descriptor, 0)
        os.close(descriptor)
