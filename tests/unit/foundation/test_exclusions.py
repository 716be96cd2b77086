"""Partial failure: which tickers a day runs on, and when the day itself fails."""

from __future__ import annotations

import pytest

from momentum_pipeline.foundation.exclusions import DayFailed, Exclusion, screen_universe

UNIVERSE = tuple(f"T{i:02d}" for i in range(20))


def excluded(*tickers: str) -> dict[str, Exclusion]:
    return {t: Exclusion(t, "ValidatePrices", f"prices/{t}.csv: column 'close': missing\n  more")
            for t in tickers}


def test_screen_universe_when_one_ticker_excluded_then_the_others_pass_in_order():
    assert screen_universe(UNIVERSE, excluded("T03"), "SPY", 0.10) == tuple(
        t for t in UNIVERSE if t != "T03")


def test_screen_universe_when_share_at_the_limit_then_day_goes_on():
    passed = screen_universe(UNIVERSE, excluded("T01", "T02"), "SPY", 0.10)
    assert len(passed) == 18


def test_screen_universe_when_share_above_limit_then_day_fails_naming_every_ticker():
    with pytest.raises(DayFailed) as failure:
        screen_universe(UNIVERSE, excluded("T01", "T02", "T03"), "SPY", 0.10)
    message = str(failure.value)
    assert "3 of 20 universe tickers are excluded (15%" in message
    assert all(f"T0{i} (ValidatePrices: prices/T0{i}.csv" in message for i in (1, 2, 3))
    assert "--universe-max-excluded-fraction" in message


def test_screen_universe_when_benchmark_excluded_then_day_fails_naming_it():
    with pytest.raises(DayFailed, match=r"(?s)the benchmark SPY is excluded.*ValidatePrices: "
                                         r"prices/SPY.csv: column 'close': missing\n  more"):
        screen_universe(UNIVERSE, excluded("SPY"), "SPY", 0.10)


def test_screen_universe_when_exclusions_outside_universe_then_they_do_not_count():
    assert screen_universe(UNIVERSE, excluded("TSLA"), "SPY", 0.0) == UNIVERSE


def test_exclusion_summary_when_reason_has_several_lines_then_first_line_only():
    assert excluded("XOM")["XOM"].summary() == (
        "XOM (ValidatePrices: prices/XOM.csv: column 'close': missing)")
