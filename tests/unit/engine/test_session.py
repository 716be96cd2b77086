"""A day's orders through the engine: outcomes, fills and expiries as frames, the
report's files, in-doubt orders after a crash, and venues that refuse."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import fields, replace
from pathlib import Path

import pandas as pd
import pytest

import order_engine as oe
from momentum_pipeline.execution import REPORT_FILES
from momentum_pipeline.execution.orders import plan_orders
from momentum_pipeline.execution.report import report_files
from momentum_pipeline.execution.config import ExecutionSettings
from momentum_pipeline.execution.session import (PAPER_MARKET, RISK_LIMITS, ExecutionRefused,
                                                 engine_config, execute_plan, in_doubt,
                                                 limits_in_force, open_engine, reconcile)
from tests.conftest import fix_simulator, free_port

DAY = dt.date(2025, 10, 8)
SETTINGS = ExecutionSettings(
    capital=1_000_000.0, max_order_quantity=100_000, max_order_notional=150_000.0,
    max_position_quantity=200_000, max_position_notional=150_000.0,
    max_gross_exposure=1_500_000.0, price_collar=0.05, max_orders_per_second=200.0,
    paper_levels=10, paper_level_spacing=0.0005, paper_level_notional=250_000.0)
PRICES = pd.Series({"AAA": 100.0, "BBB": 40.0})
LOG = logging.getLogger("tests.execution")


def run_day(journal: Path, target: pd.Series, settings: ExecutionSettings = SETTINGS):
    with open_engine("paper", settings, journal) as engine:
        for ticker, price in PRICES.items():
            engine.set_reference_price(ticker, price)
        plan = plan_orders(DAY, target, PRICES, dict(engine.positions()), settings.capital,
                           settings.price_collar)
        return execute_plan(engine, plan, LOG)


def test_execute_plan_reports_outcomes_fills_and_positions(tmp_path):
    result = run_day(tmp_path / "journal.log", pd.Series({"AAA": 0.10, "BBB": 0.05}))
    orders = result.orders.set_index("ticker")
    assert orders["status"].to_dict() == {"AAA": "FILLED", "BBB": "FILLED"}
    assert orders["filled_quantity"].to_dict() == {"AAA": 1_000, "BBB": 1_250}
    assert result.positions == {"AAA": 1_000, "BBB": 1_250}
    assert result.fills.groupby("ticker")["quantity"].sum().to_dict() == result.positions
    assert orders.loc["AAA", "average_price"] == pytest.approx(100.05)  # first ask, 5 bps up


def test_execute_plan_when_the_book_is_thin_then_the_day_remainder_expires(tmp_path):
    thin = replace(SETTINGS, paper_levels=2, paper_level_notional=20_000.0)
    result = run_day(tmp_path / "journal.log", pd.Series({"AAA": 0.10}), thin)
    order = result.orders.iloc[0]
    assert order["status"] == "EXPIRED"
    assert 0 < order["filled_quantity"] < order["quantity"]
    assert result.positions["AAA"] == order["filled_quantity"]


def test_execute_plan_when_rerun_then_nothing_is_sent_twice(tmp_path):
    journal = tmp_path / "journal.log"
    run_day(journal, pd.Series({"AAA": 0.10}))
    again = run_day(journal, pd.Series({"AAA": 0.20}))  # same id, new size
    assert again.orders["status"].tolist() == ["DUPLICATE"]
    assert again.positions["AAA"] == 1_000
    assert [r.kind for r in oe.read_journal(str(journal))].count(oe.RecordKind_Submit) == 1


def test_in_doubt_lists_an_order_left_resting_when_the_process_ended(tmp_path):
    journal = tmp_path / "journal.log"
    with open_engine("paper", SETTINGS, journal) as engine:
        engine.set_reference_price("AAA", 100.0)
        engine.submit(oe.new_order(f"{DAY}-AAA-BUY-1", "AAA", oe.Side_Buy, 10, 99.0))
        # no end_of_day: the run ended while the order rested
    with open_engine("paper", SETTINGS, journal) as engine:
        doubts = in_doubt(engine)
    assert [d["client_order_id"] for d in doubts] == [f"{DAY}-AAA-BUY-1"]
    assert "never sent again" in doubts[0]["message"]
    with open_engine("paper", SETTINGS, journal) as engine:
        assert reconcile(engine) == []  # the paper venue cannot tell
        assert len(in_doubt(engine)) == 1


def test_open_engine_on_an_unknown_venue_refuses_before_opening_anything(tmp_path):
    journal = tmp_path / "executions" / "journal.log"
    with pytest.raises(ExecutionRefused, match="unknown venue 'live': one of paper, fix"):
        open_engine("live", SETTINGS, journal)
    assert not journal.parent.exists()


def test_open_engine_on_fix_without_its_settings_refuses_before_opening_anything(tmp_path):
    journal = tmp_path / "executions" / "journal.log"
    needs = "fix_settings" if oe.built_with_fix() else "libquickfix-dev"
    with pytest.raises(ExecutionRefused, match=needs):
        open_engine("fix", SETTINGS, journal)
    assert not journal.parent.exists()


def test_open_engine_on_fix_when_nothing_answers_refuses_naming_host_and_port(tmp_path):
    fix_simulator()  # the engine has the FIX venue
    settings = tmp_path / "session.cfg"
    settings.write_text("[DEFAULT]\nConnectionType=initiator\nHeartBtInt=30\nStartTime=00:00:00\n"
                        "EndTime=00:00:00\nPersistMessages=N\nUseDataDictionary=N\n"
                        f"FileStorePath={tmp_path / 'store'}\n[SESSION]\nBeginString=FIX.4.4\n"
                        "SenderCompID=MOMENTUM\nTargetCompID=SIM\nSocketConnectHost=127.0.0.1\n"
                        f"SocketConnectPort={free_port()}\n")
    fix = replace(SETTINGS, fix_settings=settings, fix_logon_timeout=0.3)
    with pytest.raises(ExecutionRefused, match=r"127\.0\.0\.1:\d+ .*no Logon within 300 ms"):
        open_engine("fix", fix, tmp_path / "journal.log")


def test_open_engine_sets_every_limit_from_the_settings_never_the_cpp_defaults(tmp_path):
    cpp_defaults = oe.RiskLimits()
    with open_engine("paper", SETTINGS, tmp_path / "journal.log") as engine:
        enforced = limits_in_force(engine)
    assert set(enforced) == set(RISK_LIMITS) and len(RISK_LIMITS) == 7
    assert enforced == {name: getattr(SETTINGS, name) for name in RISK_LIMITS}
    assert all(getattr(cpp_defaults, n) != v for n, v in enforced.items())  # really set


def test_engine_config_sets_the_paper_market_from_the_settings(tmp_path):
    liquidity = engine_config(SETTINGS, tmp_path / "journal.log").liquidity
    assert {name: getattr(liquidity, name) for name in PAPER_MARKET} == {
        "levels": 10, "level_spacing": 0.0005, "level_notional": 250_000.0}


def test_an_order_above_the_configured_notional_is_rejected_at_that_limit(tmp_path):
    limited = replace(SETTINGS, max_order_notional=60_000.0)
    with open_engine("paper", limited, tmp_path / "journal.log") as engine:
        engine.set_reference_price("AAA", 100.0)
        report = engine.submit(oe.new_order(f"{DAY}-AAA-BUY-1", "AAA", oe.Side_Buy, 1_000, 102.5))
        assert limits_in_force(engine)["max_order_notional"] == 60_000.0
    assert oe.reject_reason_name(report.reason) == "MAX_ORDER_NOTIONAL"
    assert "60000.00" in report.message


def test_settings_defaults_are_the_configured_limits_not_the_cpp_ones():
    assert ExecutionSettings() == SETTINGS
    assert ExecutionSettings().max_order_notional != oe.RiskLimits().max_order_notional


def test_the_execution_section_defaults_agree_with_the_settings():
    from tasks.config import execution

    for item in fields(ExecutionSettings):
        assert getattr(execution, item.name)._default == item.default, item.name


def test_settings_from_config_reads_every_field():
    class Config:
        pass

    config = Config()
    for name, value in vars(SETTINGS).items():
        setattr(config, name, value)
    assert ExecutionSettings.from_config(config) == SETTINGS


def test_report_files_are_the_report_and_count_what_happened(tmp_path):
    target = pd.Series({"AAA": 0.10, "BBB": 0.05, "CCC": 0.01})
    limited = replace(SETTINGS, max_order_notional=60_000.0)  # AAA (100k) is refused
    result = run_day(tmp_path / "journal.log", target, limited)
    files = report_files(result, target=target, prices=PRICES,
                         unpriced={"CCC": "no close for the signal session"}, skipped={},
                         in_doubt=[], header={"date": DAY.isoformat(), "capital": SETTINGS.capital},
                         warning=None)
    assert tuple(files) == REPORT_FILES
    summary = json.loads(files["summary.json"])
    assert summary["orders"] == {"planned": 2, "sent": 1, "FILLED": 1, "REJECTED": 1}
    assert summary["rejections"] == 2
    assert summary["long_value"] == pytest.approx(1_250 * 40.0)
    rejections = pd.read_csv(pd.io.common.StringIO(files["rejections.csv"]))
    assert rejections.set_index("ticker")["reason"].to_dict() == {
        "AAA": "MAX_ORDER_NOTIONAL", "CCC": "NO_REFERENCE_PRICE"}
    positions = pd.read_csv(pd.io.common.StringIO(files["positions.csv"])).set_index("ticker")
    assert positions.loc["BBB", "weight"] == pytest.approx(0.05)
    assert positions.loc["AAA", "shares"] == 0 and positions.loc["AAA", "target_weight"] == 0.10


def test_report_files_when_a_target_rounds_to_zero_shares_then_listed_as_skipped(tmp_path):
    target = pd.Series({"AAA": 0.10, "BBB": 0.00001})  # BBB: 10 dollars, a quarter share
    result = run_day(tmp_path / "journal.log", target)
    why = "skipped: rounds to 0 shares: ..."
    files = report_files(result, target=target, prices=PRICES, unpriced={},
                         skipped={"BBB": why}, in_doubt=[],
                         header={"date": DAY.isoformat(), "capital": SETTINGS.capital},
                         warning=None)
    orders = pd.read_csv(pd.io.common.StringIO(files["orders.csv"]))
    assert orders[["ticker", "status"]].values.tolist() == [["AAA", "FILLED"], ["BBB", "SKIPPED"]]
    bbb = orders.set_index("ticker").loc["BBB"]
    assert (bbb["quantity"], bbb["reference_price"], bbb["reason"], bbb["message"]) == (
        0, 40.0, "ROUNDS_TO_0_SHARES", why)
    summary = json.loads(files["summary.json"])
    assert summary["orders"] == {"planned": 1, "sent": 1, "FILLED": 1}
    assert summary["skipped"] == [{"ticker": "BBB", "target_weight": 0.00001,
                                   "reference_price": 40.0, "reason": "ROUNDS_TO_0_SHARES",
                                   "message": why}]


@pytest.mark.filterwarnings("error::FutureWarning")
def test_report_files_when_every_target_rounds_to_zero_shares_then_orders_are_the_skipped_rows(
        tmp_path):
    target = pd.Series({"AAA": 0.00001})  # 10 dollars at 100
    result = run_day(tmp_path / "journal.log", target)
    files = report_files(result, target=target, prices=PRICES, unpriced={},
                         skipped={"AAA": "skipped: rounds to 0 shares"}, in_doubt=[],
                         header={"date": DAY.isoformat(), "capital": SETTINGS.capital},
                         warning=None)
    orders = pd.read_csv(pd.io.common.StringIO(files["orders.csv"]))
    assert orders[["ticker", "status", "quantity"]].values.tolist() == [["AAA", "SKIPPED", 0]]
    assert json.loads(files["summary.json"])["orders"] == {"planned": 0, "sent": 0}
