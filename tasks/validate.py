"""ValidatePrices: schema checks and cleaning rules for one ticker's raw bars."""

from __future__ import annotations

import logging

from luigi.util import requires

from momentum_pipeline.foundation.layout import Layout
from tasks.base import TickerStage
from tasks.config import validation
from tasks.fetch import FetchPrices
from tasks.targets import DataTarget


@requires(FetchPrices)
class ValidatePrices(TickerStage):
    """Cleaned bars -> ``data/cleaned/<date>/<TICKER>.parquet`` plus the ticker's
    data-quality record ``<TICKER>.quality.json``.

    A schema mismatch fails this ticker only (the others go on), with an error
    naming the file, column and rows; it is never retried and raises an alert.
    """

    settings = (validation,)
    preload = ("momentum_pipeline.foundation.frames:warm_up", "momentum_pipeline.validation:warm_up",
               "momentum_pipeline.foundation.provenance:code_version")

    def output(self) -> dict[str, DataTarget]:
        return {"prices": self.target(Layout.CLEANED, f"{self.ticker}.parquet"),
                "quality": self.target(Layout.CLEANED, f"{self.ticker}.quality.json")}

    def produce(self) -> None:
        from momentum_pipeline.validation import clean_prices

        raw = self.input()
        provenance = raw.provenance()
        where = provenance.inputs.get("file") or f"{provenance.source}:{self.ticker}"
        settings = validation().settings()
        cleaned, report = clean_prices(raw.read_frame(), self.ticker, self.date, str(where), settings)
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
        derived = self.derived(raw, **settings.thresholds(), price_basis=report.price_basis)
        outputs = self.output()
        outputs["quality"].write_json(report.to_dict())
        outputs["prices"].write_frame(cleaned, derived)

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
