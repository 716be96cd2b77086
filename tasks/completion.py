"""What makes a task done: a stamp that records the key of the inputs it was made from.

A task's input key hashes its parameters, the settings it reads, the files it reads
from outside the data root (a CSV file's bytes, the strategy file) and the keys of the
tasks it requires. A changed input therefore changes the key of exactly the tasks
that depend on it, and a rerun recomputes those and nothing else; no folder has to be
deleted by hand. The stamp is written last, atomically, after every output, so it
also marks that all of a task's outputs are whole. It also records the state of the
files and the settings the key came from: while they are unchanged the key is too,
so a rerun with nothing to do checks a stamp without building the task graph below it.

A per-ticker stage whose input data is unusable does not fail the day: it records an
*exclusion* stamp (the stage and the reason) in place of its outputs, which the
ticker's later stages carry on, and the cross-sectional stages leave the ticker out.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

#: Under the data root: ``state/<date>/<task id>.json``, one stamp per task.
STATE_DIR = "state"

DONE = "done"
EXCLUDED = "excluded"


@dataclass(frozen=True)
class Stamp:
    """How a task ended for the inputs of ``key``: ``done`` (its outputs are whole) or
    ``excluded`` (its ticker's data is unusable: ``stage`` said why in ``reason``).
    ``retry`` marks an exclusion worth another attempt on the next run (the network)."""

    key: str
    status: str
    stage: str | None = None
    reason: str | None = None
    retry: bool = False
    #: What the key was computed from, cheap to check again: the state of every watched
    #: path and the digest of every settings section of the task and all it requires.
    inputs: dict[str, dict[str, Any]] | None = None

    @property
    def excluded(self) -> bool:
        return self.status == EXCLUDED

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"


def settings_digest(values: dict[str, str]) -> str:
    return input_key(values)[:16]


def read_stamp(path: Path) -> Stamp | None:
    """The stamp at ``path``; ``None`` when absent or unreadable (then the task reruns)."""
    try:
        return Stamp(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def input_key(parts: dict[str, Any]) -> str:
    """A stable hash of JSON-able ``parts``."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def path_state(path: Path) -> tuple[int, int, int] | None:
    """What ``stat`` says of a file or folder (size, modification time, inode), following
    links; ``None`` when it does not exist. A change means its content may have changed."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns, status.st_ino


#: SHA-256 of files already hashed in this process, keyed by path and state.
_digests: dict[tuple[str, tuple[int, int, int] | None], str] = {}


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, hashed again only after the file changed (its size,
    modification time or inode), so a rerun with nothing to do stays cheap."""
    memo = (str(path), path_state(path))
    if memo not in _digests:
        _digests[memo] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return _digests[memo]
