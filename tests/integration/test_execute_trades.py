"""ExecuteTrades run by Luigi on inputs written by the contract: orders that reach the
targets, reports and trade log, refusals that write nothing, reruns that send nothing,
a damaged journal that stops everything, and alerts on every failure."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import luigi
import pandas as pd
import pytest
from luigi.execution_summary import LuigiStatusCode

import order_engine as oe
from momentum_pipeline.execution import REPORT_FILES
from momentum_pipeline.foundation.provenance import SAMPLE_DATA_WARNING
from tasks import DailyPipeline, ExecuteTrades, GenerateSignals, Research
from tests.conftest import REPO, run_tasks
from tests.integration.execution_inputs import (DATE, TICKERS, WEIGHTS, close_on, configure,
                                                expected_shares, write_inputs)


@pytest.fixture
def root(pipeline_config, data_root: Path) -> Path:
    configure(pipeline_config)
    write_inputs(data_root)
    return data_root


def confirmed() -> ExecuteTrades:
    return ExecuteTrades(date=DATE, confirm=DATE.isoformat())


def report(root: Path, name: str) -> Path:
    return root / "executions" / DATE.isoformat() / name


def remove_report(root: Path) -> None:
    """Forces a rerun of the date: its report goes, the journal stays."""
    shutil.rmtree(root / "executions" / DATE.isoformat())


def journal(root: Path) -> list[oe.JournalRecord]:
    return list(oe.read_journal(str(root / "executions" / "journal.log")))


def submits(root: Path) -> list[str]:
    return [r.client_order_id for r in journal(root) if r.kind == oe.RecordKind_Submit]


def alerts(root: Path) -> str:
    path = root / "logs" / "alerts.log"
    return path.read_text() if path.exists() else ""


def test_execute_trades_when_confirmed_then_positions_reach_the_target_shares(root):
    assert run_tasks(confirmed()).status == LuigiStatusCode.SUCCESS

    positions = pd.read_csv(report(root, "positions.csv")).set_index("ticker")["shares"]
    wanted = {t: expected_shares(t, w) for t, w in WEIGHTS.items() if w}
    assert positions.to_dict() == wanted
    orders = pd.read_csv(report(root, "orders.csv"))
    assert set(orders["status"]) == {"FILLED"}
    assert orders.set_index("ticker")["quantity"].to_dict() == wanted
    fills = pd.read_csv(report(root, "fills.csv"))
    assert fills.groupby("ticker")["quantity"].sum().to_dict() == wanted
    # Paper fills: the first simulated ask, 5 bps above the close, to the engine's tick.
    for fill in fills.itertuples():
        assert fill.price == pytest.approx(round(round(close_on(fill.ticker), 4) * 1.0005, 4), abs=1e-4)
    summary = json.loads(report(root, "summary.json").read_text())
    assert summary["orders"] == {"planned": 3, "sent": 3, "FILLED": 3}
    assert summary["sample_data"] is False and summary["venue"] == "paper"
    assert (summary["outcome"], summary["problems"]) == ("done", [])
    assert sorted(submits(root)) == sorted(f"{DATE}-{t}-BUY-1" for t in wanted)
    used = summary["provenance"]["inputs"]
    assert used["signals"]["file"] == f"signals/{DATE}/target_weights.parquet"
    assert len(used["signals"]["sha256"]) == 64
    assert used["closes"] == pytest.approx({t: round(close_on(t), 4) for t in TICKERS}, abs=1e-4)
    assert used["limits"] == summary["limits"]


def test_execute_trades_writes_each_order_to_the_trade_log(root):
    assert run_tasks(confirmed()).status == LuigiStatusCode.SUCCESS
    log = (root / "logs" / "trade_exec.log").read_text()
    for ticker, weight in WEIGHTS.items():
        if weight:
            assert f"{DATE}-{ticker}-BUY-1: BUY {expected_shares(ticker, weight)} {ticker}" in log
    assert "SAMPLE DATA" not in log


def test_execute_trades_without_confirmation_then_refuses_writes_nothing_and_alerts(root):
    result = run_tasks(ExecuteTrades(date=DATE))
    assert result.status == LuigiStatusCode.FAILED
    assert not (root / "executions").exists()
    assert not (root / "executions" / "journal.log").exists()
    assert f"--confirm {DATE}" in alerts(root) and "ExecuteTrades" in alerts(root)
    assert not ExecuteTrades(date=DATE).complete()


def test_execute_trades_when_confirmation_names_another_day_then_refuses(root):
    result = run_tasks(ExecuteTrades(date=DATE, confirm="2025-10-07"))
    assert result.status == LuigiStatusCode.FAILED
    assert "does not match the run date 2025-10-08" in alerts(root)
    assert not (root / "executions").exists()


def test_execute_trades_twice_for_one_date_then_the_second_run_sends_nothing(root):
    assert run_tasks(confirmed()).status == LuigiStatusCode.SUCCESS
    sent = submits(root)
    positions = report(root, "positions.csv").read_text()

    assert confirmed().complete()
    assert run_tasks(confirmed()).status == LuigiStatusCode.SUCCESS
    assert submits(root) == sent  # complete: nothing ran

    remove_report(root)
    assert run_tasks(confirmed()).status == LuigiStatusCode.SUCCESS
    assert submits(root) == sent
    assert report(root, "positions.csv").read_text() == positions
    assert json.loads(report(root, "summary.json").read_text())["orders"]["sent"] == 0


def test_execute_trades_when_an_order_was_journalled_then_a_rerun_skips_it_as_duplicate(
        root, pipeline_config):
    assert run_tasks(confirmed()).status == LuigiStatusCode.SUCCESS
    sent = submits(root)
    # Move the targets: the same ids come out of the plan, and none is sent again.
    write_inputs(root, weights={t: 2 * w for t, w in WEIGHTS.items()})
    remove_report(root)
    assert run_tasks(confirmed()).status == LuigiStatusCode.SUCCESS
    orders = pd.read_csv(report(root, "orders.csv"))
    assert set(orders["status"]) == {"DUPLICATE"}
    assert submits(root) == sent


def test_execute_trades_carries_positions_into_the_next_day(root):
    day_before = DATE.replace(day=7)
    write_inputs(root, day=day_before)
    assert run_tasks(ExecuteTrades(date=day_before, confirm=day_before.isoformat())).status \
        == LuigiStatusCode.SUCCESS
    write_inputs(root, weights={**WEIGHTS, "AAPL": 0.0})
    assert run_tasks(confirmed()).status == LuigiStatusCode.SUCCESS
    orders = pd.read_csv(report(root, "orders.csv")).set_index("ticker")
    held = expected_shares("AAPL", WEIGHTS["AAPL"], day_before)
    assert orders.loc["AAPL", ["client_order_id", "side", "quantity", "current_shares"]].tolist() \
        == [f"{DATE}-AAPL-SELL-1", "SELL", held, held]
    positions = pd.read_csv(report(root, "positions.csv")).set_index("ticker")["shares"]
    assert "AAPL" not in positions.index
    for ticker in ("JPM", "MSFT"):  # bought the day before; topped up or trimmed to today's close
        assert positions[ticker] == expected_shares(ticker, WEIGHTS[ticker])


def test_execute_trades_when_a_limit_is_breached_then_rejected_alerted_and_not_done(
        root, pipeline_config):
    pipeline_config.set("execution", "max_order_notional", 60_000)
    assert run_tasks(confirmed()).status == LuigiStatusCode.FAILED
    assert "ExecutionNeedsAttention: 2 problem(s)" in alerts(root)
    assert f"order {DATE}-AAPL-BUY-1 (BUY 387 AAPL) rejected" in alerts(root)
    rejections = pd.read_csv(report(root, "rejections.csv")).set_index("ticker")
    assert set(rejections.index) == {"AAPL", "MSFT"}  # about 100k and 80k dollars
    assert set(rejections["reason"]) == {"MAX_ORDER_NOTIONAL"}
    assert rejections["message"].str.contains("60000.00").all()
    positions = pd.read_csv(report(root, "positions.csv")).set_index("ticker")["shares"]
    assert positions.to_dict() == {"AAPL": 0, "JPM": expected_shares("JPM", 0.05), "MSFT": 0}
    assert sorted(submits(root)) == [f"{DATE}-JPM-BUY-1"]
    summary = json.loads(report(root, "summary.json").read_text())
    assert summary["limits"] == {"max_order_quantity": 100_000, "max_order_notional": 60_000.0,
                                 "max_position_quantity": 200_000,
                                 "max_position_notional": 150_000.0,
                                 "max_gross_exposure": 1_500_000.0, "price_collar": 0.05,
                                 "max_orders_per_second": 200.0}
    assert summary["outcome"] == "needs attention" and len(summary["problems"]) == 2
    assert not confirmed().complete()  # so a rerun after the fix acts

    pipeline_config.set("execution", "max_order_notional", 150_000)
    assert run_tasks(confirmed()).status == LuigiStatusCode.SUCCESS
    orders = pd.read_csv(report(root, "orders.csv")).set_index("ticker")["status"]
    assert orders.to_dict() == {"AAPL": "FILLED", "MSFT": "FILLED"}  # JPM is at its target
    assert json.loads(report(root, "summary.json").read_text())["outcome"] == "done"
    assert confirmed().complete()


def test_execute_trades_when_every_order_is_rejected_then_says_nothing_could_be_sent(
        root, pipeline_config):
    pipeline_config.set("execution", "max_order_notional", 1_000)
    assert run_tasks(confirmed()).status == LuigiStatusCode.FAILED
    assert "nothing could be sent: all 3 orders were rejected" in alerts(root)
    assert submits(root) == []


def test_execute_trades_when_targets_round_to_zero_shares_then_each_is_logged_and_reported(
        root, pipeline_config):
    pipeline_config.set("execution", "capital", 5_000.0)  # 5% of it is under one JPM share
    assert run_tasks(confirmed()).status == LuigiStatusCode.SUCCESS
    skipped = ["JPM", "MSFT"]  # 250 and 400 dollars at about 304 and 525; AAPL buys 1
    orders = pd.read_csv(report(root, "orders.csv")).set_index("ticker")
    assert orders["status"].to_dict() == {"AAPL": "FILLED", "JPM": "SKIPPED", "MSFT": "SKIPPED"}
    assert (orders.loc[skipped, "reason"] == "ROUNDS_TO_0_SHARES").all()
    summary = json.loads(report(root, "summary.json").read_text())
    assert [row["ticker"] for row in summary["skipped"]] == skipped
    assert summary["orders"] == {"planned": 1, "sent": 1, "FILLED": 1}
    log = (root / "logs" / "trade_exec.log").read_text()
    for ticker in skipped:
        assert (f"{ticker}: no order: skipped: rounds to 0 shares: target weight "
                f"{WEIGHTS[ticker]:.2%} of capital 5,000.00") in log
        assert f"less than one share at {close_on(ticker):,.2f}" in log
    assert sorted(submits(root)) == [f"{DATE}-AAPL-BUY-1"]


def test_execute_trades_has_no_venue_but_paper(root):
    with pytest.raises(ValueError, match="live"):
        ExecuteTrades(date=DATE, confirm=DATE.isoformat(), venue="live")
    assert not (root / "executions").exists()


def test_execute_trades_when_signals_are_stale_then_refuses(pipeline_config, data_root):
    configure(pipeline_config)
    write_inputs(data_root, signal_session=DATE.replace(day=7))
    assert run_tasks(confirmed()).status == LuigiStatusCode.FAILED
    assert "stale signals" in alerts(data_root)
    assert not (data_root / "executions" / "journal.log").exists()


def test_execute_trades_when_a_target_weight_is_not_finite_then_refuses(pipeline_config,
                                                                       data_root):
    configure(pipeline_config)
    write_inputs(data_root, weights={**WEIGHTS, "JPM": float("nan")})
    assert run_tasks(confirmed()).status == LuigiStatusCode.FAILED
    assert "are not finite for JPM" in alerts(data_root)
    assert not (data_root / "executions" / "journal.log").exists()


def test_execute_trades_when_the_journal_tail_is_damaged_then_fails_and_reports_where(root):
    assert run_tasks(confirmed()).status == LuigiStatusCode.SUCCESS
    path = root / "executions" / "journal.log"
    text = path.read_bytes()
    records = text.count(b"\n")
    path.write_bytes(text[:-5])  # a torn last record
    remove_report(root)
    assert run_tasks(confirmed()).status == LuigiStatusCode.FAILED
    assert "JournalCorruptedError" in alerts(root)
    assert f"damaged at line {records}" in alerts(root)
    assert "manual review needed" in (root / "logs" / "trade_exec.log").read_text()
    assert path.read_bytes() == text[:-5]  # left for a person to inspect
    assert not report(root, "summary.json").exists()


def test_execute_trades_when_records_were_cut_from_the_journal_then_not_done_and_alerted(root):
    """Whole records cut at a line boundary (each line left intact) behind a finished
    report: the day no longer counts as done, and the run that follows fails loudly."""
    assert run_tasks(confirmed()).status == LuigiStatusCode.SUCCESS
    path = root / "executions" / "journal.log"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-3]))  # the last order's SUBMIT, FILL and STATUS
    assert not confirmed().complete()
    assert run_tasks(confirmed()).status == LuigiStatusCode.FAILED
    assert f"but {len(lines)} records" in alerts(root) and "were committed" in alerts(root)
    assert path.read_bytes().count(b"\tSUBMIT\t") == 2  # nothing was sent again


def test_execute_trades_when_the_journal_is_missing_behind_reports_then_refuses(root):
    assert run_tasks(confirmed()).status == LuigiStatusCode.SUCCESS
    path = root / "executions" / "journal.log"
    path.unlink()
    Path(oe.journal_head_path(str(path))).unlink()  # both gone: only the report remains
    write_inputs(root, day=DATE.replace(day=9))
    assert run_tasks(ExecuteTrades(date=DATE.replace(day=9),
                                   confirm="2025-10-09")).status == LuigiStatusCode.FAILED
    assert "order journal" in alerts(root) and "is missing" in alerts(root)
    assert not path.exists()


def test_execute_trades_on_sample_data_says_so_in_every_output(pipeline_config, data_root):
    configure(pipeline_config)
    write_inputs(data_root, sample=True)
    assert run_tasks(confirmed()).status == LuigiStatusCode.SUCCESS
    for name in REPORT_FILES[:-1]:  # every row of every CSV, and the summary
        frame = pd.read_csv(report(data_root, name))
        assert (frame["warning"] == SAMPLE_DATA_WARNING).all(), name
    assert len(pd.read_csv(report(data_root, "orders.csv"))) == 3
    summary = json.loads(report(data_root, "summary.json").read_text())
    assert (summary["sample_data"], summary["warning"]) == (True, SAMPLE_DATA_WARNING)
    for line in (data_root / "logs" / "trade_exec.log").read_text().splitlines():
        assert "SAMPLE DATA" in line


def test_execute_trades_needs_the_signals_and_the_universe_prices(root):
    requires = confirmed().requires()
    assert requires["signals"] == GenerateSignals(date=DATE)
    assert set(requires["prices"]) == set(TICKERS)


def test_execute_trades_unconfirmed_requires_nothing(root):
    assert ExecuteTrades(date=DATE).requires() == {}


def test_execute_trades_is_required_by_no_wrapper_task(root):
    seen: set[str] = set()

    def walk(task: luigi.Task) -> None:
        if task.task_id not in seen:
            seen.add(task.task_id)
            for dependency in luigi.task.flatten(task.requires()):
                walk(dependency)

    for wrapper in (DailyPipeline(date=DATE), Research(date=DATE)):
        walk(wrapper)
    families = {task_id.split("_")[0] for task_id in seen}
    assert {"GenerateSignals", "BacktestStrategy"} <= families
    assert "ExecuteTrades" not in families


def trading(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command, *rest = args
    return subprocess.run([sys.executable, "-m", "tasks.commands.trading", command, "--paths-root",
                           str(root), *rest], cwd=REPO, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "LUIGI_CONFIG_PATH": str(REPO / "luigi.cfg")})


def test_execute_trades_when_trading_is_halted_then_refuses_sends_nothing_until_resumed(root):
    assert trading(root, "status").stdout == "trading: ACTIVE (never set)\n"
    halted = trading(root, "halt", "--by", "ana", "--why", "broker outage")
    assert halted.returncode == 0, halted.stderr
    assert run_tasks(confirmed()).status == LuigiStatusCode.FAILED
    assert "trading is HALTED, set by ana" in alerts(root) and "broker outage" in alerts(root)
    assert not (root / "executions" / "journal.log").exists()  # no message left the engine
    assert not report(root, "summary.json").exists()
    assert "HALTED, set by ana" in trading(root, "status").stdout  # held across processes

    assert trading(root, "resume", "--by", "ana", "--why", "broker back").returncode == 0
    assert run_tasks(confirmed()).status == LuigiStatusCode.SUCCESS
    summary = json.loads(report(root, "summary.json").read_text())
    assert (summary["trading_state"]["state"], summary["trading_state"]["why"]) == ("ACTIVE", "broker back")
    history = (root / "executions" / "trading_state.log").read_text().splitlines()
    assert [json.loads(line)["state"] for line in history] == ["HALTED", "ACTIVE"]


def test_execute_trades_when_reduce_only_then_only_orders_that_shrink_positions_go_out(root):
    day_before = DATE.replace(day=7)
    write_inputs(root, day=day_before)
    assert run_tasks(ExecuteTrades(date=day_before, confirm=day_before.isoformat())).status \
        == LuigiStatusCode.SUCCESS
    assert trading(root, "reduce-only", "--by", "risk", "--why", "drawdown limit").returncode == 0
    write_inputs(root, weights={**WEIGHTS, "AAPL": 0.0, "JPM": 0.10})  # sell AAPL, buy JPM
    assert run_tasks(confirmed()).status == LuigiStatusCode.FAILED  # the JPM buy is rejected
    orders = pd.read_csv(report(root, "orders.csv")).set_index("ticker")
    assert orders.loc["AAPL", "status"] == "FILLED" and orders.loc["JPM", "status"] == "REJECTED"
    assert orders.loc["JPM", "reason"] == "REDUCE_ONLY"
    assert json.loads(report(root, "summary.json").read_text())["trading_state"]["state"] == "REDUCING"


def test_trading_command_when_no_reason_given_then_refused_and_state_unchanged(root):
    refused = trading(root, "halt", "--by", "ana", "--why", " ")
    assert refused.returncode == 2 and "for a reason" in refused.stderr
    assert not (root / "executions" / "trading_state.json").exists()
