"""CalculateMetrics: returns, volatility, moving averages and drawdown of one ticker."""

from __future__ import annotations

import luigi

from tasks.base import TickerTask, atomic_path
from tasks.config import metrics
from tasks.validate import ValidatePrices


class CalculateMetrics(TickerTask):
    """Metrics -> ``data/processed/<date>/<TICKER>_metrics.parquet`` and the summary
    ``<TICKER>_metrics.json`` (full-window return, volatility, drawdown, latest values).

    Needs only the cleaned bars, so it runs beside BuildFeatures.
    """

    settings = (metrics,)
    preload = ("momentum_pipeline.foundation.frames:warm_up", "momentum_pipeline.foundation.provenance:code_version",
               "momentum_pipeline.metrics")

    def requires(self) -> ValidatePrices:
        return ValidatePrices(date=self.date, ticker=self.ticker)

    def output(self) -> dict[str, luigi.LocalTarget]:
        stem = f"{self.ticker}_metrics"
        return {
            "metrics": luigi.LocalTarget(str(self.dated_path("data/processed", f"{stem}.parquet"))),
            "summary": luigi.LocalTarget(str(self.dated_path("data/processed", f"{stem}.json"))),
        }

    def produce(self) -> None:
        import pandas as pd

        from momentum_pipeline.foundation.frames import dump_json, read_provenance, write_parquet
        from momentum_pipeline.metrics import metrics_summary, price_metrics

        prices_path = self.input()["prices"].path
        params = metrics().settings()
        frame = price_metrics(pd.read_parquet(prices_path, columns=["close"]), params)
        provenance = read_provenance(prices_path).derive(
            self.task_id, parameters={**self.parameters(), **params.to_dict()})
        summary = metrics_summary(frame, self.ticker, provenance.sample_data, params)
        outputs = self.output()
        with atomic_path(outputs["summary"].path) as tmp:
            tmp.write_text(dump_json(summary))
        with atomic_path(outputs["metrics"].path) as tmp:
            write_parquet(frame, tmp, provenance)
        self.log.info("%s: %d sessions, annual volatility %s, max drawdown %s", self.ticker,
                      summary["sessions"], summary["annual_volatility"], summary["max_drawdown"])
