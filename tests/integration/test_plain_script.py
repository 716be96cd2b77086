"""benchmarks/plain_script.py, the benchmark's peer, still runs end to end: 3 real tickers
+ SPY through TA-Lib, the momentum ranking, a csvdir zipline backtest and the PDF."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REAL_OHLCV, REPO


@pytest.mark.slow
def test_plain_script_on_three_tickers(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "plain_script.py"), "--data-dir", str(REAL_OHLCV),
         "--tickers", "AAPL,JPM,XOM", "--out", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    orders = re.search(r"orders: (\d+)", done.stdout)
    assert orders and int(orders.group(1)) > 0, done.stdout
    pdf = tmp_path / "report_2025-10-08.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    stages = json.loads(done.stdout.strip().splitlines()[-1])["stages"]
    assert {"features", "signals", "zipline run", "report"} <= set(stages)
