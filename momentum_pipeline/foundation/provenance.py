"""Provenance: what an output was made from, recorded beside every output."""

from __future__ import annotations

import functools
import os
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from momentum_pipeline import __version__

#: Environment variable that pins the code version (set in the Docker image, which
#: has no git checkout) so containers and hosts record the same provenance.
CODE_VERSION_ENV = "MOMENTUM_CODE_VERSION"

#: Marks every output built from the ``sample`` source (titles, log lines, notes).
SAMPLE_DATA_LABEL = "SAMPLE DATA"
#: Said in every JSON summary built from the ``sample`` source.
SAMPLE_DATA_WARNING = f"{SAMPLE_DATA_LABEL}: synthetic prices, not a real market"


def sample_data_label(sample_data: bool) -> dict[str, Any]:
    """The ``sample_data`` flag of a JSON output, with the warning a person reads."""
    if sample_data:
        return {"sample_data": True, "warning": SAMPLE_DATA_WARNING}
    return {"sample_data": False}


@functools.cache
def code_version() -> str:
    """Package version plus the git commit it was built from, when known."""
    pinned = os.environ.get(CODE_VERSION_ENV)
    if pinned:
        return pinned
    repo = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short=12", "HEAD"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+g{commit}"


@dataclass(frozen=True)
class Provenance:
    """Where an output came from; serialised into parquet metadata or a sidecar.

    Only deterministic facts go here (no wall-clock time unless the data itself
    depends on it, as a live download does), so recomputing an output from the
    same inputs gives the same bytes.
    """

    task: str
    source: str
    sample_data: bool
    parameters: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    retrieved_at: str | None = None
    code_version: str = field(default_factory=code_version)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def derive(self, task: str, parameters: dict[str, Any] | None = None,
               inputs: dict[str, Any] | None = None) -> Provenance:
        """Provenance of an output computed from this one (same source and sample flag)."""
        return Provenance(task=task, source=self.source, sample_data=self.sample_data,
                          parameters=parameters or {}, inputs=inputs or {},
                          retrieved_at=self.retrieved_at)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        return cls(**data)
