"""What every task shares: run date, data-root paths, atomic outputs, a log file, and
completion by input key (``tasks.completion``)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import importlib
import json
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import luigi
from luigi.task import flatten

from momentum_pipeline.foundation.layout import Layout
from momentum_pipeline.operations.root_lock import RootInUse
from tasks.completion import (DONE, EXCLUDED, Stamp, input_key, path_state, read_stamp,
                              settings_digest)
from tasks.config import batch, data, paths
from tasks.targets import DataTarget, atomic_path

if TYPE_CHECKING:
    from momentum_pipeline.foundation.provenance import Provenance


def data_layout() -> Layout:
    """The layout of the configured data root (``--paths-root``), by default one root per
    data source under ``var/``."""
    root = paths().root
    return Layout(Path(root) if root is not None else Path("var", data().source).absolute())


class DataSourceMismatch(RuntimeError):
    """The data root holds outputs of another data source than the configured one."""


def source_identity() -> dict[str, str]:
    """What tells two data sources apart: the source, and the seed of the sample market."""
    settings = section_values(data)
    identity = {"source": settings["source"]}
    if settings["source"] == "sample":
        identity["sample_seed"] = settings["sample_seed"]
    return identity


def _as_flags(identity: dict[str, str]) -> str:
    """``--data-source sample --data-sample-seed 1``: the source first, as a user types it."""
    keys = sorted(identity, key=lambda key: (key != "source", key))
    return " ".join(f"--data-{key.replace('_', '-')} {identity[key]}" for key in keys)


def check_data_source(layout: Layout, *, bind: bool = False) -> None:
    """Refuse a data root that holds another source's outputs, so the synthetic market's
    outputs, performance-log rows and paper order journal never mix with real data's.
    ``bind`` (before a task writes) records the configured source in a root that has none.
    """
    record = layout.source_record
    identity = source_identity()
    if bind and not record.is_file():
        with contextlib.suppress(FileExistsError), atomic_path(record, exclusive=True) as tmp:
            tmp.write_text(json.dumps(identity, indent=2, sort_keys=True) + "\n")
    if not record.is_file():
        return
    try:
        recorded = json.loads(record.read_text())
    except ValueError as error:
        raise DataSourceMismatch(f"{record}: not a data-source record ({error}); it should "
                                 f"hold the source of {layout.root}'s outputs") from error
    if recorded != identity:
        raise DataSourceMismatch(
            f"data root {layout.root} holds outputs of {_as_flags(recorded)} (recorded in "
            f"{record}), but this run asks for {_as_flags(identity)}: use one --paths-root "
            f"per data source, or delete {layout.root} to rebuild it from the new source")


def hold_data_root(root: Path) -> None:
    """Hold ``root`` for this run, or end the process at once with Luigi's exit code
    ``already_running``. Not an error raised from ``complete()``: Luigi would report the
    task to luigid as UNKNOWN, and luigid would then grant the holder's same task to
    no worker. A run that died holding the root is alerted here, once."""
    from tasks.alerts import take_root

    try:
        take_root(Layout(root))
    except RootInUse as refusal:
        from luigi.retcodes import retcode

        logging.getLogger("luigi-interface").error("%s", refusal)
        raise SystemExit(retcode().already_running) from refusal


@contextlib.contextmanager
def marked_running(task: PipelineTask):
    """Mark ``task`` as running under its root while it runs. A run killed outright (its
    worker, or the host) leaves the marker: the next run names the task in its alert."""
    marker = task.layout.running(task.task_id)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"family": task.get_task_family(), "task_id": task.task_id,
                                  "parameters": task.to_str_params()}, sort_keys=True))
    try:
        yield
    finally:
        marker.unlink(missing_ok=True)


def forget_running(task: luigi.Task) -> None:
    """Drop the marker of a task whose end its worker saw and alerted (a killed process);
    of a batch, its own (killed in its joint work) and its tickers' (the one killed
    while running, if any)."""
    for each in ((task, *task.members) if isinstance(task, TickerStage) else (task,)):
        if isinstance(each, PipelineTask):
            each.layout.running(each.task_id).unlink(missing_ok=True)


_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: ``extra=`` of a log record for the task's log file only, not the console: a
#: traceback the console says in one line elsewhere (the alert).
LOG_FILE_ONLY = {"console": False}


def task_logger(name: str, layout: Layout | None = None) -> logging.Logger:
    """The logger of one task family, writing to ``logs/<name>.log`` under the data root
    (``layout``'s, by default the configured one: only this root's; a process that ran
    tasks on another root stops writing there)."""
    logger = logging.getLogger(f"momentum.{name}")
    log_file = (layout or data_layout()).task_log(name)
    for handler in [h for h in logger.handlers if isinstance(h, logging.FileHandler)]:
        if handler.baseFilename != str(log_file):
            logger.removeHandler(handler)
            handler.close()
    if not any(getattr(h, "baseFilename", None) == str(log_file) for h in logger.handlers):
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file)
        handler.setFormatter(logging.Formatter(_LOG_FORMAT))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return logger


@functools.cache
def freeze_heap_at_fork() -> None:
    """Freeze the scheduling process's heap for each fork of a task process (and thaw it
    in the parent after): the child's garbage collector then leaves the objects it
    inherited alone, instead of writing to, and so copying, every page that holds one."""
    os.register_at_fork(before=gc.freeze, after_in_parent=gc.unfreeze)


def preload_entry(entry: str) -> None:
    """Import ``module`` of a ``preload`` entry, and call ``function`` of ``module:function``."""
    module, _, function = entry.partition(":")
    imported = importlib.import_module(module)
    if function:
        getattr(imported, function)()


@functools.cache
def section_values(section: type[luigi.Config]) -> dict[str, str]:
    """A settings section's values, read once per process (each read parses the
    configuration). A process that changes its configuration calls
    ``section_values.cache_clear()``, as the tests' configuration fixture does."""
    return section().to_str_params()


