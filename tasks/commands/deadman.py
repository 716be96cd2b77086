"""``python -m tasks.commands.deadman``: the dead-man check of the automated daily run.

cron or a systemd timer calls it at the day's deadline (deploy/). It alerts, once per
day and cause, when the day's ``DailyPipeline`` is not done: a run still holds the
data root (stuck, or slower than the deadline allows), or no run is under way (it
never started, failed, or died; a run that died holding the root is alerted too, by
task). Exits 0 when the day is done, 1 after an alert: cron also mails that.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from momentum_pipeline.operations.alerts import DayNotFinished, alert_for
from momentum_pipeline.operations.root_lock import RootInUse
from tasks.alerts import publish, take_root
from tasks.commands.root_options import add_root_options, apply_root_options
from tasks.pipeline import DailyPipeline

OUTCOME = "missed its deadline"


def check(day: dt.date) -> int:
    """Alert unless ``day``'s DailyPipeline is done under the configured root."""
    pipeline = DailyPipeline(date=day)
    layout = pipeline.layout
    try:
        take_root(layout)
    except RootInUse as busy:
        problem = (f"{pipeline.date} is not finished by the deadline: a run still holds the "
                   f"data root ({busy.holder}), stuck or slower than the deadline allows; "
                   "its progress is in logs/<Task>.log")
    else:
        if pipeline.complete():
            print(f"deadman: {pipeline.date} is done under {layout.root}")
            return 0
        problem = (f"{pipeline.date} is not finished by the deadline and no run is under "
                   "way: it did not start, or it failed or died (see logs/alerts.log)")
    publish(alert_for("DailyPipeline", pipeline.task_id, pipeline.to_str_params(),
                      DayNotFinished(problem), outcome=OUTCOME))
    print(f"deadman: {problem}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tasks.commands.deadman",
                                     description=__doc__.split("\n")[0])
    add_root_options(parser)
    parser.add_argument("--date", type=dt.date.fromisoformat,
                        help="run date (default: the latest settled NYSE session, as "
                             "python -m tasks.commands.schedule)")
    args = parser.parse_args(argv)
    apply_root_options(args)
    if args.date is None:
        from tasks.commands.schedule import run_date_at

        args.date = run_date_at(dt.datetime.now(dt.timezone.utc))
    return check(args.date)


if __name__ == "__main__":
    sys.exit(main())
