"""Speed of the C++ order engine: natively, and through its SWIG binding one order per
call (the path ExecuteTrades uses).

    PYTHONPATH=. python benchmarks/engine_throughput.py [--orders 2000000] [--python-orders 200000]

Builds ``order_engine_bench`` (cpp/bench/engine_bench.cpp, Release) under
build/engine-bench with CMake, runs it, then measures the installed ``order_engine``
module in this process on the same order mix: 100 symbols priced 20..500 dollars,
85% marketable IOC limits, 10% market orders, 5% passive DAY limits (expired every
50,000 orders), 1..200 shares, risk checks on and loose enough to accept nearly all.
Every engine here is journal-less, except the native journalled figure, which writes
and fsyncs a journal record before each order.

Printed: orders per second (wall clock and per CPU second of the measuring thread:
the machine may be shared), latency percentiles of one native order, and the cost of
one order through the binding next to the native cost measured in the same run.
Goal: >= 3 million orders/s natively.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from pathlib import Path

import numpy as np

import order_engine as oe

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / "build" / "engine-bench"
SYMBOLS = 100
END_OF_DAY_EVERY = 50_000


def native(orders: int) -> dict:
    """Builds and runs the native benchmark; its JSON figures."""
    subprocess.run(["cmake", "-S", str(REPO / "cpp"), "-B", str(BUILD), "-DCMAKE_BUILD_TYPE=Release",
                    "-DORDER_ENGINE_BUILD_TESTS=OFF"], check=True, capture_output=True)
    subprocess.run(["cmake", "--build", str(BUILD), "--target", "order_engine_bench", "--parallel", "2"],
                   check=True, capture_output=True)
    done = subprocess.run([str(BUILD / "order_engine_bench"), "--orders", str(orders), "--json",
                           "--journal-dir", str(BUILD)], check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def engine() -> oe.Engine:
    config = oe.EngineConfig()
    limits = config.limits
    limits.max_order_quantity = 1_000_000
    limits.max_position_quantity = 1_000_000_000
    limits.max_position_notional = 1e13
    limits.max_gross_exposure = 1e15
    limits.max_orders_per_second = 1e12
    made = oe.Engine(config)
    for s in range(SYMBOLS):
        made.set_reference_price(f"S{s}", 20.0 + 4.8 * s)
    return made


def flow(n: int, seed: int = 20251008) -> dict[str, np.ndarray]:
    """The native benchmark's order mix, as arrays (one row per order)."""
    random = np.random.default_rng(seed)
    symbols = random.integers(0, SYMBOLS, n).astype(np.int32)
    buy = random.integers(0, 2, n) == 0
    kind = random.integers(0, 100, n)
    reference = 20.0 + 4.8 * symbols
    marketable = kind < 85
    passive = kind >= 95
    prices = np.where(marketable, reference * np.where(buy, 1.0012, 0.9988),
                      reference * np.where(buy, 0.9997, 1.0003))
    return {"symbols": symbols, "sides": np.where(buy, 0, 1).astype(np.uint8),
            "types": np.where(kind >= 85, np.where(passive, 1, 0), 1).astype(np.uint8),
            "times_in_force": np.where(passive, 0, 1).astype(np.uint8),
            "quantities": random.integers(1, 201, n).astype(np.int64),
            "limit_prices": prices.astype(np.float64)}


def per_call(n: int) -> tuple[float, float]:
    """Nanoseconds per order through ``Engine.submit`` (orders built beforehand), wall and CPU."""
    made = engine()
    arrays = flow(n)
    orders = []
    for i in range(n):
        market = arrays["types"][i] == 0
        orders.append(oe.new_order(f"C-{i}", f"S{arrays['symbols'][i]}", int(arrays["sides"][i]),
                                   int(arrays["quantities"][i]),
                                   None if market else float(arrays["limit_prices"][i]),
                                   int(arrays["times_in_force"][i])))
    submit = made.submit
    wall, cpu = time.perf_counter(), time.thread_time()
    for i, order in enumerate(orders):
        submit(order)
        if i % END_OF_DAY_EVERY == END_OF_DAY_EVERY - 1:
            made.end_of_day()
    return 1e9 * (time.perf_counter() - wall) / n, 1e9 * (time.thread_time() - cpu) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2_000_000, help="native orders")
    parser.add_argument("--python-orders", type=int, default=200_000,
                        help="orders through the one-per-call binding")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    figures = native(args.orders)
    native_ns = 1e9 / figures["orders_per_second"]
    native_cpu_ns = 1e9 / figures["orders_per_cpu_second"]
    latency = figures["latency_ns"]
    print(f"native, journal-less, {figures['orders']:,} orders ({100 * figures['accepted_fraction']:.1f}% accepted):")
    print(f"  {figures['orders_per_second'] / 1e6:6.2f} M orders/s wall, "
          f"{figures['orders_per_cpu_second'] / 1e6:.2f} M per CPU second   (goal >= 3 M/s)")
    print(f"  latency of one order: p50 {latency['p50']:.0f} ns, p90 {latency['p90']:.0f}, "
          f"p99 {latency['p99']:.0f}, p99.9 {latency['p99_9']:.0f}, max {latency['max']:.0f}")
    print(f"native, journalled (record + fsync before each order, in {figures['journal_dir']}), "
          f"{figures['journalled_orders']} orders: {figures['journalled_orders_per_second']:,.0f} orders/s, "
          f"p50 {figures['journalled_p50_ns'] / 1e3:.0f} us")

    call_ns, call_cpu_ns = per_call(args.python_orders)
    print(f"SWIG, one order per Engine.submit call, journal-less, {args.python_orders:,} orders:")
    print(f"  {call_ns:8.0f} ns per order wall, {call_cpu_ns:.0f} ns CPU   "
          f"({call_ns / native_ns:.1f}x native wall, {call_cpu_ns / native_cpu_ns:.1f}x CPU)")


if __name__ == "__main__":
    main()