def inputs_unchanged(recorded: dict[str, dict[str, Any]]) -> bool:
    """Whether the paths and settings a stamp recorded are as they were."""
    from tasks import config

    paths, sections = recorded.get("paths", {}), recorded.get("sections", {})
    return (all(path_state(Path(p)) == (tuple(s) if s else None) for p, s in paths.items())
            and all(hasattr(config, name)
                    and settings_digest(section_values(getattr(config, name))) == digest
                    for name, digest in sections.items()))


@functools.cache
def say_run_date(asked: dt.date, session: dt.date) -> None:
    """Say that a run date was moved to its session: the first time in a process only
    (the date a person asked for; a backfill's range would say it for every weekend)."""
    if say_run_date.cache_info().currsize > 0:
        return
    logging.getLogger("luigi-interface").warning(
        "%s (%s) is not an NYSE session: running for the session before it, %s, whose "
        "outputs and performance-log row it shares", asked, f"{asked:%A}", session)


class SessionDateParameter(luigi.DateParameter):
    """A run date that is an NYSE session. A weekend or holiday resolves to the session
    before it, so a Saturday run is Friday's: already done, it costs nothing and adds no
    row to the performance log."""

    def normalize(self, value: Any) -> dt.date | None:
        from momentum_pipeline.foundation.calendar import session_on_or_before

        day = super().normalize(value)
        if day is None:
            return None
        try:
            session = session_on_or_before(day)
        except ValueError:  # beyond the calendar (Luigi's range tools probe such dates)
            return day
        if session != day:
            say_run_date(day, session)
        return session


#: Each task class's parameters (:meth:`PipelineTask.get_params`); classes are complete
#: once their module is imported (``luigi.util.requires`` adds its parameters there).
_PARAMETERS: dict[type, list[tuple[str, luigi.Parameter]]] = {}


