"""GenerateSignals: momentum target weights for the whole universe, and the day's orders."""

from __future__ import annotations

import hashlib
from pathlib import Path

import luigi

from momentum_pipeline.foundation.layout import Layout
from tasks.base import PipelineTask, split_exclusions
from tasks.config import signals, universe
from tasks.features import BuildFeatures
from tasks.targets import DataTarget
from tasks.universe import benchmark_ticker, universe_tickers
from tasks.validate import ValidatePrices


class GenerateSignals(PipelineTask):
    """The strategy of ``momentum_pipeline.signals`` on the universe -> under
    ``signals/<date>/``: ``target_weights.parquet`` (a row per session, a column per
    ticker; the row of t is held from t + 1), ``rebalance.csv`` (the run date's buy/sell
    list against the previous session) and ``excluded.json`` (tickers without a signal
    on the run date, and why; tickers excluded from the day by a per-ticker stage, with
    the stage and the reason). Only the tickers that passed are traded. The weights are
    checked against their schema (finite, capped, within the gross exposure) before
    anything is written.
    """

    settings = (signals, universe)
    preload = ("momentum_pipeline.foundation.frames:warm_up", "momentum_pipeline.validation:warm_up",
               "momentum_pipeline.foundation.provenance:code_version", "momentum_pipeline.signals")

    def requires(self) -> dict[str, luigi.Task | dict[str, dict[str, luigi.Task]]]:
        return {"universe": {t: {"prices": self.clone(ValidatePrices, ticker=t),
                                 "features": self.clone(BuildFeatures, ticker=t)}
                             for t in universe_tickers()},
                "benchmark": self.clone(ValidatePrices, ticker=benchmark_ticker())}

    def screened_universe(self) -> tuple[tuple[str, ...], dict]:
        """The universe tickers that passed the per-ticker stages, and the exclusions (of
        the universe and the benchmark); raises ``DayFailed`` past what the day tolerates."""
        from momentum_pipeline.foundation.exclusions import screen_universe

        required = self.requires()
        benchmark = required["benchmark"].ticker
        _, excluded = split_exclusions({
            **{t: tasks["features"] for t, tasks in required["universe"].items()},
            benchmark: required["benchmark"]})
        passed = screen_universe(required["universe"], excluded, benchmark,
                                 universe().max_excluded_fraction)
        return passed, excluded

    def signal_inputs(self, passed: tuple[str, ...]):
        """The panels the strategy reads (closes, RSI, MACD) of the ``passed`` tickers,
        over the sessions from the first bar to the run date."""
        from momentum_pipeline.signals import FEATURE_COLUMNS, Inputs, panel, session_index

        universe_inputs = self.input()["universe"]
        closes = {t: universe_inputs[t]["prices"]["prices"].read_frame(["close"])["close"]
                  for t in passed}
        features = {t: universe_inputs[t]["features"].read_frame(list(FEATURE_COLUMNS))
                    for t in passed}
        index = session_index(min(c.index[0] for c in closes.values()), self.date)
        return Inputs(close=panel(closes, index),
                      rsi=panel({t: f["rsi"] for t, f in features.items()}, index),
                      macd=panel({t: f["macd"] for t, f in features.items()}, index))

    def external_inputs(self) -> dict[str, str]:
        from tasks.completion import file_digest

        return {"strategy_sha256": file_digest(signals().strategy_file)}

    def watched_paths(self) -> tuple[Path, ...]:
        return (signals().strategy_file,)

    def output(self) -> dict[str, DataTarget]:
        return {name: self.target(Layout.SIGNALS, file) for name, file in (("weights", "target_weights.parquet"),
                                   ("rebalance", "rebalance.csv"),
                                   ("excluded", "excluded.json"))}

    def produce(self) -> None:
        from momentum_pipeline.foundation.provenance import SAMPLE_DATA_WARNING, sample_data_label
        from momentum_pipeline.signals import generate_signals, weights_schema
        from momentum_pipeline.strategy import load_strategy
        from momentum_pipeline.validation import check_schema

        strategy_file = signals().strategy_file
        params = load_strategy(strategy_file)
        passed, excluded = self.screened_universe()
        universe_inputs = self.input()["universe"]
        inputs = self.signal_inputs(passed)
        index = inputs.close.index
        result = generate_signals(inputs, params)
        outputs = self.output()
        check_schema(weights_schema(params, list(result.weights.columns)),
                     result.weights.reset_index(), outputs["weights"].path,
                     "(all universe tickers)")

        provenance = universe_inputs[min(passed)]["prices"]["prices"].provenance().derive(
            self.task_id,
            parameters={**self.parameters(), "strategy": params.to_dict(),
                        "strategy_file": strategy_file.name,
                        "strategy_sha256": hashlib.sha256(strategy_file.read_bytes()).hexdigest()},
            inputs={"tickers": sorted(passed),
                    "excluded": {t: e.summary() for t, e in sorted(excluded.items())}})
        rebalance = result.rebalance
        if provenance.sample_data:
            rebalance = rebalance.assign(reason=SAMPLE_DATA_WARNING + "; " + rebalance["reason"])
        day = index[-1].date().isoformat()
        for exclusion in excluded.values():
            self.log.warning("%s: excluded from %s: %s", exclusion.ticker, day,
                             exclusion.summary())
        for ticker, reason in result.excluded.items():
            self.log.info("%s: no signal on %s: %s", ticker, day, reason)
        target = result.weights.iloc[-1]
        self.log.info("%s: %d long, %d short, gross %.4f, net %.4f; %d orders, %d excluded",
                      day, (target > 0).sum(), (target < 0).sum(), target.abs().sum(),
                      target.sum(), len(rebalance), len(result.excluded))

        outputs["excluded"].write_json({"date": day, **sample_data_label(provenance.sample_data),
                                        "excluded": result.excluded,
                                        "excluded_from_day": [e.to_dict() for e in
                                                              excluded.values()]})
        outputs["rebalance"].write_text(rebalance.to_csv(index=False))
        outputs["weights"].write_frame(result.weights, provenance)
