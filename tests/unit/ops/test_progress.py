"""Progress of long tasks in the scheduler, and per-stage counts of a local run."""

from __future__ import annotations

import luigi
import luigi.scheduler
import luigi.worker

from tasks.base import PipelineTask
from tasks.targets import atomic_path
from tasks.pipeline import PipelineWrapper
from tasks.progress import StageCounts, stage_counts
from tests.conftest import run_tasks


class FitTrees(PipelineTask):
    """A stand-in long task: reports each of its four steps."""

    def output(self) -> luigi.LocalTarget:
        return self.target("ops-test", "trees.txt")

    def produce(self) -> None:
        for tree in range(1, 5):
            self.report_progress(tree, 4, "fitting trees")
        with atomic_path(self.output().path) as tmp:
            tmp.write_text("4 trees\n")


def test_report_progress_when_run_by_a_worker_then_scheduler_has_percentage_and_message(
        pipeline_config):
    task = FitTrees()
    scheduler = luigi.scheduler.Scheduler()
    with luigi.worker.Worker(scheduler=scheduler, worker_processes=1) as worker:
        worker.add(task)
        assert worker.run()
    assert scheduler.get_task_progress_percentage(task.task_id)["progressPercentage"] == 100
    assert scheduler.get_task_status_message(task.task_id)["statusMessage"] == \
        "fitting trees (4/4)"


def test_report_progress_when_run_outside_a_worker_then_the_task_still_runs(pipeline_config):
    task = FitTrees()
    task.run()
    assert task.complete()


class CountedLeaf(PipelineTask):
    ticker = luigi.Parameter()

    def output(self) -> luigi.LocalTarget:
        return self.target("ops-test", f"{self.ticker}.txt")

    def produce(self) -> None:
        with atomic_path(self.output().path) as tmp:
            tmp.write_text(self.ticker)


class CountedStage(PipelineWrapper):
    def requires(self):
        return [CountedLeaf(date=self.date, ticker=t) for t in ("AAPL", "MSFT", "TSLA", "XOM")]


def test_stage_counts_when_tasks_ran_in_forked_workers_then_every_finish_is_counted(
        pipeline_config):
    CountedLeaf(ticker="XOM").run()  # done before the run: not part of it
    assert run_tasks(CountedStage(), workers=2).scheduling_succeeded
    assert stage_counts()["CountedLeaf"] == StageCounts(done=3, failed=0, total=3)


class FailingLeaf(CountedLeaf):
    def produce(self) -> None:
        if self.ticker == "BAD":
            raise ValueError("ticker BAD: no prices")
        super().produce()


class FailingStage(PipelineWrapper):
    def requires(self):
        return [FailingLeaf(date=self.date, ticker=t) for t in ("AAPL", "BAD")]


def test_stage_counts_when_a_task_fails_then_it_counts_as_failed_not_done(pipeline_config):
    assert not run_tasks(FailingStage(), workers=2).scheduling_succeeded
    assert stage_counts()["FailingLeaf"] == StageCounts(done=1, failed=1, total=2)
