"""Failure alerts end to end: a task fails in a real Luigi run, the alert is logged and
delivered to a real SMTP server and a real HTTP webhook on loopback."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from momentum_pipeline.operations.alerts import REDACTED, alerts_of_run
from momentum_pipeline.reporting.context import ReportSources, load_report, report_context
from momentum_pipeline.reporting.render import render_html, render_markdown
from tasks.base import PipelineTask
from tasks.execution import ExecuteTrades
from tasks.pipeline import ConfirmTicker
from tests.conftest import free_port, run_cli, run_tasks
from tests.integration.conftest import SECRET, USER

RUN_DATE = dt.date(2025, 10, 8)


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    """A real HTTP server on loopback recording JSON POSTs; the URL holds a token."""
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server hook
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"path": self.path, "json": json.loads(body)})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hooks/token-{SECRET}", received
    server.shutdown()
    server.server_close()


def broken_csv_dir(tmp_path: Path) -> Path:
    """A csv source whose BAD.csv has a negative close: a schema mismatch."""
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "BAD.csv").write_text(
        "Date,Open,High,Low,Close,Volume\n"
        "2025-10-06,10,11,9,10.5,1000\n"
        "2025-10-07,10,11,9,-1,1000\n"
        "2025-10-08,10,11,9,10.2,1000\n")
    return folder


@pytest.fixture
def alerting(pipeline_config, mail_server, monkeypatch, tmp_path):
    """Alerts mailed to the loopback server; the password only in the environment."""
    monkeypatch.setenv("MOMENTUM_SMTP_PASSWORD", SECRET)
    for option, value in {"smtp_host": "127.0.0.1", "smtp_port": mail_server.port,
                          "smtp_user": USER, "smtp_to": "quants@example.com, ops@example.com",
                          "smtp_from": "pipeline@example.com", "smtp_timeout": 5}.items():
        pipeline_config.set("alerts", option, value)
    pipeline_config.set("data", "source", "csv")
    pipeline_config.set("data", "csv_dir", broken_csv_dir(tmp_path))
    return pipeline_config


class LeakingTask(PipelineTask):
    """Fails with the SMTP password in its error, as a careless connection string would."""

    def output(self):
        return self.target("leaks", "never.txt")

    def produce(self):
        raise RuntimeError(f"could not connect to smtp://{USER}:{SECRET}@mail")


class SlowTask(PipelineTask):
    """Runs past its time-out (a task hanging on a dead connection, say)."""

    worker_timeout = 1

    def output(self):
        return self.target("slow", "never.txt")

    def produce(self):
        time.sleep(60)


def every_file_text(root: Path) -> str:
    return "\n".join(p.read_bytes().decode(errors="replace") for p in root.rglob("*")
                     if p.is_file())


def test_alert_when_schema_mismatch_then_mail_arrives_with_task_parameters_and_error(
        alerting, mail_server, data_root):
    result = run_tasks(ConfirmTicker(date=RUN_DATE, ticker="BAD"))
    assert not result.scheduling_succeeded
    assert mail_server.logins == [(USER, True)]
    [message] = mail_server.messages
    assert message["To"] == "quants@example.com, ops@example.com"
    assert message["Subject"].startswith("[momentum-pipeline ALERT] ConfirmTicker(")
    assert "ticker=BAD" in message["Subject"]
    body = message.get_content()
    assert "task ConfirmTicker failed" in body
    assert "parameters: date=2025-10-08, ticker=BAD" in body
    assert "SchemaMismatch" in body and "BAD.csv" in body and "column 'close'" in body
    [logged] = alerts_of_run(data_root / "logs" / "alerts.log", RUN_DATE)
    assert logged.family == "ConfirmTicker" and logged.parameters["ticker"] == "BAD"


def test_alert_when_the_same_failure_comes_again_then_it_is_not_sent_twice(
        alerting, mail_server, data_root, caplog):
    with caplog.at_level("WARNING", logger="momentum.alerts"):
        for _ in range(2):
            assert not run_tasks(ConfirmTicker(date=RUN_DATE, ticker="BAD")).scheduling_succeeded
    assert len(mail_server.messages) == 1
    assert len(alerts_of_run(data_root / "logs" / "alerts.log", RUN_DATE)) == 1
    assert any("not sent again" in r.getMessage() for r in caplog.records)


def test_alert_when_a_task_runs_past_its_time_out_then_it_is_terminated_and_alerted(
        alerting, mail_server, data_root):
    started = time.monotonic()
    assert not run_tasks(SlowTask(date=RUN_DATE)).scheduling_succeeded
    assert time.monotonic() - started < 30  # terminated, not left to finish its sleep
    [logged] = alerts_of_run(data_root / "logs" / "alerts.log", RUN_DATE)
    assert (logged.family, logged.outcome) == ("SlowTask", "timed out")
    assert logged.error.startswith("TaskTimedOut: ") and "timed out after 1 seconds" in logged.error
    [message] = mail_server.messages
    assert "SlowTask(date=2025-10-08) timed out: TaskTimedOut" in " ".join(
        message["Subject"].split())
    assert not list((data_root / "state" / "running").glob("*"))  # its marker cleared


def test_alert_when_execute_trades_refuses_then_critical_mail_arrives(alerting, mail_server):
    assert not run_tasks(ExecuteTrades(date=RUN_DATE)).scheduling_succeeded
    [message] = mail_server.messages
    assert message["Subject"].startswith("[momentum-pipeline CRITICAL] ExecuteTrades(")
    assert "ExecutionRefused" in message["Subject"]
    assert f"--confirm {RUN_DATE}" in message.get_content()


def test_alert_when_mail_server_down_then_failure_still_logged_and_problem_warned(
        alerting, mail_server, data_root, caplog):
    alerting.set("alerts", "smtp_port", free_port())
    with caplog.at_level("WARNING", logger="momentum.alerts"):
        result = run_tasks(ConfirmTicker(date=RUN_DATE, ticker="BAD"))
    assert not result.scheduling_succeeded
    assert mail_server.messages == []
    assert len(alerts_of_run(data_root / "logs" / "alerts.log", RUN_DATE)) == 1
    assert any("alert mail via 127.0.0.1" in r.getMessage() and "not sent" in r.getMessage()
               for r in caplog.records)


def test_alert_when_webhook_configured_then_json_posted_and_url_token_never_logged(
        alerting, webhook, data_root, caplog):
    url, received = webhook
    alerting.set("alerts", "smtp_host", "")
    alerting.set("alerts", "webhook_url", url)
    run_tasks(ConfirmTicker(date=RUN_DATE, ticker="BAD"))
    [post] = received
    assert post["path"] == f"/hooks/token-{SECRET}"
    assert post["json"]["alert"]["family"] == "ConfirmTicker"
    assert post["json"]["alert"]["parameters"] == {"date": "2025-10-08", "ticker": "BAD"}
    assert "SchemaMismatch" in post["json"]["alert"]["error"]


def test_secret_when_planted_in_smtp_config_then_no_log_mail_or_report_contains_it(
        alerting, mail_server, data_root, caplog, capfd):
    result = run_tasks(LeakingTask(date=RUN_DATE), ConfirmTicker(date=RUN_DATE, ticker="BAD"))
    assert not result.scheduling_succeeded
    assert len(mail_server.messages) == 2
    mails = "\n".join(m.as_string() for m in mail_server.messages)
    assert REDACTED in mails and SECRET not in mails

    alerts_log = data_root / "logs" / "alerts.log"
    sources = ReportSources(
        run_date=RUN_DATE, benchmark="SPY", deep_dive_ticker="TSLA",
        **{name: data_root / "absent" / name for name in (
            "backtest_summary", "performance", "target_weights", "rebalance", "excluded",
            "deep_dive_metrics", "deep_dive_features", "model_metrics", "performance_log")},
        quality_dir=data_root / "data" / "cleaned" / RUN_DATE.isoformat(),
        alerts_log=alerts_log)
    context = report_context(load_report(sources), {}, {})
    assert len(context["alerts"]) == 2
    report = render_html(context) + render_markdown(context)
    assert "LeakingTask" in report and REDACTED in report

    assert SECRET not in report
    assert SECRET not in every_file_text(data_root)
    assert not any(SECRET in r.getMessage() for r in caplog.records
                   if r.name.startswith("momentum"))


def test_alert_when_task_fails_in_cli_run_then_handler_of_tasks_module_mails_it(
        mail_server, tmp_path):
    root = tmp_path / "var"
    result = run_cli("ConfirmTicker", "--local-scheduler", "--date", RUN_DATE.isoformat(),
                     "--ticker", "BAD", "--paths-root", str(root), "--data-source", "csv",
                     "--data-csv-dir", str(broken_csv_dir(tmp_path)),
                     "--alerts-smtp-host", "127.0.0.1",
                     "--alerts-smtp-port", str(mail_server.port), "--alerts-smtp-user", USER,
                     "--alerts-smtp-to", "quants@example.com",
                     env={"MOMENTUM_SMTP_PASSWORD": SECRET}, timeout=120)
    [message] = mail_server.messages
    assert "ticker=BAD" in message["Subject"]
    assert SECRET not in result.stdout + result.stderr
    assert SECRET not in every_file_text(root)
