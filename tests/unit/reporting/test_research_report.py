"""The research report is its own output and waits for the model's evaluation."""

import datetime as dt

from tasks import DailyPipeline, EvaluateModel, GenerateReport, Research, SweepStrategy

RUN_DATE = dt.date(2025, 10, 8)


def test_research_report_when_required_then_it_depends_on_the_model_evaluation(pipeline_config):
    report = GenerateReport(date=RUN_DATE, research=True)
    assert isinstance(report.requires()["model"], EvaluateModel)
    assert "model" not in GenerateReport(date=RUN_DATE).requires()


def test_research_report_when_written_then_it_never_overwrites_the_daily_report(pipeline_config):
    daily = {t.path for t in GenerateReport(date=RUN_DATE).output().values()}
    research = {t.path for t in GenerateReport(date=RUN_DATE, research=True).output().values()}
    assert daily.isdisjoint(research)
    assert {p.rsplit("/", 1)[0] for p in research} == {p.rsplit("/", 1)[0] for p in daily}


def test_research_wrapper_when_resolved_then_it_asks_for_the_research_report(pipeline_config):
    required = Research(date=RUN_DATE).requires()
    assert GenerateReport(date=RUN_DATE, research=True) in required
    assert DailyPipeline(date=RUN_DATE) in required
    assert SweepStrategy(date=RUN_DATE) in required  # the page's Research has the sweeps
