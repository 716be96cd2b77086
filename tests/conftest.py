"""Shared fixtures: an isolated data root and Luigi configuration per test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import luigi
import pytest
from luigi.configuration import get_config
from luigi.task_register import Register

from momentum_pipeline.operations.root_lock import release_roots
from tasks.base import section_values

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
REAL_OHLCV = SHARED_DATA / "ohlcv"
RESOURCES = Path(__file__).resolve().parent / "resources"


class PipelineConfig:
    """Sets ``[section] option`` values for in-process Luigi runs, undone afterwards."""

    def __init__(self) -> None:
        self._saved: list[tuple[str, str, str | None]] = []

    def set(self, section: str, option: str, value: object) -> None:
        config = get_config()
        previous = config.get(section, option, None) if config.has_section(section) else None
        self._saved.append((section, option, previous))
        if not config.has_section(section):
            config.add_section(section)
        config.set(section, option, str(value))
        Register.clear_instance_cache()  # Config objects are cached with their values
        section_values.cache_clear()

    def restore(self) -> None:
        """Undo the settings, and give up the data roots this test process checked
        tasks of, so that a later run on them (a subprocess) is not refused."""
        release_roots()
        config = get_config()
        for section, option, previous in reversed(self._saved):
            if previous is None:
                config.remove_option(section, option)
            else:
                config.set(section, option, previous)
        Register.clear_instance_cache()
        section_values.cache_clear()


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def pipeline_config(data_root: Path) -> Iterator[PipelineConfig]:
    """Luigi configured with a fresh data root under ``tmp_path``; restored afterwards."""
    config = PipelineConfig()
    config.set("paths", "root", data_root)
    yield config
    config.restore()


def run_tasks(*tasks: luigi.Task, workers: int = 1) -> luigi.execution_summary.LuigiRunResult:
    """Run tasks in-process with the local scheduler and return Luigi's result."""
    return luigi.build(list(tasks), local_scheduler=True, workers=workers,
                       detailed_summary=True, log_level="WARNING")


def cli_command(*args: str, env: dict[str, str] | None = None) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of ``luigi --module tasks ...`` as a user runs it."""
    environment = {**os.environ, "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg"), **(env or {})}
    luigi_bin = Path(sys.executable).with_name("luigi")
    return [str(luigi_bin), "--module", "tasks", *args], environment


def run_cli(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``luigi --module tasks ...`` as a user would, in a subprocess."""
    command, environment = cli_command(*args, env=env)
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True,
                          timeout=timeout)


def fix_simulator() -> Path:
    """The FIX simulator installed beside the interpreter. The suite needs the engine
    built with QuickFIX (``scripts/system-deps.sh test`` installs libquickfix-dev): a
    build without it fails here rather than skipping the FIX venue's tests."""
    import order_engine

    simulator = Path(sys.executable).with_name("order_engine_fix_simulator")
    if not (order_engine.built_with_fix() and simulator.exists()):
        pytest.fail("order_engine was built without QuickFIX: install libquickfix-dev "
                    "(scripts/system-deps.sh test) and reinstall the package")
    return simulator


def free_port() -> int:
    """A loopback TCP port nothing listens on (for test servers, or a server that is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
