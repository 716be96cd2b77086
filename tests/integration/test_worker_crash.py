"""A worker killed mid-run (SIGKILL: no clean-up runs) and a second worker started
after it: the pipeline completes, nothing the first worker finished runs again, and
no partial file ever stands where an output belongs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

from tests.conftest import REPO

RUN_DATE = "2025-10-08"
TICKERS = "AAPL,MSFT,NVDA,JPM,XOM,TSLA"
TMP_MARK = ".tmp-"


def pipeline_command(root: Path) -> list[str]:
    return [str(Path(sys.executable).with_name("luigi")), "--module", "tasks", "DailyPipeline",
            "--local-scheduler", "--workers", "2", "--paths-root", str(root),
            "--universe-tickers", TICKERS, "--date", RUN_DATE]


def outputs(root: Path) -> dict[Path, tuple[int, int]]:
    """Every file under the data root but the logs (appended by design), with its inode
    and modification time: a rewritten output changes one of them."""
    return {path: (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in root.rglob("*") if path.is_file() and "logs" not in path.parts}


def kill_when_cleaned(root: Path, count: int) -> None:
    """Start the pipeline and SIGKILL the worker and its task processes once ``count``
    tickers are validated: a crash of the worker's host mid-run."""
    env = {**os.environ, "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg")}
    worker = subprocess.Popen(pipeline_command(root), cwd=REPO, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cleaned = root / "data" / "cleaned" / RUN_DATE
    deadline = time.monotonic() + 300
    while len(list(cleaned.glob("*.parquet"))) < count:
        assert worker.poll() is None, "the pipeline ended before the kill"
        assert time.monotonic() < deadline, "no ticker validated within 300 s"
        time.sleep(0.05)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()


def test_pipeline_when_worker_killed_mid_run_then_second_worker_completes_without_rerunning_done_tasks(
        data_root):
    kill_when_cleaned(data_root, count=2)
    before = outputs(data_root)
    visible = {path for path in before if TMP_MARK not in path.name}
    assert not (data_root / "reports" / RUN_DATE / "final_analysis_report.pdf").exists(), \
        "the kill came after the end of the run: nothing to resume"
    for path in visible:
        if path.suffix == ".parquet":
            pq.read_metadata(path)  # a torn file fails here

    env = {**os.environ, "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg")}
    rerun = subprocess.run(pipeline_command(data_root), cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=900)

    assert rerun.returncode == 0, rerun.stderr[-4000:]
    assert "This progress looks :)" in rerun.stderr
    after = outputs(data_root)
    rewritten = [str(path) for path in visible if after.get(path) != before[path]]
    assert not rewritten, f"outputs of tasks done before the kill were written again: {rewritten}"
    leftovers = [str(path) for path in data_root.rglob(f"*{TMP_MARK}*")]
    assert not leftovers, f"temporary files left behind: {leftovers}"
    assert (data_root / "reports" / RUN_DATE / "final_analysis_report.pdf").exists()
