"""``python -m tasks.commands.schedule``: the run date of the automated daily run.

The run date is the latest NYSE session whose daily bars have settled: a run in the
evening takes today's session, a catch-up run the next morning (a timer that missed
its time) still takes the session it missed, and a run on a weekend or holiday takes
the last session, which is then already done and costs nothing.
"""

from __future__ import annotations

import datetime as dt

#: How long after the close the day's bars are final at the source (hours).
SETTLE_HOURS = 1


def run_date_at(now: dt.datetime) -> dt.date:
    """The latest NYSE session closed at least ``SETTLE_HOURS`` before ``now`` (aware)."""
    import pandas as pd

    from momentum_pipeline.foundation.calendar import nyse

    calendar = nyse()
    moment = pd.Timestamp(now).tz_convert("UTC")
    new_york_day = moment.tz_convert("America/New_York").tz_localize(None).normalize()
    session = calendar.date_to_session(new_york_day, direction="previous")
    if calendar.session_close(session) + pd.Timedelta(hours=SETTLE_HOURS) > moment:
        session = calendar.previous_session(session)
    return session.date()


if __name__ == "__main__":
    print(run_date_at(dt.datetime.now(dt.timezone.utc)).isoformat())
