"""A folder built under a fresh temporary name, then renamed into place whole.

Readers never see a folder half written, and no writer deletes a folder another may
be writing: each build gets a folder of its own (named after its process), a folder
already in place is renamed aside before it is removed, never written into, and the
only temporaries swept are those of processes no longer running (killed mid-build).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

_MARK = ".tmp-"


def _temporary(final: Path) -> Path:
    """A new empty folder beside ``final``, named after ``final`` and this process."""
    return Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}{_MARK}{os.getpid()}-"))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: running
        pass
    return True


def _sweep_abandoned(final: Path) -> None:
    """Remove the temporaries of ``final`` left by processes that died building it."""
    for path in final.parent.glob(f".{final.name}{_MARK}*"):
        pid = path.name.removeprefix(f".{final.name}{_MARK}").partition("-")[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def built_folder(final: str | Path) -> Iterator[Path]:
    """Yield a new empty folder beside ``final``; on success it replaces ``final``.

    A failure removes the new folder and leaves ``final`` as it was. Between taking an
    old ``final`` aside and renaming the new one in, ``final`` is briefly absent.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    _sweep_abandoned(final)
    building = _temporary(final)
    retired = None
    try:
        yield building
        if final.exists():
            retired = _temporary(final)
            os.replace(final, retired)  # onto the empty folder just made: atomic
        os.replace(building, final)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    if retired is not None:
        shutil.rmtree(retired)
