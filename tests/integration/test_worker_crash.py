"""A worker killed mid-run (SIGKILL: no clean-up runs) and a second worker started
after it: the pipeline completes, nothing the first worker finished runs again, and
no partial file ever stands where an output belongs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import luigi
import pyarrow.parquet as pq
from luigi.task import flatten

from momentum_pipeline.operations.root_lock import release_roots
from tasks.targets import TMP_MARK
from tasks.pipeline import DailyPipeline
from tests.conftest import REPO

RUN_DATE = "2025-10-08"
TICKERS = "AAPL,MSFT,NVDA,JPM,XOM,TSLA"
PIPELINE_ENV = {**os.environ, "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg")}


def pipeline_command(root: Path) -> list[str]:
    return [str(Path(sys.executable).with_name("luigi")), "--module", "tasks", "DailyPipeline",
            "--local-scheduler", "--workers", "2", "--paths-root", str(root),
            "--universe-tickers", TICKERS, "--date", RUN_DATE]


def pipeline_tasks(root: luigi.Task) -> list[luigi.Task]:
    """``root`` and everything it requires, transitively."""
    found: dict[str, luigi.Task] = {}
    pending = [root]
    while pending:
        task = pending.pop()
        if task.task_id not in found:
            found[task.task_id] = task
            pending.extend(flatten(task.requires()))
    return list(found.values())


def output_files(task: luigi.Task) -> dict[Path, tuple[int, int]]:
    """The task's output files with inode and modification time: a rewrite changes one."""
    paths = [Path(target.path) for target in flatten(task.output())]
    files = [file for path in paths
             for file in ([path] if path.is_file() else sorted(path.rglob("*")))]
    return {file: (file.stat().st_ino, file.stat().st_mtime_ns) for file in files if file.is_file()}


def kill_when_written(root: Path, output: Path) -> None:
    """Start the pipeline and SIGKILL the worker and its task processes as soon as
    ``output`` appears: a crash of the worker's host mid-run."""
    worker = subprocess.Popen(pipeline_command(root), cwd=REPO, env=PIPELINE_ENV,
                              start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not output.exists():
        assert worker.poll() is None, f"the pipeline ended before writing {output}"
        assert time.monotonic() < deadline, f"{output} not written within 300 s"
        time.sleep(0.05)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    wait_for_group_gone(worker.pid)


def wait_for_group_gone(group: int, patience: float = 30.0) -> None:
    """Wait until every process of ``group`` has exited. Reaping the worker does not
    mean its forked task processes are gone: until they are, they hold the root's lock."""
    deadline = time.monotonic() + patience
    while alive_in_group(group):
        assert time.monotonic() < deadline, f"processes of group {group} outlived SIGKILL"
        time.sleep(0.05)


def alive_in_group(group: int) -> bool:
    """Whether a process of ``group`` is still running (zombies have closed their files)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _parent, process_group = stat.read_text().rpartition(")")[2].split()[:3]
        except OSError:
            continue
        if int(process_group) == group and state != "Z":
            return True
    return False


def test_pipeline_when_worker_killed_mid_run_then_second_worker_completes_without_rerunning_done_tasks(
        data_root, pipeline_config):
    pipeline_config.set("universe", "tickers", TICKERS)
    # Signals done: the per-ticker stages are behind, the backtest is under way.
    kill_when_written(data_root, data_root / "signals" / RUN_DATE / "target_weights.parquet")
    graph = pipeline_tasks(DailyPipeline(date=date.fromisoformat(RUN_DATE)))
    finished = [task for task in graph if task.complete()]
    assert 0 < len(finished) < len(graph), "the kill did not come mid-run"
    release_roots()  # checking the tasks took the root's lock: the second worker needs it
    before = {file: stamp for task in finished for file, stamp in output_files(task).items()}
    for path in data_root.rglob("*.parquet"):
        if path.is_file():
            pq.read_metadata(path)  # a torn file under an output's name fails here

    rerun = subprocess.run(pipeline_command(data_root), cwd=REPO, env=PIPELINE_ENV,
                           capture_output=True, text=True, timeout=900)

    assert rerun.returncode == 0, rerun.stderr[-4000:]
    incomplete = [str(task) for task in graph if not task.complete()]
    assert not incomplete, (incomplete, rerun.stderr[-3000:])
    after = {file: stamp for task in finished for file, stamp in output_files(task).items()}
    rewritten = sorted(str(file) for file in before if after.get(file) != before[file])
    assert not rewritten, f"outputs of tasks done before the kill were written again: {rewritten}"
    leftovers = sorted(str(path) for path in data_root.rglob(f"*{TMP_MARK}*"))
    assert not leftovers, f"temporary files left behind: {leftovers}"