class PipelineTask(luigi.Task):
    """Base of every stage.

    No Luigi-level retry within a run: where the plan wants a retry (fetching, report
    I/O) the task retries inside ``run`` with tenacity, so the policy is explicit and
    tested. A failed task is not disabled in luigid (Luigi's default ``retry_count``):
    the next run retries it, as with the local scheduler.

    A task is complete when its stamp records the current input key (see
    ``tasks.completion``) and its outputs exist; a subclass writes its outputs in
    ``produce`` and the stamp is written after it.
    """

    date = SessionDateParameter(
        default=dt.date.today(),
        description="Run date: an NYSE session (a weekend or holiday means the session "
                    "before it); outputs go under a folder of this date.")

    #: Heavy modules this task's ``run`` imports. They are imported when the task is
    #: found incomplete, so a rerun with nothing to do stays fast while forked
    #: worker processes inherit them instead of importing them once per task.
    #: ``"module:function"`` also calls a cached zero-argument function of the
    #: module (the NYSE calendar), so forked workers inherit its result too.
    preload: ClassVar[tuple[str, ...]] = ()

    #: The ``luigi.Config`` sections whose settings this task's outputs depend on: part
    #: of its input key, so changing one of them makes the task (and what follows) stale.
    settings: ClassVar[tuple[type[luigi.Config], ...]] = ()

    #: Sections read to decide what the task requires or reads from outside (the universe
    #: for the cross-sectional stages), beyond ``settings``: checked with the stamp.
    reads: ClassVar[tuple[type[luigi.Config], ...]] = ()

    #: False for tasks whose completeness is not a stamp (wrappers, ExecuteTrades).
    stamped: ClassVar[bool] = True

    @classmethod
    def get_params(cls) -> list[tuple[str, luigi.Parameter]]:
        """Luigi's, found once per class: Luigi scans ``dir(cls)`` at every instantiation,
        clone and ``input()``, dozens of times per task (about 5 % of a cold run)."""
        if cls not in _PARAMETERS:
            _PARAMETERS[cls] = super().get_params()
        return list(_PARAMETERS[cls])

    def complete(self) -> bool:
        # Luigi checks a task here, in the process that schedules it, before any worker
        # runs it: the root's lock is held from then on, and forked workers share it.
        hold_data_root(self.layout.root)
        check_data_source(self.layout)
        done = self.stamp_current() if self.stamped else super().complete()
        if not done:
            for entry in self.preload:
                preload_entry(entry)
        return done

    def external_inputs(self) -> dict[str, Any]:
        """Fingerprints of what the task reads from outside the data root (files' SHA-256)."""
        return {}

    def watched_paths(self) -> tuple[Path, ...]:
        """The files and folders behind :meth:`external_inputs`: while none of them changes
        (size, modification time, inode) the input key is not computed again."""
        return ()

    @functools.cached_property
    def requirements(self) -> tuple[PipelineTask, ...]:
        """The pipeline tasks this one requires (fixed for a task instance)."""
        return tuple(t for t in flatten(self.requires()) if isinstance(t, PipelineTask))

    @functools.cached_property
    def watched(self) -> tuple[Path, ...]:
        """The watched paths of this task and of everything it requires."""
        paths = dict.fromkeys(self.watched_paths())
        for task in self.requirements:
            paths.update(dict.fromkeys(task.watched))
        return tuple(paths)

    @functools.cached_property
    def setting_values(self) -> dict[str, dict[str, str]]:
        return {section.__name__: section_values(section) for section in self.settings}

    @functools.cached_property
    def sections(self) -> tuple[type[luigi.Config], ...]:
        """The settings sections this task and everything it requires read."""
        found = dict.fromkeys((*self.settings, *self.reads))
        for task in self.requirements:
            found.update(dict.fromkeys(task.sections))
        return tuple(found)

    def recorded_inputs(self) -> dict[str, dict[str, Any]]:
        """The state of every watched path and the digest of every section read, below
        this task: what its stamp records beside the key."""
        return {"paths": {str(p): path_state(p) for p in self.watched},
                "sections": {s.__name__: settings_digest(section_values(s))
                             for s in self.sections}}

    def input_key(self) -> str:
        """The key of everything this task's outputs are made from (``tasks.completion``).

        Computed again only when a watched path changed, so the many ``complete()``
        calls of a scheduling pass (and a rerun with nothing to do) stay cheap."""
        state = tuple(path_state(p) for p in self.watched)
        memo = self.__dict__.get("_key_memo")
        if memo is None or memo[0] != state:
            upstream = sorted((task.task_id, task.input_key()) for task in self.requirements)
            memo = (state, input_key({"task": self.task_id, "settings": self.setting_values,
                                      "external": self.external_inputs(),
                                      "requires": upstream}))
            self.__dict__["_key_memo"] = memo
        return memo[1]

    @property
    def stamp_path(self) -> Path:
        return self.layout.stamp(self.date, self.task_id)

    def stamp(self) -> Stamp | None:
        return read_stamp(self.stamp_path)

    def stamp_current(self) -> bool:
        """Whether the stamp records the current input key, and the outputs it vouches for
        exist. The key is computed only when a recorded input looks changed."""
        stamp = self.stamp()
        if stamp is None or stamp.retry:
            return False
        if not (stamp.inputs and inputs_unchanged(stamp.inputs)) and stamp.key != self.input_key():
            return False
        return stamp.excluded or all(target.exists() for target in flatten(self.output()))

    def new_stamp(self, status: str = DONE, **exclusion: Any) -> Stamp:
        """A stamp of the current inputs (taken before a run reads them)."""
        return Stamp(key=self.input_key(), status=status, inputs=self.recorded_inputs(),
                     **exclusion)

    def write_stamp(self, stamp: Stamp) -> None:
        with atomic_path(self.stamp_path) as tmp:
            tmp.write_text(stamp.to_json())

    def run(self) -> None:
        check_data_source(self.layout, bind=True)
        with marked_running(self):
            self.build()

    def build(self) -> None:
        """Make the outputs, then the stamp of the inputs they were made from."""
        stamp = self.new_stamp()  # before reading inputs: an input changed meanwhile reruns
        self.produce()
        self.write_stamp(stamp)

    def produce(self) -> None:
        """Write the task's outputs (each through a :class:`DataTarget`)."""
        raise NotImplementedError

    @functools.cached_property
    def layout(self) -> Layout:
        """The data root's layout, looked up once per task (each config lookup parses it)."""
        return data_layout()

    def folder(self, stage: str) -> Path:
        """``<root>/<stage>/<run date>``: where this run date's outputs of ``stage`` go."""
        return self.layout.dated(stage, self.date)

    def target(self, stage: str, name: str) -> DataTarget:
        """The output ``name`` of ``stage`` for the run date."""
        return DataTarget(str(self.folder(stage) / name), self.layout)

    def derived(self, source: DataTarget | Provenance, **parameters: Any) -> Provenance:
        """The provenance of an output made from ``source`` (an input, or its provenance
        when already read) by this task with ``parameters`` (beside the task's own)."""
        provenance = source.provenance() if isinstance(source, DataTarget) else source
        return provenance.derive(self.task_id, parameters={**self.parameters(), **parameters})

    @property
    def log(self) -> logging.Logger:
        return task_logger(self.get_task_family(), self.layout)

    def parameters(self) -> dict[str, str]:
        """The task's significant parameters, as recorded in provenance."""
        return {k: str(v) for k, v in self.param_kwargs.items()}

    def report_progress(self, done: int, total: int, message: str) -> None:
        """Show how far ``run`` is in luigid's UI: ``done`` of ``total`` units (tickers,
        sessions, trees) and what it is doing. Call it per unit of work, not per row:
        each call is a request to the scheduler. Outside a worker it does nothing."""
        if self.set_progress_percentage is not None:
            self.set_progress_percentage(round(100 * done / total) if total else 100)
        if self.set_status_message is not None:
            self.set_status_message(f"{message} ({done}/{total})")


