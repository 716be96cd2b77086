"""``python -m tasks.commands.backfill``: ``DailyPipeline`` for every NYSE session of a
range, oldest first, one Luigi run a date in one process.

    python -m tasks.commands.backfill --start 2025-09-22 [--end 2025-10-01] [LUIGI FLAGS]

One run a date rather than one ``RangeDaily`` run of them all: Luigi's scheduler scans
every pending task of a run each time a worker asks for work, so a run holding all the
dates' tasks (about 520 a date on the S&P 100) spends time growing with the square of
the backfill's length; a date at a time it grows with the length. Each date also finds
the one before it done, so it shares that date's unchanged history (README, *Storage and
retention*). One process for all the dates pays the imports and warm-ups once, and holds
the data root from the first date to the last.

A date already done costs a run that finds nothing to do. A failed date does not stop
the backfill (the day's other tickers and stages went on, and so do the later dates);
the command names the failed dates and exits with the highest of their Luigi exit codes
(luigi.cfg ``[retcode]``), 0 when every date is done. It stops when the data root is held
by another run (no later date could run either), and on Ctrl-C, saying how to go on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import threading


#: The exit code of a command line stopped by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


def signal_seen(signum: int) -> threading.Event:
    """Set when ``signum`` arrives, which still raises KeyboardInterrupt as Python's
    default SIGINT handler does: Luigi swallows one raised in an event handler (the
    progress lines), so the loop also asks the event after each date."""
    seen = threading.Event()

    def interrupt(received: int, frame: object) -> None:
        seen.set()
        raise KeyboardInterrupt

    signal.signal(signum, interrupt)
    return seen


def backfill_dates(start: dt.date, end: dt.date) -> list[dt.date]:
    """The NYSE sessions from ``start`` to ``end`` (both included), oldest first."""
    from momentum_pipeline.foundation.calendar import sessions

    return [day.date() for day in sessions(start, end)]


def run_date(day: dt.date, luigi_flags: list[str]) -> int:
    """``luigi --module tasks DailyPipeline --date day`` with the caller's flags, in this
    process: the exit code the command line would have."""
    from luigi.retcodes import run_with_retcodes

    try:
        run_with_retcodes(["--module", "tasks", "DailyPipeline", "--date", day.isoformat(),
                           *luigi_flags])
    except SystemExit as ended:
        return ended.code if isinstance(ended.code, int) else 1
    return 0


def main(argv: list[str] | None = None) -> int:
    from luigi.retcodes import retcode

    from tasks import console
    from tasks.commands.schedule import run_date_at

    parser = argparse.ArgumentParser(
        prog="python -m tasks.commands.backfill",
        description="Run DailyPipeline for each NYSE session from --start to --end, oldest "
                    "first; any other flag is passed to each date's luigi run "
                    "(--workers, --scheduler-host or --local-scheduler, --paths-root, ...).")
    parser.add_argument("--start", type=dt.date.fromisoformat, required=True,
                        help="first run date (YYYY-MM-DD); a weekend or holiday starts at the "
                             "next session")
    parser.add_argument("--end", type=dt.date.fromisoformat,
                        help="last run date, included (default: the latest settled session, "
                             "as scripts/run-daily.sh takes)")
    args, luigi_flags = parser.parse_known_args(argv)
    if "--date" in luigi_flags or any(flag.startswith("--date=") for flag in luigi_flags):
        parser.error("--date is each session of the range: give --start and --end")
    end = args.end or run_date_at(dt.datetime.now(dt.timezone.utc))
    dates = backfill_dates(args.start, end)
    if not dates:
        parser.error(f"no NYSE session from {args.start} to {end}")

    console.install()  # progress and the closing summary, as on a luigi command line
    root_in_use = retcode().already_running
    failed: dict[dt.date, int] = {}
    ran = 0
    interrupted = signal_seen(signal.SIGINT)
    for number, day in enumerate(dates, start=1):
        print(f"backfill: {day} ({number}/{len(dates)})", flush=True)
        try:
            code = run_date(day, luigi_flags)
        except KeyboardInterrupt:
            interrupted.set()
        if interrupted.is_set():
            print(f"backfill: interrupted during {day}; run the same command again to go on "
                  "(the dates done are skipped, and so are the tasks done of this one)",
                  flush=True)
            return INTERRUPTED
        ran += 1
        if code:
            failed[day] = code
        if code == root_in_use:
            break  # another run holds the data root: no later date could run either
    said = (f"backfill: {ran - len(failed)} of {len(dates)} sessions from {dates[0]} to "
            f"{dates[-1]} done" + "".join(f"; {day} failed (exit {code})"
                                          for day, code in failed.items()))
    if ran < len(dates):
        said += f"; {len(dates) - ran} not run (from {dates[ran]}): the data root is in use"
    print(said, flush=True)
    return max(failed.values(), default=0)


if __name__ == "__main__":
    sys.exit(main())
