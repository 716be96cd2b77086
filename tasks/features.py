"""BuildFeatures: the indicators and return features of one ticker (pandas-ta on TA-Lib)."""

from __future__ import annotations

from luigi.util import requires

from momentum_pipeline.foundation.layout import Layout
from tasks.base import TickerStage
from tasks.config import features
from tasks.targets import DataTarget
from tasks.validate import ValidatePrices


@requires(ValidatePrices)
class BuildFeatures(TickerStage):
    """Features -> ``features/<date>/<TICKER>.parquet`` (float64 columns, documented in
    ``momentum_pipeline.features``; their windows are recorded in the provenance),
    checked against the features schema first: a mismatch fails this ticker only.

    Needs only the cleaned bars, so it runs beside CalculateMetrics.
    """

    settings = (features,)
    preload = ("momentum_pipeline.foundation.frames:warm_up", "momentum_pipeline.validation:warm_up",
               "momentum_pipeline.foundation.provenance:code_version", "talib", "pandas_ta",
               "momentum_pipeline.features")

    def output(self) -> DataTarget:
        return self.target(Layout.FEATURES, f"{self.ticker}.parquet")

    def produce(self) -> None:
        from momentum_pipeline.features import build_features, features_schema
        from momentum_pipeline.validation import check_schema

        prices = self.input()["prices"]
        params = features().settings()
        frame = build_features(prices.read_frame(columns=["close", "volume"]), params)
        check_schema(features_schema(params), frame.reset_index(), self.output().path,
                     self.ticker)
        self.output().write_frame(frame, self.derived(prices, **params.to_dict()))
        self.log.info("%s: %d rows x %d features", self.ticker, *frame.shape)