TICKER_HELP = "Ticker symbol in Yahoo form (BRK-B, not BRK.B)."


class TickerTask(PipelineTask):
    """A per-ticker stage: one instance per (run date, ticker), so a bad ticker fails alone.

    Unusable input data (a source that cannot deliver, a schema mismatch, a quality rule
    that rejects) excludes the ticker from the day instead of failing: the task records
    an exclusion stamp with the stage and the reason, the ticker's later stages carry it
    on without running, and ``ConfirmTicker`` fails visibly for it. A rerun after the
    input is fixed has another input key, so the ticker comes back by itself.
    """

    ticker = luigi.Parameter(description=TICKER_HELP)

    def upstream_exclusion(self) -> Stamp | None:
        """The exclusion of this ticker by a stage this task requires, if any."""
        for task in self.requirements:
            if isinstance(task, TickerTask) and task.ticker == self.ticker:
                stamp = task.stamp()
                if stamp is not None and stamp.excluded:
                    return stamp
        return None

    #: The stamp taken before this ticker's batch read its inputs (``TickerStage``).
    early_stamp: Stamp | None = None

    def build(self) -> None:
        from momentum_pipeline.foundation.exclusions import TickerDataError

        done = self.early_stamp or self.new_stamp()
        upstream = self.upstream_exclusion()
        if upstream is not None:
            self.write_stamp(replace(done, status=EXCLUDED, stage=upstream.stage,
                                     reason=upstream.reason, retry=upstream.retry))
            return
        try:
            self.produce()
        except TickerDataError as error:
            self.log.warning("%s: excluded from %s at %s: %s", self.ticker, self.date,
                             self.get_task_family(), error)
            self.write_stamp(replace(done, status=EXCLUDED, stage=self.get_task_family(),
                                     reason=f"{type(error).__name__}: {error}",
                                     retry=error.transient))
            return
        self.write_stamp(done)


