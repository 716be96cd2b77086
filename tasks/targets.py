"""Task outputs that are only ever written whole: a reader never sees half a file, and
a crash leaves the previous output or none.

An output whose bytes equal the same output of an earlier run date is stored once: the
new date's file is a hard link to the earlier one (a frame's closed years, most of the
time). Outputs are never modified in place, only replaced, so a shared file cannot
change under another date; each date's folder still holds every file it needs, and
pruning a date deletes only what no other date links.
"""

from __future__ import annotations

import contextlib
import filecmp
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import luigi

if TYPE_CHECKING:
    import pandas as pd

    from momentum_pipeline.foundation.layout import Layout
    from momentum_pipeline.foundation.provenance import Provenance

TMP_MARK = ".tmp-"


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_path(final: str | Path, *, exclusive: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it into place only on success.

    A failure removes the temporary file; a ``kill -9`` can leave one behind, but
    under a hidden name that is never mistaken for the output, and the next write
    of the same output sweeps it away. ``exclusive`` publishes ``final`` only if
    it does not exist yet (else ``FileExistsError``), for a file that concurrent
    runs may race to create; it leaves their temporary files alone.

    The writer may make a folder instead of a file: an old ``final`` is then renamed
    aside before the new folder is renamed in, so ``final`` is briefly absent (a
    crash there leaves no output, and the task runs again).
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    if not exclusive:  # a prefix, not a glob: pathlib compiles a pattern per name
        prefix = f".{final.name}{TMP_MARK}"
        with os.scandir(final.parent) as entries:
            stale = [Path(entry.path) for entry in entries if entry.name.startswith(prefix)]
        for path in stale:
            _remove(path)
    tmp = final.parent / f".{final.name}{TMP_MARK}{os.getpid()}"
    try:
        yield tmp
        for written in (tmp.iterdir() if tmp.is_dir() else [tmp]):
            if written.is_file() and written.stat().st_nlink == 1:  # linked: already on disk
                with open(written, "rb") as handle:
                    os.fsync(handle.fileno())
        if exclusive:
            os.link(tmp, final)  # atomic, and fails when another run got there first
            tmp.unlink()
        elif final.is_dir() or (tmp.is_dir() and final.exists()):
            retired = final.parent / f".{final.name}{TMP_MARK}{os.getpid()}-old"
            os.replace(final, retired)
            os.replace(tmp, final)
            _remove(retired)
        else:
            os.replace(tmp, final)
    except BaseException:
        _remove(tmp)
        raise


def share_unchanged(written: Path, earlier: Path) -> int:
    """Replace each file of ``written`` (a file, or a folder's files) whose bytes equal
    the same file of ``earlier`` by a hard link to it; the number of files linked.
    Where links are not possible (another file system) the written copy stays."""
    if written.is_dir():
        return sum(share_unchanged(part, earlier / part.name) for part in written.iterdir())
    try:
        if (not earlier.is_file() or earlier.stat().st_size != written.stat().st_size
                or not filecmp.cmp(written, earlier, shallow=False)):
            return 0
        link = written.with_name(f"{written.name}.link")
        os.link(earlier, link)
    except OSError:
        return 0
    os.replace(link, written)
    return 1


class DataTarget(luigi.LocalTarget):
    """One output under the data root, written whole through :func:`atomic_path`.

    Frames are parquet with their provenance in the file's metadata; JSON is stable
    (sorted keys), so a recomputed output is byte-identical. With the root's ``layout``
    known, what is unchanged since the earlier run date is shared with it
    (:func:`share_unchanged`).
    """

    def __init__(self, path: str, layout: Layout | None = None) -> None:
        super().__init__(path)
        self.layout = layout

    @property
    def file(self) -> Path:
        return Path(self.path)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Path]:
        """A temporary path to write to, published as this output on success (for
        writers that want a path: a model file, a chart)."""
        with atomic_path(self.path) as tmp:
            yield tmp
            earlier = self.layout.earlier_output(self.file) if self.layout else None
            if earlier is not None and tmp.exists():
                share_unchanged(tmp, earlier)

    def write_text(self, text: str) -> None:
        with self.writing() as tmp:
            tmp.write_text(text)

    def write_bytes(self, data: bytes) -> None:
        with self.writing() as tmp:
            tmp.write_bytes(data)

    def write_json(self, data: Any) -> None:
        from momentum_pipeline.foundation.frames import dump_json

        self.write_text(dump_json(data))

    def write_frame(self, frame: pd.DataFrame, provenance: Provenance) -> None:
        from momentum_pipeline.foundation.frames import write_parquet

        with self.writing() as tmp:
            write_parquet(frame, tmp, provenance)

    def read_json(self) -> Any:
        return json.loads(self.file.read_text())

    def read_frame(self, columns: list[str] | None = None) -> pd.DataFrame:
        from momentum_pipeline.foundation.frames import read_parquet

        return read_parquet(self.path, columns=columns)

    def provenance(self) -> Provenance:
        """The provenance recorded in this parquet output."""
        from momentum_pipeline.foundation.frames import read_provenance

        return read_provenance(self.path)
