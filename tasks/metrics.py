"""CalculateMetrics: returns, volatility, moving averages and drawdown of one ticker."""

from __future__ import annotations

from luigi.util import requires

from momentum_pipeline.foundation.layout import Layout
from tasks.base import TickerStage
from tasks.config import metrics
from tasks.targets import DataTarget
from tasks.validate import ValidatePrices


@requires(ValidatePrices)
class CalculateMetrics(TickerStage):
    """Metrics -> ``data/processed/<date>/<TICKER>_metrics.parquet`` and the summary
    ``<TICKER>_metrics.json`` (full-window return, volatility, drawdown, latest values).

    Needs only the cleaned bars, so it runs beside BuildFeatures.
    """

    settings = (metrics,)
    preload = ("momentum_pipeline.foundation.frames:warm_up", "momentum_pipeline.foundation.provenance:code_version",
               "momentum_pipeline.metrics")

    def output(self) -> dict[str, DataTarget]:
        stem = f"{self.ticker}_metrics"
        return {"metrics": self.target(Layout.PROCESSED, f"{stem}.parquet"),
                "summary": self.target(Layout.PROCESSED, f"{stem}.json")}

    def produce(self) -> None:
        from momentum_pipeline.metrics import metrics_summary, price_metrics

        prices = self.input()["prices"]
        params = metrics().settings()
        frame = price_metrics(prices.read_frame(columns=["close"]), params)
        provenance = self.derived(prices, **params.to_dict())
        summary = metrics_summary(frame, self.ticker, provenance.sample_data, params)
        outputs = self.output()
        outputs["summary"].write_json(summary)
        outputs["metrics"].write_frame(frame, provenance)
        self.log.info("%s: %d sessions, annual volatility %s, max drawdown %s", self.ticker,
                      summary["sessions"], summary["annual_volatility"], summary["max_drawdown"])
