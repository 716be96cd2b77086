"""How Luigi's scheduler copes with the task counts of bigger universes.

    PYTHONPATH=. python benchmarks/scheduler_scale.py [--workers 8]

A daily run has four tasks per ticker (fetch, validate, metrics, features) and
six whole-universe tasks (signals through the report and the wrapper). The
graphs of an S&P 100 day, a Russell 3000 day, and Russell 3000 in batches of 100
tickers per task are added to an in-process ``luigi.scheduler.Scheduler`` (the
object luigid serves over HTTP, so this is a lower bound on luigid's cost). Printed
per graph: tasks, seconds to add them, milliseconds per ``get_work`` (each worker
calls it after every task) and per ``task_list`` (the UI's main query), and the
scheduler time a whole run spends in ``get_work``, with ratios to the S&P 100 day.
"""

from __future__ import annotations

import argparse
import time

from luigi.scheduler import Scheduler

WHOLE_UNIVERSE = ("GenerateSignals", "IngestBundle", "BacktestStrategy", "LogPerformance",
                  "GenerateReport", "DailyPipeline")


def per_ticker_tasks(unit: int) -> list[tuple[str, str, list[str]]]:
    """(task id, family, dependencies) of one ticker's (or batch's) stages."""
    fetch, validate = f"FetchPrices_{unit}", f"ValidatePrices_{unit}"
    return [(fetch, "FetchPrices", []), (validate, "ValidatePrices", [fetch]),
            (f"CalculateMetrics_{unit}", "CalculateMetrics", [validate]),
            (f"BuildFeatures_{unit}", "BuildFeatures", [validate])]


def add_daily_graph(scheduler: Scheduler, units: int, workers: int) -> int:
    """One run date's graph for ``units`` tickers (or ticker batches), added by each of
    ``workers`` workers, as each schedules the whole graph; returns the task count."""
    graph = [task for unit in range(units) for task in per_ticker_tasks(unit)]
    fan_in = [task_id for task_id, family, _ in graph if family == "BuildFeatures"]
    for family in WHOLE_UNIVERSE:
        graph.append((family, family, fan_in))
        fan_in = [family]
    for worker in range(workers):
        for task_id, family, deps in graph:
            scheduler.add_task(worker=f"worker-{worker}", task_id=task_id, family=family,
                               deps=deps, runnable=True, params={})
    return len(graph)


def measure(units: int, workers: int, calls: int = 20) -> dict[str, float]:
    scheduler = Scheduler()
    started = time.perf_counter()
    tasks = add_daily_graph(scheduler, units, workers)
    added = time.perf_counter() - started
    started = time.perf_counter()
    for call in range(calls):
        scheduler.get_work(worker=f"worker-{call % workers}", host="bench")
    get_work = (time.perf_counter() - started) / calls
    started = time.perf_counter()
    for _ in range(3):
        scheduler.task_list(status="PENDING", upstream_status="")
    task_list = (time.perf_counter() - started) / 3
    return {"tasks": tasks, "add_s": added, "get_work_ms": 1e3 * get_work,
            "task_list_ms": 1e3 * task_list, "run_get_work_s": tasks * get_work}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=8,
                        help="workers scheduling the same graph (hosts x processes)")
    args = parser.parse_args()
    graphs = {"S&P 100 day": 102, "Russell 3000 day": 3001,
              "Russell 3000 day, 100 tickers per task": 31}
    print(f"{args.workers} workers; per graph: tasks, add (s), get_work (ms), "
          f"task_list (ms), get_work over the run (s)")
    baseline = None
    for name, units in graphs.items():
        figures = measure(units, args.workers)
        baseline = baseline or figures
        ratio = figures["run_get_work_s"] / baseline["run_get_work_s"]
        print(f"{name:40s} {figures['tasks']:6d} {figures['add_s']:8.2f} "
              f"{figures['get_work_ms']:8.2f} {figures['task_list_ms']:9.1f} "
              f"{figures['run_get_work_s']:8.1f}  (x{ratio:.2f} the S&P 100 day)")


if __name__ == "__main__":
    main()
