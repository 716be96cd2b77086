"""The backfill command's range: NYSE sessions only, both ends included; a range with
no session, or a --date that would fight the range, is refused before anything runs."""

from __future__ import annotations

import datetime as dt

import pytest

from tasks.commands.backfill import backfill_dates, main


def test_backfill_dates_when_range_has_a_weekend_and_a_holiday_then_only_sessions_oldest_first():
    # 2025-07-04 (Friday) is Independence Day; 07-05 and 07-06 a weekend.
    assert backfill_dates(dt.date(2025, 7, 3), dt.date(2025, 7, 7)) == [
        dt.date(2025, 7, 3), dt.date(2025, 7, 7)]


@pytest.mark.parametrize(("flags", "said"), [
    (["--start", "2025-10-04", "--end", "2025-10-05"], "no NYSE session from 2025-10-04 to 2025-10-05"),
    (["--start", "2025-10-01", "--end", "2025-10-03", "--date", "2025-10-02"], "--date is each session"),
    (["--start", "2025-10-01", "--date=2025-10-02"], "--date is each session"),
])
def test_backfill_when_range_is_unusable_then_it_refuses_before_running(flags, said, capsys):
    with pytest.raises(SystemExit) as refused:
        main(flags)
    assert refused.value.code == 2
    assert said in capsys.readouterr().err
