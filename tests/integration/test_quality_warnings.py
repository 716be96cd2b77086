"""A ``warn`` finding is used and told: the data goes on, an alert goes out when the
finding is recent, and the quality record and report name it."""

from __future__ import annotations

import datetime as dt
import json

from momentum_pipeline.operations.alerts import alerts_of_run
from tasks.validate import ValidatePrices
from tests.conftest import run_tasks
from tests.integration.test_fetch_validate import configured
from tests.integration.test_partial_failure import linked_folder, rewrite

RUN_DATE = dt.date(2025, 10, 8)


def gap_on(day: str, factor: float = 2.0):
    """Prices before ``day`` multiplied by ``factor``: an overnight gap of 1/factor - 1."""
    def change(rows):
        return [rows[0]] + [[r[0], *(repr(float(v) * factor) for v in r[1:5]), r[5]]
                            if r[0] < day else r for r in rows[1:]]
    return change


def test_warning_when_recent_gap_then_data_used_alert_sent_and_recorded(tmp_path):
    folder = linked_folder(tmp_path / "ohlcv")
    rewrite(folder, "KO", gap_on("2025-10-06"))  # within the last 5 sessions
    rewrite(folder, "PEP", gap_on("2025-06-02"))  # months ago: recorded, not alerted
    root = tmp_path / "var"
    with configured(root, csv_dir=folder, start="2024-01-02"):
        assert run_tasks(*(ValidatePrices(date=RUN_DATE, ticker=t)
                           for t in ("KO", "PEP"))).scheduling_succeeded
    alerts = alerts_of_run(root / "logs" / "alerts.log", RUN_DATE)
    assert [(a.family, a.outcome, a.parameters["ticker"]) for a in alerts] == [
        ("ValidatePrices", "warned", "KO")]
    assert "data used despite: suspicious_jumps: 2025-10-06" in alerts[0].error
    for ticker, day in (("KO", "2025-10-06"), ("PEP", "2025-06-02")):
        cleaned = root / "data" / "cleaned" / RUN_DATE.isoformat()
        record = json.loads((cleaned / f"{ticker}.quality.json").read_text())
        assert record["rules"]["suspicious_jumps"] == {
            "action": "flagged", "severity": "warn", "count": 1, "dates": [day]}
        assert (cleaned / f"{ticker}.parquet").exists()
