"""ValidatePrices: schema checks and cleaning rules for one ticker's raw bars."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from luigi.util import requires

from momentum_pipeline.foundation.layout import Layout
from tasks.base import TickerStage
from tasks.config import validation
from tasks.fetch import FetchPrices
from tasks.targets import DataTarget

if TYPE_CHECKING:
    import pandas as pd

    from momentum_pipeline.foundation.provenance import Provenance
    from momentum_pipeline.validation import QualityReport


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
        provenance, cleaned, report = self.take_prepared() or self.cleaned_alone()
        settings = validation().settings()
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
        derived = self.derived(provenance, **settings.thresholds(), price_basis=report.price_basis)
        outputs = self.output()
        outputs["quality"].write_json(report.to_dict())
        outputs["prices"].write_frame(cleaned, derived)

    def raw_bars(self) -> tuple[pd.DataFrame, Provenance, str]:
        """The raw bars, their provenance, and the input they name in errors (the file)."""
        raw = self.input()
        provenance = raw.provenance()
        where = provenance.inputs.get("file") or f"{provenance.source}:{self.ticker}"
        return raw.read_frame(), provenance, str(where)

    def cleaned_alone(self) -> tuple[Provenance, pd.DataFrame, QualityReport]:
        """This ticker's bars cleaned on their own (not in a batch): their provenance, the
        cleaned bars and the quality report, or the ticker's error."""
        from momentum_pipeline.validation import clean_prices

        frame, provenance, where = self.raw_bars()
        return provenance, *clean_prices(frame, self.ticker, self.date, where,
                                         validation().settings())

    def computed_together(self, members: list[ValidatePrices]) -> list[Any] | None:
        """The batch's bars checked by each schema in one pandera call, where all pass
        (``clean_prices_together``): the provenance, cleaned bars and report of each
        ticker, or its error. An unreadable input: each ticker alone, so it fails alone."""
        from momentum_pipeline.validation import clean_prices_together

        try:
            inputs = [member.raw_bars() for member in members]
        except Exception:  # noqa: BLE001 - raised again by that ticker's own run
            return None
        outcomes = clean_prices_together(
            [(frame, member.ticker, where) for member, (frame, _, where) in zip(members, inputs)],
            self.date, validation().settings())
        return [outcome if isinstance(outcome, Exception) else (provenance, *outcome)
                for (_, provenance, _), outcome in zip(inputs, outcomes, strict=True)]

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
