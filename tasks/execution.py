"""ExecuteTrades: the run date's target weights sent as orders through the C++ order
engine. Manual and guarded: no wrapper task requires it, it acts only when confirmed
(``--confirm <run date>``), it is never retried, and any failure raises an alert for
a person to take over."""

from __future__ import annotations

import logging
from typing import Any

import luigi

from momentum_pipeline.execution import REPORT_FILES
from momentum_pipeline.foundation.layout import Layout
from tasks.base import PipelineTask, split_exclusions, task_logger
from tasks.config import execution
from tasks.console import CONSOLE
from tasks.signals import GenerateSignals
from tasks.targets import DataTarget
from tasks.universe import universe_tickers
from tasks.validate import ValidatePrices


class ExecuteTrades(PipelineTask):
    """Orders that move the journal's positions to the run date's targets (whole shares
    of ``[execution] capital`` at each ticker's close), through the engine's risk checks
    and the paper or FIX venue -> ``executions/<date>/`` (orders, fills, rejections, positions,
    summary.json, with the risk limits in force) and ``logs/trade_exec.log``. The order
    journal (``executions/journal.log``) carries positions across days; a client order id
    it already holds is never sent again, so a rerun sends nothing twice.

    Unconfirmed, it requires nothing and fails at once with how to confirm, writing no
    output. A failure is never retried: the alert asks a person to look. A day with
    orders in doubt or rejected writes its report (``outcome`` "needs attention", the
    problems listed) and fails with an alert: it is not done, so a rerun after the cause
    is fixed (an order resolved, a limit raised) acts. Nor is a day done while its
    journal does not verify.
    """

    confirm = luigi.Parameter(default="", significant=False,
                              description="The run date again (YYYY-MM-DD): the explicit "
                                          "confirmation without which nothing is sent.")
    venue = luigi.ChoiceParameter(choices=["paper", "fix"], default="paper",
                                  description="paper (the simulated market) or fix (the FIX "
                                              "4.4 session of [execution] fix_settings).")
    retry_count = 0  # luigid disables it at a failure: a person decides, then re-enables
    stamped = False  # done is what its journal and execution report say
    preload = ("pandas", "pyarrow.parquet", "order_engine", "momentum_pipeline.execution.report")

    @property
    def log(self) -> logging.Logger:
        return task_logger("trade_exec")

    def confirmed(self) -> bool:
        return self.confirm == self.date.isoformat()

    @property
    def journal(self):
        from momentum_pipeline.execution.config import ExecutionSettings

        return ExecutionSettings.from_config(execution()).journal or self.layout.journal

    def complete(self) -> bool:
        """Done when the report says so and the journal behind it still verifies (a
        damaged or cut journal makes the day run again, and fail with an alert)."""
        from momentum_pipeline.execution.session import journal_problem

        if not super().complete():
            return False
        try:
            summary = self.output()["summary.json"].read_json()
        except (OSError, ValueError):
            return False
        return summary.get("outcome") == "done" and journal_problem(self.journal) is None

    def requires(self) -> dict[str, Any]:
        if not self.confirmed():
            return {}  # refuse at once rather than after building the day's signals
        return {"signals": self.clone(GenerateSignals),
                "prices": {t: self.clone(ValidatePrices, ticker=t) for t in universe_tickers()}}

    def output(self) -> dict[str, DataTarget]:
        return {name: self.target(Layout.EXECUTIONS, name) for name in REPORT_FILES}

    def on_failure(self, exception: BaseException) -> str:
        self.log.error("%s FAILED, nothing is retried; manual review needed: %s: %s",
                       self.task_id, type(exception).__name__, exception)
        return super().on_failure(exception)

    def refuse_unless_confirmed(self) -> None:
        from momentum_pipeline.execution.session import ExecutionRefused

        day = self.date.isoformat()
        if not self.confirm:
            raise ExecutionRefused(f"ExecuteTrades sends orders only when confirmed: rerun with "
                                   f"--confirm {day} (the run date). Nothing was sent.")
        if not self.confirmed():
            raise ExecutionRefused(f"--confirm {self.confirm} does not match the run date {day}: "
                                   f"confirm with --confirm {day}. Nothing was sent.")

    def run(self) -> None:
        self.refuse_unless_confirmed()  # before anything is written under the data root
        super().run()

    def build(self) -> None:
        from momentum_pipeline.foundation.calendar import last_session_on_or_before
        from momentum_pipeline.execution.config import ExecutionSettings
        from momentum_pipeline.execution.orders import plan_orders, session_targets
        from momentum_pipeline.execution.plan import plan_input, report_header
        from momentum_pipeline.execution.report import problems, report_files
        from momentum_pipeline.execution.session import (ExecutionNeedsAttention,
                                                         ExecutionRefused, execute_plan,
                                                         in_doubt, limits_in_force, open_engine,
                                                         reconcile, refused_by_venue,
                                                         set_trading_state)
        from momentum_pipeline.execution.trading_state import describe, read_trading_state
        from momentum_pipeline.foundation.provenance import SAMPLE_DATA_WARNING
        from momentum_pipeline.foundation.frames import frame_digest

        settings = ExecutionSettings.from_config(execution())
        try:
            trading = read_trading_state(self.layout.trading_state)
        except ValueError as error:
            raise ExecutionRefused(f"{error}. Nothing was sent.") from None
        if trading["state"] == "HALTED":
            raise ExecutionRefused(
                f"trading is {describe(trading)}. Nothing was sent; when it may go on: "
                "python -m tasks.commands.trading resume --by <name> --why <text>")
        weights = self.input()["signals"]["weights"]
        session = last_session_on_or_before(self.date)
        target = session_targets(weights.read_frame(), session, weights.path)
        provenance = weights.provenance()
        prefix = f"{SAMPLE_DATA_WARNING}: " if provenance.sample_data else ""
        priced, excluded = split_exclusions(self.requires()["prices"])
        closes = {t: task.output()["prices"].read_frame(["close"])["close"]
                  for t, task in priced.items() if t in target.index}
        inputs = plan_input(target, session, closes,
                            {t: e.summary() for t, e in excluded.items()})
        journal = self.journal
        self.log.info("%s%s: orders for the targets of session %s on the %s venue, capital "
                      "%.2f, journal %s", prefix, self.task_id, session.date(), self.venue,
                      settings.capital, journal)

        earlier = sorted(self.layout.root.glob(f"{Layout.EXECUTIONS}/*/summary.json"))
        with open_engine(self.venue, settings, journal, earlier) as engine:
            set_trading_state(engine, trading)
            limits = limits_in_force(engine)
            self.log.info("%slimits in force: %s; trading %s", prefix, limits, describe(trading))
            for order in reconcile(engine):
                self.log.warning("%sRECONCILED with the venue: %s", prefix, order)
            doubts = in_doubt(engine)
            for order in doubts:
                self.log.warning("%sIN DOUBT %s", prefix, order["message"])
            for ticker, price in inputs.prices.items():
                engine.set_reference_price(ticker, price)
            positions = {t: int(shares) for t, shares in engine.positions().items()}
            unpriced = inputs.unpriced(positions)
            skipped = inputs.rounds_to_zero(positions, settings.capital)
            for ticker, why in {**unpriced, **skipped}.items():
                self.log.warning("%s%s: no order: %s", prefix, ticker, why)
            for ticker, shares in inputs.held_outside(positions).items():
                self.log.warning("%s%s: %d shares held outside the targets: left alone",
                                 prefix, ticker, shares)
            plan = plan_orders(self.date, target, inputs.prices, positions, settings.capital,
                               settings.price_collar, refused_by_venue(journal))
            result = execute_plan(engine, plan, self.log, prefix, self.venue)
            doubts = in_doubt(engine)  # with those the venue left in doubt in this run

        used = {"signals": {"file": self.layout.relative(weights.file),
                            "sha256": frame_digest(weights.file)},
                "closes": {t: float(p) for t, p in inputs.prices.items()}, "limits": limits}
        header = report_header(
            day=self.date, session=session, venue=self.venue, capital=settings.capital,
            journal=journal, limits=limits, trading_state=trading,
            sample_data=provenance.sample_data,
            provenance=provenance.derive(self.task_id, parameters=self.parameters(),
                                         inputs=used).to_dict())
        files = report_files(result, target=target, prices=inputs.prices, unpriced=unpriced,
                             skipped=skipped, in_doubt=doubts, header=header,
                             warning=SAMPLE_DATA_WARNING if provenance.sample_data else None)
        outputs = self.output()
        for name, text in files.items():
            outputs[name].write_text(text)
        counts = result.orders["status"].value_counts().to_dict()
        self.log.info("%s%s: %d orders planned %s, gross exposure %.2f; report in %s", prefix,
                      self.date, len(plan), counts, result.gross_exposure,
                      self.folder(Layout.EXECUTIONS))
        # What was traded, and on what prices, said where the person who ran it looks.
        CONSOLE.info("%sExecuteTrades %s on the %s venue: %d orders %s, %d skipped, %d in "
                     "doubt; gross exposure %.2f; orders in %s", prefix, self.date, self.venue,
                     len(plan), counts, len(skipped), len(doubts), result.gross_exposure,
                     outputs["orders.csv"].path)
        attention = problems(result.orders, doubts)
        if attention:
            raise ExecutionNeedsAttention(
                f"{len(attention)} problem(s) before {self.date} is done (report in "
                f"{self.folder(Layout.EXECUTIONS)}): " + "; ".join(attention))
