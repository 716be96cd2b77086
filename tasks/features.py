"""BuildFeatures: the indicators and return features of one ticker (pandas-ta on TA-Lib)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from luigi.util import requires

from momentum_pipeline.foundation.layout import Layout
from tasks.base import TickerStage
from tasks.config import features
from tasks.targets import DataTarget
from tasks.validate import ValidatePrices

if TYPE_CHECKING:
    import pandas as pd

    from momentum_pipeline.foundation.provenance import Provenance


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
        provenance, frame = self.take_prepared() or self.checked(*self.unchecked())
        params = features().settings()
        self.output().write_frame(frame, self.derived(provenance, **params.to_dict()))
        self.log.info("%s: %d rows x %d features", self.ticker, *frame.shape)

    def unchecked(self) -> tuple[Provenance, pd.DataFrame]:
        """The provenance of the cleaned bars, and the features built from them."""
        from momentum_pipeline.features import build_features

        prices = self.input()["prices"]
        frame = build_features(prices.read_frame(columns=["close", "volume"]),
                               features().settings())
        return prices.provenance(), frame

    def checked(self, provenance: Provenance, frame: pd.DataFrame
                ) -> tuple[Provenance, pd.DataFrame]:
        """``frame`` after the features schema (with its dates as a column, so errors name
        them), or :class:`~momentum_pipeline.validation.SchemaMismatch`."""
        from momentum_pipeline.features import features_schema
        from momentum_pipeline.validation import check_schema

        check_schema(features_schema(features().settings()), frame.reset_index(),
                     self.output().path, self.ticker)
        return provenance, frame

    def computed_together(self, members: list[BuildFeatures]) -> list[Any] | None:
        """The batch's features checked by the schema in one pandera call where all pass,
        else each alone: each ticker's provenance and features, or its error. A ticker
        whose features cannot be built: each ticker alone, so it fails alone."""
        from momentum_pipeline.features import features_schema
        from momentum_pipeline.schema_batches import validated_each

        try:
            built = [member.unchecked() for member in members]
        except Exception:  # noqa: BLE001 - raised again by that ticker's own run
            return None
        checked = validated_each(features_schema(features().settings()),
                                 [frame.reset_index() for _, frame in built],
                                 lambda number, _: members[number].checked(*built[number]))
        return [outcome if isinstance(outcome, Exception) else result
                for result, outcome in zip(built, checked, strict=True)]
