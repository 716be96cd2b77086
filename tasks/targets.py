"""Task outputs that are only ever written whole: a reader never sees half a file, and
a crash leaves the previous output or none."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import luigi

if TYPE_CHECKING:
    import pandas as pd

    from momentum_pipeline.foundation.provenance import Provenance

TMP_MARK = ".tmp-"


@contextlib.contextmanager
def atomic_path(final: str | Path, *, exclusive: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it into place only on success.

    A failure removes the temporary file; a ``kill -9`` can leave one behind, but
    under a hidden name that is never mistaken for the output, and the next write
    of the same output sweeps it away. ``exclusive`` publishes ``final`` only if
    it does not exist yet (else ``FileExistsError``), for a file that concurrent
    runs may race to create; it leaves their temporary files alone.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    if not exclusive:
        for stale in final.parent.glob(f".{final.name}{TMP_MARK}*"):
            stale.unlink(missing_ok=True)
    tmp = final.parent / f".{final.name}{TMP_MARK}{os.getpid()}"
    try:
        yield tmp
        if tmp.is_file():
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
        if exclusive:
            os.link(tmp, final)  # atomic, and fails when another run got there first
            tmp.unlink()
        else:
            os.replace(tmp, final)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


class DataTarget(luigi.LocalTarget):
    """One output file under the data root, written whole through :func:`atomic_path`.

    Frames are parquet with their provenance in the file's metadata; JSON is stable
    (sorted keys), so a recomputed output is byte-identical.
    """

    @property
    def file(self) -> Path:
        return Path(self.path)

    def writing(self) -> contextlib.AbstractContextManager[Path]:
        """A temporary path to write to, published as this output on success (for
        writers that want a path: a model file, a chart)."""
        return atomic_path(self.path)

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
        import pandas as pd

        return pd.read_parquet(self.path, columns=columns)

    def provenance(self) -> Provenance:
        """The provenance recorded in this parquet output."""
        from momentum_pipeline.foundation.frames import read_provenance

        return read_provenance(self.path)
