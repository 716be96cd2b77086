"""Failure alerts: the ``logs/alerts.log`` record format, e-mail and webhook delivery.

An alert names the task, the host, what happened (its outcome and error) and what to
run next. One failure is alerted once: a record equal to one already in the log (same
task, outcome and error) is not recorded or sent again.

The SMTP password is read from the environment or a file at send time, never from
the repository or the Luigi configuration, and every text that leaves this module
(log lines, mails, webhook bodies, delivery errors) is scrubbed of it first.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import smtplib
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

#: Replaces a secret wherever it would appear in a log, a mail or a report.
REDACTED = "[REDACTED]"
#: How a task can end badly (or, ``warned``, end well with a finding a person should see).
OUTCOMES = ("failed", "warned", "killed", "timed out", "missed its deadline")
_RECORD_START = re.compile(
    rf"^(?P<time>\S+) ALERT task (?P<family>\S+) (?P<outcome>{'|'.join(OUTCOMES)})$")
#: What to do next, by outcome; ExecuteTrades has its own (see :func:`next_step`).
_NEXT_STEPS = {
    "failed": "fix the cause named in the error, then run the same command again "
              "(done tasks are skipped)",
    "warned": "nothing to rerun: the data was used; check the finding in the task's log",
    "killed": "run the same command again: done tasks are skipped and this one starts "
              "over (if the kernel's OOM killer ended it, `dmesg` says so: give the "
              "worker more memory or fewer --workers)",
    "timed out": "find why it ran past its time-out in the task's log, then run the same "
                 "command again",
    "missed its deadline": "see logs/alerts.log and the task logs for why, then run "
                           "scripts/run-daily.sh (RUN_DATE=<date>) to finish the day",
}
_EXECUTION_NEXT_STEP = ("do not simply rerun: read logs/trade_exec.log and the order "
                        "journal (README, Execution) to know what was sent, then re-enable "
                        "the task in luigid and run ExecuteTrades by hand")


class TaskKilled(RuntimeError):
    """A task's process was ended by a signal (``kill -9``, the kernel's OOM killer)."""


class TaskTimedOut(RuntimeError):
    """A task ran past its time-out (``[worker] timeout``) and was terminated."""


class WorkerKilled(RuntimeError):
    """The whole run died (its worker killed, the host down) while a task was running."""


class DayNotFinished(RuntimeError):
    """The dead-man check found the day's pipeline not done by its deadline."""


def next_step(family: str, outcome: str) -> str:
    """What a person (or the next scheduled run) should do about an alert."""
    if family == "ExecuteTrades" and outcome != "warned":
        return _EXECUTION_NEXT_STEP
    return _NEXT_STEPS[outcome]


@dataclass(frozen=True)
class Alert:
    """One failure (or a warning: data used despite a finding): which task, with which
    parameters, and the error text."""

    family: str
    task_id: str
    parameters: dict[str, str]
    error: str
    time: str = ""
    outcome: str = "failed"
    host: str = ""
    next_step: str = ""

    @property
    def critical(self) -> bool:
        """Failures of the order path are critical: real orders may be affected."""
        return self.family == "ExecuteTrades"

    def subject(self) -> str:
        level = "CRITICAL" if self.critical else "ALERT"
        shown = ", ".join(f"{k}={v}" for k, v in self.parameters.items())
        kind = self.error.split(":", 1)[0]
        return f"[momentum-pipeline {level}] {self.family}({shown}) {self.outcome}: {kind}"

    def body(self) -> str:
        """The record's text: task, parameters and the error, continuation lines indented."""
        params = ", ".join(f"{k}={v}" for k, v in self.parameters.items())
        error = "\n    ".join(self.error.splitlines() or [""])
        return (f"task {self.family} {self.outcome}\n"
                f"  task id: {self.task_id}\n"
                f"  parameters: {params}\n"
                f"  host: {self.host}\n"
                f"  next: {self.next_step}\n"
                f"  error: {error}")

    def log_record(self) -> str:
        """One record of ``logs/alerts.log``: a time-stamped first line, indented rest."""
        return f"{self.time} ALERT {self.body()}\n"

    def to_dict(self) -> dict[str, object]:
        return {"family": self.family, "task_id": self.task_id, "time": self.time,
                "parameters": self.parameters, "error": self.error, "outcome": self.outcome,
                "host": self.host, "next_step": self.next_step, "critical": self.critical}

    def repeats(self, other: Alert) -> bool:
        """Whether ``other`` reports the same failure: one task, outcome and error."""
        return (self.family, self.task_id, self.outcome, self.error) == (
            other.family, other.task_id, other.outcome, other.error)


def alert_for(family: str, task_id: str, parameters: dict[str, str],
              error: BaseException, secrets: tuple[str, ...] = (),
              outcome: str = "failed") -> Alert:
    """The alert of a task that ended as ``outcome``, raised on this host, stamped now
    (UTC, seconds) and scrubbed of ``secrets``."""
    text = scrub(f"{type(error).__name__}: {error}", secrets)
    return Alert(family=family, task_id=scrub(task_id, secrets),
                 parameters={k: scrub(v, secrets) for k, v in parameters.items()},
                 error=text, outcome=outcome, host=socket.gethostname(),
                 next_step=next_step(family, outcome),
                 time=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))


