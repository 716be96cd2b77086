"""kill -9 in the middle of fetch and validate leaves no half-written output, and a
rerun completes the stage."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

from momentum_pipeline.foundation.universe import load_universe
from momentum_pipeline.operations.alerts import parse_alert_log
from tasks.config import CONFIG_DIR
from tests.conftest import REAL_OHLCV, REPO

RUN_DATE = "2025-10-08"
TICKERS = load_universe(CONFIG_DIR / "universe" / "sp100.csv")[:30]
#: The stage of TICKERS with two workers, as a separate process.
STAGE = f"""
import datetime, luigi, tasks
luigi.build([tasks.ValidatePrices(date=datetime.date.fromisoformat({RUN_DATE!r}), ticker=t)
             for t in {list(TICKERS)!r}], local_scheduler=True, workers=2, log_level="WARNING")
"""
#: What atomic_path leaves when killed: a hidden temporary beside the output.
#: A hidden file a killed write may leave: atomic_path's temporary of an output, a
#: quality record or a stamp ("." + its name + ".tmp-" + the writer's pid), swept by
#: the next write of the same file.
TEMPORARY = re.compile(r"^\.[\w.-]+\.(parquet|quality\.json|json)\.tmp-\d+(\.link|-old)?$")


def start_stage(tmp_path: Path) -> subprocess.Popen:
    settings = tmp_path / "stage.cfg"
    settings.write_text(f"[paths]\nroot = {tmp_path / 'var'}\n[data]\nsource = csv\n"
                        f"csv_dir = {REAL_OHLCV}\nstart = 2005-01-01\n")
    env = {**os.environ, "LUIGI_CONFIG_PATH": str(settings), "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", STAGE], cwd=REPO, env=env,
                            start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def cleaned_count(root: Path) -> int:
    folder = root / "data" / "cleaned" / RUN_DATE
    return len(list(folder.glob("*.parquet"))) if folder.is_dir() else 0


def test_stage_when_killed_mid_run_then_outputs_complete_or_absent_and_rerun_completes(
        tmp_path):
    root = tmp_path / "var"
    stage = start_stage(tmp_path)
    deadline = time.monotonic() + 300
    while cleaned_count(root) < 8 and stage.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(stage.pid, signal.SIGKILL)  # the worker and the task processes it forked
    stage.wait()
    assert stage.returncode == -signal.SIGKILL
    assert 8 <= cleaned_count(root) < len(TICKERS), "the kill came after the stage ended"

    for path in root.rglob("*"):
        if any(part.startswith(".") for part in path.relative_to(root).parent.parts):
            continue  # inside a temporary folder: a frame's year parts being written
        if path.name.startswith("."):
            assert TEMPORARY.match(path.name), path
        elif path.suffix == ".parquet" and path.is_file():
            pq.read_table(path)  # raises on a truncated file
        elif path.suffix == ".json":
            json.loads(path.read_text())

    rerun = start_stage(tmp_path)
    _, errors = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, errors.decode()[-2000:]
    assert cleaned_count(root) == len(TICKERS)
    assert [p.name for p in root.rglob(".*")] == []  # the rerun swept the temporaries


def test_stage_when_killed_while_a_batch_is_cleaned_together_then_the_rerun_alerts_that_batch(
        tmp_path):
    root, paused = tmp_path / "var", tmp_path / "paused"
    tickers = list(TICKERS[:3])
    stage = f"""
import datetime, pathlib, time, luigi, tasks
import momentum_pipeline.validation as validation
alone = validation.clean_prices_together
def paused(batch, *args, **kwargs):  # a batch's joint cleaning, held until the test kills it
    if len(batch) > 1:
        pathlib.Path({str(paused)!r}).touch()
        time.sleep(600)
    return alone(batch, *args, **kwargs)
validation.clean_prices_together = paused
luigi.build([tasks.ValidatePrices(date=datetime.date.fromisoformat({RUN_DATE!r}), ticker=t)
             for t in {tickers!r}], local_scheduler=True, workers=1, log_level="WARNING")
"""
    settings = tmp_path / "stage.cfg"
    settings.write_text(f"[paths]\nroot = {root}\n[data]\nsource = csv\ncsv_dir = {REAL_OHLCV}\n")
    env = {**os.environ, "LUIGI_CONFIG_PATH": str(settings), "PYTHONPATH": str(REPO)}
    first = subprocess.Popen([sys.executable, "-c", stage], cwd=REPO, env=env,
                             start_new_session=True, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while not paused.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert paused.exists(), first.stderr.read().decode()[-2000:]
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()

    unpaused = stage.replace("validation.clean_prices_together = paused\n", "")
    rerun = subprocess.run([sys.executable, "-c", unpaused], cwd=REPO, env=env,
                           capture_output=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr.decode()[-2000:]
    alerts = parse_alert_log((root / "logs" / "alerts.log").read_text())
    killed = [alert for alert in alerts if alert.outcome == "killed"]
    assert [(a.family, a.parameters["ticker"]) for a in killed] == [
        ("ValidatePrices", ",".join(tickers))]
    assert killed[0].error.startswith("WorkerKilled: ") and "while this task ran" in killed[0].error
    assert cleaned_count(root) == len(tickers)
    assert list((root / "state" / "running").glob("*")) == []
