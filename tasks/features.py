"""BuildFeatures: the indicators and return features of one ticker (pandas-ta on TA-Lib)."""

from __future__ import annotations

import luigi

from tasks.base import TickerTask, atomic_path
from tasks.config import features
from tasks.validate import ValidatePrices


class BuildFeatures(TickerTask):
    """Features -> ``features/<date>/<TICKER>.parquet`` (float64 columns, documented in
    ``momentum_pipeline.features``; their windows are recorded in the provenance),
    checked against the features schema first: a mismatch fails this ticker only.

    Needs only the cleaned bars, so it runs beside CalculateMetrics.
    """

    settings = (features,)
    preload = ("momentum_pipeline.foundation.frames:warm_up", "momentum_pipeline.validation:warm_up",
               "momentum_pipeline.foundation.provenance:code_version", "talib", "pandas_ta",
               "momentum_pipeline.features")

    def requires(self) -> ValidatePrices:
        return ValidatePrices(date=self.date, ticker=self.ticker)

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(self.dated_path("features", f"{self.ticker}.parquet")))

    def produce(self) -> None:
        import pandas as pd

        from momentum_pipeline.features import build_features, features_schema
        from momentum_pipeline.foundation.frames import read_provenance, write_parquet
        from momentum_pipeline.validation import check_schema

        prices_path = self.input()["prices"].path
        params = features().settings()
        frame = build_features(pd.read_parquet(prices_path, columns=["close", "volume"]), params)
        check_schema(features_schema(params), frame.reset_index(), self.output().path,
                     self.ticker)
        provenance = read_provenance(prices_path).derive(
            self.task_id, parameters={**self.parameters(), **params.to_dict()})
        with atomic_path(self.output().path) as tmp:
            write_parquet(frame, tmp, provenance)
        self.log.info("%s: %d rows x %d features", self.ticker, *frame.shape)