def parse_alert_log(text: str) -> list[Alert]:
    """The records of an ``alerts.log`` written by :meth:`Alert.log_record`.

    Lines that belong to no record (a hand edit, a torn write) are skipped.
    """
    records: list[dict[str, Any]] = []
    record: dict[str, Any] | None = None
    for line in text.splitlines():
        start = _RECORD_START.match(line)
        if start:
            record = {"time": start["time"], "family": start["family"],
                      "outcome": start["outcome"], "task id": "",
                      "parameters": "", "host": "", "next": "", "error": []}
            records.append(record)
            continue
        if record is None:
            continue
        key, _, value = line.partition(": ")
        if key in ("  task id", "  parameters", "  host", "  next"):
            record[key.strip()] = value
        elif key == "  error":
            record["error"] = [value]
        elif line.startswith("    ") and record["error"]:
            record["error"].append(line[4:])
        else:
            record = None  # a foreign line ends the record
    return [Alert(family=r["family"], task_id=r["task id"],
                  parameters=dict(item.split("=", 1) for item in r["parameters"].split(", ")
                                  if "=" in item),
                  error="\n".join(r["error"]), time=r["time"], outcome=r["outcome"],
                  host=r["host"], next_step=r["next"])
            for r in records]


def earlier_report(path: Path, alert: Alert) -> Alert | None:
    """The record in ``path`` (``logs/alerts.log``) of the same failure as ``alert``, if
    one was raised already: a rerun that fails the same way, or a check run again."""
    if not path.is_file():
        return None
    return next((seen for seen in parse_alert_log(path.read_text(errors="replace"))
                 if seen.repeats(alert)), None)


def alerts_of_run(path: Path, run_date: dt.date) -> list[Alert]:
    """Alerts in ``path`` (``logs/alerts.log``) raised by tasks of ``run_date``."""
    if not path.is_file():
        return []
    day = run_date.isoformat()
    return [a for a in parse_alert_log(path.read_text(errors="replace"))
            if a.parameters.get("date") == day]


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every secret replaced by :data:`REDACTED`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def read_secret(env_name: str, file: Path | None) -> str | None:
    """A secret from the environment variable ``env_name``, else from ``file`` (first
    line, surrounding whitespace dropped); ``None`` when neither holds one."""
    value = os.environ.get(env_name, "") if env_name else ""
    if value:
        return value
    if file is not None:
        try:
            value = Path(file).read_text().strip()
        except OSError as error:
            raise OSError(f"password file {file}: cannot be read ({error.strerror})") from None
        if not value:
            raise ValueError(f"password file {file}: is empty, expected the SMTP password")
        return value
    return None


@dataclass(frozen=True)
class SmtpSettings:
    """Where alert mails go. ``password`` is never shown (repr) nor logged."""

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str = ""
    starttls: bool = False
    timeout: float = 10.0
    password: str | None = field(default=None, repr=False)


def alert_mail(alert: Alert, sender: str, recipients: tuple[str, ...]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = alert.subject()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message.set_content(f"{alert.body()}\n\nraised at {alert.time}\n")
    return message


def send_mail(settings: SmtpSettings, message: EmailMessage) -> None:
    """Send ``message`` through the SMTP server (STARTTLS and login when configured)."""
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.user:
            if settings.password is None:
                raise ValueError(f"SMTP user {settings.user!r} is set but no password was "
                                 "found in the password environment variable or file")
            smtp.login(settings.user, settings.password)
        smtp.send_message(message, from_addr=settings.sender, to_addrs=list(settings.recipients))


def post_webhook(url: str, alert: Alert, timeout: float = 10.0) -> None:
    """POST the alert as JSON (``{"text": subject, "alert": {...}}``) to ``url``."""
    body = json.dumps({"text": alert.subject(), "alert": alert.to_dict()},
                      sort_keys=True).encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if response.status >= 300:
            raise urllib.error.HTTPError(url, response.status, "webhook refused the alert",
                                         response.headers, None)


def webhook_host(url: str) -> str:
    """The part of a webhook URL that may be logged: its path often holds a token."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}"


def deliver(alert: Alert, smtp: SmtpSettings | None, webhook_url: str,
            secrets: tuple[str, ...] = ()) -> list[str]:
    """Send ``alert`` by mail and/or webhook as configured; never raises.

    Returns one problem line per channel that failed (scrubbed of ``secrets``), so a
    mail server that is down is logged and the failing task's reporting goes on.
    """
    problems: list[str] = []
    if smtp is not None:
        try:
            send_mail(smtp, alert_mail(alert, smtp.sender, smtp.recipients))
        except (OSError, smtplib.SMTPException, ValueError) as error:
            problems.append(scrub(f"alert mail via {smtp.host}:{smtp.port} not sent: "
                                  f"{type(error).__name__}: {error}", secrets))
    if webhook_url:
        try:
            post_webhook(webhook_url, alert)
        except (OSError, ValueError) as error:
            # The URL (and any token in it) can appear in the error text: keep it out.
            problems.append(scrub(f"alert webhook to {webhook_host(webhook_url)} failed: "
                                  f"{type(error).__name__}: {error}",
                                  (*secrets, webhook_url)))
    return problems