def split_exclusions(tasks: Mapping[str, TickerTask]) -> tuple[dict[str, TickerTask], dict]:
    """``tasks`` (ticker -> its task) split into the tickers that passed and the
    :class:`~momentum_pipeline.foundation.exclusions.Exclusion` of each ticker that did not."""
    from momentum_pipeline.foundation.exclusions import Exclusion

    passed, excluded = {}, {}
    for ticker, task in tasks.items():
        stamp = task.stamp()
        if stamp is not None and stamp.excluded:
            excluded[ticker] = Exclusion(ticker, stamp.stage or "", stamp.reason or "")
        else:
            passed[ticker] = task
    return passed, excluded


#: Joins a batch's tickers into its ``ticker`` parameter (no ticker contains it).
BATCH_SEPARATOR = ","
#: The events Luigi fires for a task's own run; a batch fires them for each ticker instead.
RUN_EVENTS = (luigi.Event.START, luigi.Event.PROCESSING_TIME, luigi.Event.SUCCESS,
              luigi.Event.FAILURE)
_interface = logging.getLogger("luigi-interface")


class TickersFailed(RuntimeError):
    """Tickers of a batch failed (each reported as its own task); the others are done."""


class TickerStage(TickerTask):
    """A per-ticker stage that Luigi may run for up to ``[batch] tickers`` tickers in one
    task process (Luigi's task batching): one scheduler round trip and, with several
    workers, one forked process per batch instead of per ticker, which is what a stage
    of a hundred small tasks costs most.

    The batch is only how the tickers travel: each runs as its own task instance (its
    running marker, output, stamp and exclusion), and the events Luigi would fire for it
    (start, processing time, success, failure: progress, console, alerts) are fired for
    it. A ticker's unexpected error fails that ticker and, after the others have run,
    the batch: Luigi then marks the batch's tickers failed for this run, and the next run
    finds the others done by their stamps. A stage may compute what is cheaper done for
    the whole batch first (:meth:`computed_together`); each ticker then writes its own.
    """

    ticker = luigi.Parameter(batch_method=BATCH_SEPARATOR.join, description=TICKER_HELP)

    @property
    def max_batch_size(self) -> int:  # type: ignore[override]
        return batch().tickers

    @functools.cached_property
    def members(self) -> tuple[TickerStage, ...]:
        """The tasks this instance stands for: itself, or a batch's tickers."""
        tickers = self.ticker.split(BATCH_SEPARATOR)
        return (self,) if len(tickers) == 1 else tuple(self.clone(ticker=t) for t in tickers)

    @property
    def is_batch(self) -> bool:
        return self.members != (self,)

    def trigger_event(self, event: str, *args: Any, **kwargs: Any) -> None:
        """A batch's own run events are its tickers' (fired by :meth:`run`); a killed or
        timed-out batch process, and an error outside the tickers, are the batch's."""
        own_outcome = event == luigi.Event.FAILURE and not isinstance(args[1], TickersFailed)
        if self.is_batch and event in RUN_EVENTS and not own_outcome:
            return
        super().trigger_event(event, *args, **kwargs)

    def run(self) -> None:
        if not self.is_batch:
            super().run()
            return
        self.log.info("one process for %d tickers: %s", len(self.members),
                      ", ".join(member.ticker for member in self.members))
        self.prepare_members()
        failed = []
        for done, member in enumerate(self.members):
            self.report_progress(done, len(self.members), member.ticker)
            if not member.run_as_task():
                failed.append(member.ticker)
        if failed:
            raise TickersFailed(
                f"{self.get_task_family()} failed for {', '.join(failed)} (see each ticker's "
                f"error); the batch's other {len(self.members) - len(failed)} tickers are done")

    #: What :meth:`computed_together` gave this ticker: its result, or the error it raised.
    prepared: Any = None
    #: This ticker's share of the seconds :meth:`computed_together` took: part of its
    #: processing time, as Luigi reports it (the benchmark's per-stage figures, luigid).
    prepared_seconds: float = 0.0

    def prepare_members(self) -> None:
        """Give each ticker of the batch that is not excluded upstream its stamp, taken
        before the batch reads its inputs, and its result of :meth:`computed_together`."""
        ready = [member for member in self.members if member.upstream_exclusion() is None]
        for member in ready:
            member.early_stamp = member.new_stamp()
        started = time.time()
        try:
            with marked_running(self):  # killed here, the next run's alert names the batch
                outcomes = self.computed_together(ready)
        except BaseException:
            for member in ready:
                member.early_stamp = None
            raise
        share = (time.time() - started) / len(ready) if outcomes else 0.0
        for member, outcome in zip(ready, outcomes or [None] * len(ready), strict=True):
            member.prepared, member.prepared_seconds = outcome, share

    def computed_together(self, members: list[TickerStage]) -> list[Any] | None:
        """For a batch, before its tickers run one by one: the work cheaper done for all of
        them at once (one schema validation for the batch), one result per member, or the
        error a member raised, which its own run raises (so it fails alone). ``None`` (the
        default): each ticker computes alone in its ``produce``."""
        return None

    def take_prepared(self) -> Any:
        """This ticker's result from :meth:`computed_together` (``None`` if it computes
        alone), raising the error it got there as its own."""
        outcome, self.prepared = self.prepared, None
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def run_as_task(self) -> bool:
        """Run this ticker as Luigi runs a task: its events around its run; whether it ran."""
        self.trigger_event(luigi.Event.START, self)
        started = time.time()
        try:
            super().run()
        except Exception as error:  # noqa: BLE001 - reported as this ticker's failure
            _interface.exception("[pid %s] failed    %s", os.getpid(), self)
            self.trigger_event(luigi.Event.FAILURE, self, error)
            return False
        finally:  # Luigi keeps task instances: a later run in this process starts afresh
            seconds = time.time() - started + self.prepared_seconds
            self.early_stamp, self.prepared, self.prepared_seconds = None, None, 0.0
        self.trigger_event(luigi.Event.PROCESSING_TIME, self, seconds)
        self.trigger_event(luigi.Event.SUCCESS, self)
        return True

    def deps(self) -> list[luigi.Task]:
        """A batch's dependencies are its tickers' (Luigi checks them before a run)."""
        if not self.is_batch:
            return super().deps()
        return [dep for member in self.members for dep in member.deps()]
