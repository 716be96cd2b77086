"""The image built offline by scripts/build-image.sh runs tasks as a non-root user
with no network, on a mounted data root, and writes the same bytes as the host."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from momentum_pipeline.foundation import provenance
from momentum_pipeline.foundation.provenance import CODE_VERSION_ENV
from momentum_pipeline.operations.root_lock import LOCK_FILE
from tests.conftest import REAL_OHLCV, REPO, run_cli

pytestmark = pytest.mark.docker

IMAGE = "momentum-pipeline:test"
RUN_DATE = "2025-10-08"
TICKER = "AAPL"


def docker(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def code_version() -> dict[str, str]:
    """The checkout's version, pinned for the build and the host runs alike (a commit
    made while the tests run must not make them differ)."""
    return {CODE_VERSION_ENV: provenance.code_version()}


@pytest.fixture(scope="module")
def image(code_version) -> Iterator[str]:
    """The image, built from the base images, wheel folder and code of this checkout."""
    build = subprocess.run(["bash", str(REPO / "scripts" / "build-image.sh"), IMAGE],
                           env={**os.environ, "PYTHON": sys.executable, **code_version},
                           capture_output=True, text=True, timeout=1800)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-4000:]
    yield IMAGE
    docker("rmi", IMAGE)  # the base images stay, a cache for the next build (make docker-clean)


def image_user(image: str) -> tuple[int, int]:
    ids = docker("run", "--rm", "--network", "none", image, "sh", "-c", "id -u; id -g")
    uid, gid = ids.stdout.split()
    return int(uid), int(gid)


def data_files(root: Path) -> dict[str, bytes]:
    """Every output under the data root (logs and the root's lock aside: they carry
    times and pids)."""
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file() and "logs" not in path.parts and path != root / LOCK_FILE}


def test_image_when_run_then_its_user_is_not_root(image):
    uid, _ = image_user(image)
    assert uid != 0


def test_image_when_run_then_its_order_engine_has_the_fix_venue(image):
    engine = docker("run", "--rm", "--network", "none", image, "python", "-c",
                    "import order_engine; print(order_engine.built_with_fix())")
    assert engine.stdout.strip() == "True", engine.stderr[-2000:]


def test_build_features_when_run_in_a_container_then_outputs_equal_the_hosts_byte_for_byte(
        image, code_version, tmp_path):
    # The prices are mounted at their host path: provenance records the file's path.
    task = ("BuildFeatures", "--ticker", TICKER, "--date", RUN_DATE, "--local-scheduler",
            "--data-source", "csv", "--data-csv-dir", str(REAL_OHLCV))
    host_root = tmp_path / "host"
    host = run_cli(*task, "--paths-root", str(host_root), env=code_version)
    assert host.returncode == 0, host.stderr[-4000:]

    container_root = tmp_path / "container"
    container_root.mkdir()
    uid, gid = image_user(image)
    if os.getuid() == 0:
        os.chown(container_root, uid, gid)  # the image's user owns the mounted data root
    user = () if os.getuid() == 0 else ("--user", f"{os.getuid()}:{os.getgid()}")
    container = docker("run", "--rm", "--network", "none", *user,
                       "--volume", f"{container_root}:/data",
                       "--volume", f"{REAL_OHLCV}:{REAL_OHLCV}:ro",
                       image, "luigi", "--module", "tasks", *task)
    assert container.returncode == 0, container.stderr[-4000:]

    host_files, container_files = data_files(host_root), data_files(container_root)
    # FetchPrices, ValidatePrices and BuildFeatures all ran in the container.
    outputs = {name.split(".parquet/")[0] + ".parquet" if ".parquet/" in name else name
               for name in container_files}  # a frame over years is a folder of parts
    assert {f"data/raw/{RUN_DATE}/{TICKER}.parquet", f"data/cleaned/{RUN_DATE}/{TICKER}.parquet",
            f"features/{RUN_DATE}/{TICKER}.parquet"} <= outputs
    assert sorted(container_files) == sorted(host_files)
    differing = [name for name in host_files if host_files[name] != container_files[name]]
    assert not differing, f"container outputs differ from the host's: {differing}"
    if os.getuid() == 0:
        owners = {(container_root / name).stat().st_uid for name in container_files}
        assert owners == {uid}, "outputs written by another user than the image's"


def test_build_image_when_the_engines_disk_is_short_then_it_stops_before_building():
    build = subprocess.run(["bash", str(REPO / "scripts" / "build-image.sh"),
                            "momentum-pipeline:never"],
                           env={**os.environ, "PYTHON": sys.executable,
                                "DOCKER_BUILD_FREE_GB": "1000000"},
                           capture_output=True, text=True, timeout=60)
    root = docker("info", "--format", "{{.DockerRootDir}}").stdout.strip()
    assert build.returncode == 1
    assert f"build-image: {root} has" in build.stderr
    assert "a build needs 1000000 GB" in build.stderr
    assert docker("image", "inspect", "momentum-pipeline:never").returncode != 0
