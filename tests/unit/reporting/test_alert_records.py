from __future__ import annotations

import datetime as dt

import socket

import pytest

from momentum_pipeline.operations.alerts import (OUTCOMES, REDACTED, Alert, SmtpSettings,
                                                 TaskKilled, alert_for, alerts_of_run, deliver,
                                                 earlier_report, parse_alert_log, read_secret,
                                                 scrub)
from tests.conftest import free_port

SCHEMA_ERROR = ("SchemaMismatch: XOM.csv: ticker XOM does not match the raw prices schema\n"
                "  column 'close' failed greater_than(0) at rows [3] (values: -1.0)\n"
                "\n"
                "see the quality record")


def alert(day: str = "2025-10-08", family: str = "ValidatePrices", error: str = SCHEMA_ERROR):
    return Alert(family, f"{family}_{day}_XOM", {"date": day, "ticker": "XOM"}, error,
                 time=f"{day}T21:00:00+00:00")


def test_alert_log_when_records_written_then_parsing_gives_them_back():
    records = [alert(), alert("2025-10-07", "FetchPrices", "SourceError: rate limited")]
    assert parse_alert_log("".join(r.log_record() for r in records)) == records


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_alert_log_when_any_outcome_written_with_host_and_next_step_then_parsed_back(outcome):
    made = alert_for("BacktestStrategy", "BacktestStrategy_2025_10_08_x", {"date": "2025-10-08"},
                     TaskKilled("ended by signal SIGKILL"), outcome=outcome)
    assert made.host == socket.gethostname() and made.next_step
    assert f"  host: {made.host}\n" in made.log_record()
    assert parse_alert_log(made.log_record()) == [made]


def test_next_step_when_execution_fails_then_it_says_not_to_rerun_blindly():
    execution = alert_for("ExecuteTrades", "ExecuteTrades_x", {}, RuntimeError("venue down"))
    computation = alert_for("BacktestStrategy", "BacktestStrategy_x", {}, RuntimeError("x"))
    assert "do not simply rerun" in execution.next_step
    assert "run the same command again" in computation.next_step


def test_earlier_report_when_same_failure_logged_then_found_and_other_failures_not(tmp_path):
    path = tmp_path / "alerts.log"
    assert earlier_report(path, alert()) is None  # no log yet
    path.write_text(alert().log_record())
    later = Alert(**{**alert().__dict__, "time": "2025-10-09T08:00:00+00:00"})
    assert earlier_report(path, later) == alert()
    assert earlier_report(path, alert(error="SourceError: rate limited")) is None
    assert earlier_report(path, alert(day="2025-10-09")) is None


def test_alert_log_when_torn_or_foreign_lines_then_they_are_skipped():
    text = "garbage line\n" + alert().log_record() + "  stray indented line\n"
    assert parse_alert_log(text) == [alert()]


def test_alerts_of_run_when_log_has_other_dates_then_only_the_run_date_is_returned(tmp_path):
    path = tmp_path / "alerts.log"
    path.write_text(alert("2025-10-07").log_record() + alert("2025-10-08").log_record())
    assert alerts_of_run(path, dt.date(2025, 10, 8)) == [alert("2025-10-08")]
    assert alerts_of_run(tmp_path / "absent.log", dt.date(2025, 10, 8)) == []


def test_subject_when_execute_trades_fails_then_alert_is_critical():
    assert alert(family="ExecuteTrades").subject().startswith("[momentum-pipeline CRITICAL]")
    subject = alert().subject()
    assert subject.startswith("[momentum-pipeline ALERT] ValidatePrices(")
    assert "ticker=XOM" in subject and subject.endswith("SchemaMismatch")


def test_alert_for_when_error_contains_secret_then_it_is_redacted():
    made = alert_for("ValidatePrices", "ValidatePrices_x", {"date": "2025-10-08"},
                     RuntimeError("login failed for hunter2-secret"), ("hunter2-secret",))
    assert "hunter2-secret" not in made.log_record()
    assert made.error == f"RuntimeError: login failed for {REDACTED}"


def test_scrub_when_no_secret_configured_then_text_unchanged():
    assert scrub("text", ()) == "text"
    assert scrub("text", ("",)) == "text"


def test_read_secret_when_env_set_then_env_wins_over_file(tmp_path, monkeypatch):
    file = tmp_path / "password"
    file.write_text("from-file\n")
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "from-env")
    assert read_secret("TEST_SMTP_PASSWORD", file) == "from-env"
    monkeypatch.delenv("TEST_SMTP_PASSWORD")
    assert read_secret("TEST_SMTP_PASSWORD", file) == "from-file"
    assert read_secret("TEST_SMTP_PASSWORD", None) is None


def test_deliver_when_mail_server_down_then_problem_returned_without_secret():
    port = free_port()
    settings = SmtpSettings(host="127.0.0.1", port=port, sender="a@localhost",
                            recipients=("b@localhost",), user="bot", password="s3cret-pw",
                            timeout=2)
    problems = deliver(alert(), settings, f"http://127.0.0.1:{port}/hooks/s3cret-pw",
                       ("s3cret-pw",))
    assert len(problems) == 2
    assert f"127.0.0.1:{port}" in problems[0]
    assert problems[1].startswith("alert webhook to http://127.0.0.1 failed")
    assert not any("s3cret-pw" in p or "/hooks/" in p for p in problems)
    assert "s3cret-pw" not in repr(settings)
