"""Speed of the FIX venue: orders through the engine's risk checks, a QuickFIX initiator
and order_engine_fix_simulator (a QuickFIX acceptor) over loopback, one
``Engine.submit`` at a time (the path ExecuteTrades uses).

    PYTHONPATH=. python benchmarks/fix_venue.py [--orders 2000] [--journal]

Marketable IOC limit buys of 1..100 shares in 20 symbols, each answered by one fill.
``submit`` blocks until the final ExecutionReport, so its time is the
NewOrderSingle -> ExecutionReport round trip plus the engine's work (and, with
--journal, the journal's fsyncs). Printed: orders per second (wall clock) and p50/p99
of one order's latency.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

import order_engine as oe
from momentum_pipeline.execution.session import simulator_session

SYMBOLS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--journal", action="store_true", help="journal every order (fsync)")
    args = parser.parse_args()
    simulator = shutil.which("order_engine_fix_simulator")
    if not oe.built_with_fix() or simulator is None:
        raise SystemExit("fix_venue: order_engine was built without QuickFIX (libquickfix-dev)")
    with tempfile.TemporaryDirectory(prefix="fix-bench-") as scratch:
        work, port = Path(scratch), free_port()
        (work / "prices.csv").write_text("".join(f"S{s},{20.0 + 4.8 * s:.4f}\n" for s in range(SYMBOLS)))
        simulator_session(work / "session.cfg", work / "engine-store", port)
        process = subprocess.Popen([simulator, "--port", str(port), "--prices", str(work / "prices.csv"),
                                    "--store", str(work / "simulator-store"),
                                    "--orders-log", str(work / "orders.log")],
                                   stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.05)
            config = oe.EngineConfig()
            config.limits.max_orders_per_second = 1e9
            if args.journal:
                config.journal_path = str(work / "journal.log")
            engine = oe.open_fix_engine(config, str(work / "session.cfg"), 10.0, 5.0)
            for s in range(SYMBOLS):
                engine.set_reference_price(f"S{s}", 20.0 + 4.8 * s)
            rng = np.random.default_rng(7)
            symbols = rng.integers(0, SYMBOLS, args.orders)
            shares = rng.integers(1, 101, args.orders)
            latencies = np.empty(args.orders)
            started = time.perf_counter()
            for i in range(args.orders):
                order = oe.new_order(f"B-{i}", f"S{symbols[i]}", oe.Side_Buy, int(shares[i]),
                                     round((20.0 + 4.8 * symbols[i]) * 1.01, 2), oe.TimeInForce_Ioc)
                sent = time.perf_counter()
                report = engine.submit(order)
                latencies[i] = time.perf_counter() - sent
                if report.status != oe.OrderStatus_Filled:
                    raise SystemExit(f"fix_venue: order {report.client_order_id} {oe.order_status_name(report.status)}: "
                                     f"{report.message}")
            elapsed = time.perf_counter() - started
            engine.close()
            del engine  # logs out
        finally:
            process.terminate()
            process.wait(timeout=30)
    p50, p99 = np.percentile(latencies, [50, 99]) * 1e6
    print(f"FIX venue over loopback ({'journalled' if args.journal else 'journal-less'}): "
          f"{args.orders} orders in {elapsed:.2f} s, {args.orders / elapsed:,.0f} orders/s; "
          f"NewOrderSingle -> final ExecutionReport p50 {p50:,.0f} us, p99 {p99:,.0f} us")


if __name__ == "__main__":
    main()
