"""The universe: tickers in Yahoo form, from the file or the command line."""

from __future__ import annotations

import csv

import pytest

from momentum_pipeline.foundation.universe import load_sectors, load_universe, normalise_ticker, parse_tickers
from tasks.config import CONFIG_DIR

SP100 = CONFIG_DIR / "universe" / "sp100.csv"


@pytest.mark.parametrize(("given", "expected"), [("BRK.B", "BRK-B"), (" aapl ", "AAPL"),
                                                 ("brk-b", "BRK-B"), ("^gspc", "^GSPC"),
                                                 ("BF.B", "BF-B")])
def test_normalise_ticker_when_dotted_or_lower_case_then_yahoo_form(given, expected):
    assert normalise_ticker(given) == expected


@pytest.mark.parametrize("bad", ["", "  ", "AAPL;rm", "A/B", "AA PL", "^", "GS^PC", "^^GSPC"])
def test_normalise_ticker_when_not_a_symbol_then_error_quotes_it_and_says_what_is_allowed(bad):
    with pytest.raises(ValueError, match=r"invalid ticker .*: use letters, digits, '\.' or '-'.*"
                                         r"after a '\^' for an index"):
        normalise_ticker(bad)


def test_load_universe_when_sp100_file_then_101_members_without_the_benchmark_row():
    with SP100.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    members = [r["yahoo_ticker"] for r in rows if r["in_sp100"] == "yes"]
    tickers = load_universe(SP100)
    assert len(tickers) == 101 and list(tickers) == members
    assert "SPY" not in tickers and "BRK-B" in tickers


def test_load_universe_when_file_has_no_rows_then_error_names_it(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("ticker\n")
    with pytest.raises(ValueError, match=f"{empty}: universe file has no rows"):
        load_universe(empty)


def test_parse_tickers_when_repeated_and_spaced_then_each_once_in_order():
    assert parse_tickers("msft, AAPL,,brk.b,MSFT") == ("MSFT", "AAPL", "BRK-B")


def test_load_sectors_when_sp100_then_sector_of_each_member():
    sectors = load_sectors(SP100)
    assert sectors["JPM"] == "Financials" and sectors["BRK-B"] == "Financials"
    assert sectors["SPY"] == "ETF"


def test_universe_when_tickers_excluded_then_the_rest_stays_in_file_order(pipeline_config):
    from tasks.universe import universe_tickers

    pipeline_config.set("universe", "exclude", "brk.b, AAPL")
    tickers = universe_tickers()
    assert "BRK-B" not in tickers and "AAPL" not in tickers
    assert list(tickers) == [t for t in load_universe(SP100) if t not in {"BRK-B", "AAPL"}]


def test_universe_when_command_line_list_and_exclusion_then_exclusion_applies(pipeline_config):
    from tasks.universe import universe_tickers

    pipeline_config.set("universe", "tickers", "MSFT,TSLA,GEV")
    pipeline_config.set("universe", "exclude", "GEV")
    assert universe_tickers() == ("MSFT", "TSLA")
