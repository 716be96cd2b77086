"""ValidatePrices: schema checks and cleaning rules for one ticker's raw bars."""

from __future__ import annotations

import logging

import luigi

from tasks.base import TickerTask, atomic_path
from tasks.config import validation
from tasks.fetch import FetchPrices


class ValidatePrices(TickerTask):
    """Cleaned bars -> ``data/cleaned/<date>/<TICKER>.parquet`` plus the ticker's
    data-quality record ``<TICKER>.quality.json``.

    A schema mismatch fails this ticker only (the others go on), with an error
    naming the file, column and rows; it is never retried and raises an alert.
    """

    settings = (validation,)
    preload = ("momentum_pipeline.foundation.frames:warm_up", "momentum_pipeline.validation:warm_up",
               "momentum_pipeline.foundation.provenance:code_version")

    def requires(self) -> FetchPrices:
        return FetchPrices(date=self.date, ticker=self.ticker)

    def output(self) -> dict[str, luigi.LocalTarget]:
        return {
            "prices": luigi.LocalTarget(str(self.dated_path("data/cleaned", f"{self.ticker}.parquet"))),
            "quality": luigi.LocalTarget(str(self.dated_path("data/cleaned", f"{self.ticker}.quality.json"))),
        }

    def produce(self) -> None:
        from momentum_pipeline.foundation.frames import dump_json, read_parquet, read_provenance, write_parquet
        from momentum_pipeline.validation import clean_prices

        raw_path = self.input().path
        raw = read_parquet(raw_path)
        provenance = read_provenance(raw_path)
        where = provenance.inputs.get("file") or f"{provenance.source}:{self.ticker}"
        settings = validation().settings()
        cleaned, report = clean_prices(raw, self.ticker, self.date, str(where), settings)
        after = provenance.inputs.get("rows_after_run_date", {})
        report.rows_after_run_date = after.get("count", 0)
        self.alert_recent_warnings(report, settings.warn_alert_sessions)
        self.log.info("%s: %d rows in, %d sessions out, prices %s; %s", self.ticker,
                      report.rows_in, report.rows_out, report.price_basis.split(":")[0],
                      ", ".join(f"{name} {rule.action} {rule.count}"
                                for name, rule in report.rules.items()))
        for name, rule in report.findings.items():
            self.log.log(logging.WARNING if rule.severity == "warn" else logging.INFO,
                         "%s: rule %s (%s) %s %d rows (first: %s)", self.ticker, name,
                         rule.severity, rule.action, rule.count, ", ".join(rule.dates[:3]))
        derived = provenance.derive(self.task_id, parameters={
            **self.parameters(), **settings.thresholds(), "price_basis": report.price_basis})
        outputs = self.output()
        with atomic_path(outputs["quality"].path) as tmp:
            tmp.write_text(dump_json(report.to_dict()))
        with atomic_path(outputs["prices"].path) as tmp:
            write_parquet(cleaned, tmp, derived)

    def alert_recent_warnings(self, report, sessions: int) -> None:
        """Alert the ``warn`` findings dated within the last ``sessions`` sessions up to
        the run date: new to a person, unlike the history's, which each day repeats."""
        from momentum_pipeline.foundation.calendar import last_session_on_or_before, sessions_before
        from momentum_pipeline.validation import DataQualityWarning
        from tasks.alerts import raise_alert

        recent = {d.date().isoformat() for d in sessions_before(
            last_session_on_or_before(self.date), sessions)}
        found = [f"{name}: {', '.join(d for d in rule.dates if d in recent)}"
                 for name, rule in report.of_severity("warn").items()
                 if recent.intersection(rule.dates)]
        if found:
            raise_alert(self, DataQualityWarning(
                f"{report.where}: ticker {self.ticker}: data used despite: {'; '.join(found)}"),
                outcome="warned")
