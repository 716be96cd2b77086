"""The check each compat module (``backtest/zipline_compat.py``, ``tasks/luigi_compat.py``)
runs at import: the private names it relies on are there, or a clear ImportError."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping


def names_used_by(function: object) -> tuple[str, ...]:
    """The global and attribute names a Python function's code refers to (none for
    anything else), to tell that a library still calls a private name we replace."""
    return getattr(getattr(function, "__code__", None), "co_names", ())


def require_private_names(distribution: str, tested_version: str,
                          present: Mapping[str, bool], compat_module: str) -> None:
    """Raise ImportError naming each private name of ``distribution`` that ``present``
    marks missing, the installed and the tested version, and the module relying on it."""
    missing = [name for name, found in present.items() if not found]
    if missing:
        raise ImportError(
            f"{distribution} {importlib.metadata.version(distribution)} lacks "
            f"{'; '.join(missing)}, relied on by {compat_module}; it was tested with "
            f"{distribution} {tested_version}, the version pyproject.toml pins: install "
            f"that version, or adapt {compat_module} to this one")
