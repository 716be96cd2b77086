from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from momentum_pipeline.backtest.performance import against_benchmark
from momentum_pipeline.foundation.frames import read_parquet, read_provenance, write_parquet
from momentum_pipeline.reporting.performance import yearly_returns
from momentum_pipeline.reporting.charts import WIDTH
from momentum_pipeline.reporting.context import (CHART_PATHS, MODEL_SCORES, draw_charts,
                                                 formatted, load_report, report_context)
from tests.unit.reporting.conftest import AAPL_GAPS, CAPITAL, COMMISSION_PER_SESSION, without

DPI = 60  # small charts: these tests check what is drawn, not how sharp


@pytest.fixture(scope="module")
def report(run_outputs):
    data = load_report(run_outputs.sources)
    drawn = draw_charts(data, DPI, 63)
    return data, drawn, report_context(data, drawn, {"dpi": str(DPI)})


def test_charts_when_every_input_exists_then_each_chart_is_a_png_of_page_width(report):
    _, drawn, _ = report
    assert set(drawn) == set(CHART_PATHS.values())
    for png in drawn.values():
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG"
        assert image.width == round(WIDTH * DPI)
        pixels = np.asarray(image.convert("L"))
        assert (pixels < 200).mean() > 0.01, "a chart should draw more than its background"


def test_charts_when_drawn_twice_from_same_inputs_then_bytes_are_identical(run_outputs, report):
    _, drawn, _ = report
    assert draw_charts(load_report(run_outputs.sources), DPI, 63) == drawn


def test_context_when_every_input_exists_then_every_section_is_filled(report, run_outputs):
    data, _, context = report
    assert context["missing"] == []
    assert not context["sample_data"]
    performance = {r["label"]: r for r in context["performance"]["rows"]}
    expected = data.summary["strategy_metrics"]["sharpe"]
    assert performance["Sharpe"]["strategy"] == f"{expected:.2f}"
    assert performance["PnL"]["strategy"] == formatted(data.summary["strategy_metrics"]["pnl"],
                                                      "dollars")
    signals = context["signals"]
    target = run_outputs.weights.iloc[-1]
    assert (signals["long"], signals["short"]) == ((target > 0).sum(), (target < 0).sum())
    assert [p["ticker"] for p in signals["positions"]] == ["AAPL", "MSFT", "TSLA"]
    assert signals["excluded"] == [{"ticker": "XOM", "reason": "RSI below 50: no confirmation"}]
    assert [r["ticker"] for r in signals["rebalance"]] == ["JPM", "MSFT", "TSLA"]
    assert context["deep_dive"]["ticker"] == "TSLA"
    assert [row["label"] for row in context["deep_dive"]["latest"]][:2] == ["close", "MA 20"]
    assert context["model"]["columns"] == MODEL_SCORES
    assert [r["name"] for r in context["model"]["rows"]] == ["model", "always_up"]


def test_context_when_model_figure_recorded_but_absent_then_it_is_not_linked(report):
    assert report[2]["model"]["figures"] == ["figures/model_roc_TSLA.png"]


def test_quality_when_records_have_findings_then_counts_match_the_records(report, run_outputs):
    quality = report[2]["quality"]
    assert quality["tickers"] == len(run_outputs.quality)
    flagged = {r["ticker"] for r in run_outputs.quality
               if any(rule["count"] for rule in r["rules"].values())}
    assert quality["with_findings"] == len(flagged)
    gaps = next(f for f in quality["findings"] if f["ticker"] == "AAPL")
    assert (gaps["rule"], gaps["count"]) == ("missing_sessions", len(AAPL_GAPS))
    assert gaps["dates"] == ", ".join(AAPL_GAPS)
    rules = {r["rule"]: r for r in quality["rules"]}
    assert rules["missing_sessions"]["rows"] == sum(
        r["rules"]["missing_sessions"]["count"] for r in run_outputs.quality)


def test_alerts_when_log_has_other_dates_then_only_this_runs_alerts_shown(report, run_outputs):
    shown = report[2]["alerts"]
    assert [a["task"] for a in shown] == ["ValidatePrices", "ExecuteTrades"]
    assert [a["critical"] for a in shown] == [False, True]
    assert shown[0]["error"].startswith("SchemaMismatch: XOM.csv")
    assert "ticker=XOM" in shown[0]["parameters"]


def test_history_when_log_has_rows_then_latest_runs_listed(report):
    assert [r["run_date"] for r in report[2]["history"]] == ["2025-10-07", "2025-10-08"]


def test_provenance_when_made_from_csv_then_source_and_versions_listed(report):
    rows = {r["label"]: r["value"] for r in report[2]["provenance"]}
    assert rows["data source"] == "csv"
    assert rows["synthetic sample data"] == "no"
    assert rows["run date"] == "2025-10-08"
    assert rows["report made by code version"]
    assert rows["report parameter dpi"] == str(DPI)


def test_context_when_sample_source_then_sample_flag_set(sample_run_outputs):
    data = load_report(sample_run_outputs.sources)
    assert data.sample_data
    assert report_context(data, {}, {})["sample_data"]


def test_sections_when_inputs_absent_then_left_out_listed_and_not_charted(run_outputs):
    sources = without(run_outputs, "performance", "target_weights", "deep_dive_features",
                      "model_metrics")
    data = load_report(sources)
    drawn = draw_charts(data, DPI, 63)
    context = report_context(data, drawn, {})
    assert drawn == {}
    assert [context[s] for s in ("performance", "signals", "deep_dive", "model")] == [None] * 4
    assert len(context["missing"]) == 4
    assert any("/nonexistent/performance" in line for line in context["missing"])
    assert context["quality"]["tickers"] == len(run_outputs.quality)


def test_load_when_performance_lacks_a_column_then_error_names_file_and_column(run_outputs,
                                                                             tmp_path):
    broken = tmp_path / "performance.parquet"
    frame = read_parquet(run_outputs.sources.performance).drop(columns="benchmark_returns")
    write_parquet(frame, broken, read_provenance(run_outputs.sources.performance))
    with pytest.raises(ValueError, match=rf"{broken}: column benchmark_returns missing"):
        load_report(replace(run_outputs.sources, performance=broken))


@pytest.mark.parametrize(("value", "unit", "text"), [
    (0.1234, "percent", "12.34 %"), (-1234567.4, "dollars", "-$1,234,567"),
    (0.208, "cents", "$0.21"),
    (1.456, "ratio", "1.46"), (None, "ratio", "–"), (float("nan"), "percent", "–"),
    (0.51234, "score", "0.512")])
def test_formatted_when_value_given_then_printed_in_its_unit(value, unit, text):
    assert formatted(value, unit) == text


ENDED_NOTES = ["JPM: data ends 2024-05-15 while held (target 3.2 % of equity); closed at its "
               "last close 123.45 on 2024-05-15",
               "benchmark SPY ends 2025-10-07, 1 session before the backtest's end 2025-10-08: "
               "its figures stop there"]


def ended_benchmark(run_outputs, sessions: int = 30):
    """The run's report inputs with the benchmark's last ``sessions`` returns missing and
    the backtest's notes saying so."""
    data = load_report(run_outputs.sources)
    data.performance = data.performance.copy()
    data.performance.iloc[-sessions:, data.performance.columns.get_loc("benchmark_returns")] = \
        np.nan
    data.summary = {**data.summary, "notes": ENDED_NOTES}
    return data


def test_context_when_the_backtest_has_notes_then_they_are_listed_for_the_first_page(
        run_outputs):
    data = ended_benchmark(run_outputs)

    context = report_context(data, draw_charts(data, DPI, 63), {})

    assert context["data_notes"] == ENDED_NOTES


def test_charts_when_the_benchmark_ends_early_then_every_chart_is_still_drawn(run_outputs):
    drawn = draw_charts(ended_benchmark(run_outputs), DPI, 63)

    assert set(drawn) == set(CHART_PATHS.values())


def test_context_when_the_summary_has_no_notes_then_none_are_listed(report):
    assert report[2]["data_notes"] == []


def test_context_when_daily_report_then_no_model_section_and_nothing_missing(run_outputs):
    data = load_report(replace(run_outputs.sources, model_metrics=None))

    context = report_context(data, {}, {})

    assert context["model"] is None
    assert context["missing"] == []
    assert context["title"] == "Momentum pipeline daily report"


def test_context_when_research_report_then_its_own_title(report):
    assert report[2]["title"] == "Momentum research report"


def test_missing_when_inputs_under_the_data_root_then_paths_are_relative_to_it(run_outputs):
    root = run_outputs.sources.root
    sources = replace(run_outputs.sources, performance=root / "backtest_results" / "gone.parquet",
                      target_weights=root / "signals" / "gone.parquet")

    missing = load_report(sources).missing

    assert any("(backtest_results/gone.parquet)" in line for line in missing)
    assert any("(signals/gone.parquet)" in line for line in missing)
    assert not any(str(root) in line for line in missing)


def test_performance_when_costs_recorded_then_commissions_rebalances_and_relative_figures(report):
    data, _, context = report
    performance = context["performance"]
    paid = COMMISSION_PER_SESSION * len(data.performance)
    assert performance["costs"]["paid"] == formatted(paid, "cents")
    assert performance["costs"]["paid_share"] == formatted(paid / CAPITAL, "percent")
    assert performance["costs"]["commission"] == (
        f"${data.summary['costs']['commission_rate']:g} per share")
    assert performance["rebalances"] == data.summary["rebalances"]
    expected = against_benchmark(data.performance["returns"],
                                 data.performance["benchmark_returns"])
    relative = {r["label"]: r["strategy"] for r in performance["relative"]}
    assert relative["Beta"] == formatted(expected["beta"], "ratio")
    assert relative["Information ratio"] == formatted(expected["information_ratio"], "ratio")


def test_performance_when_years_are_listed_then_excess_is_strategy_less_benchmark(report):
    data, _, context = report
    strategy = yearly_returns(data.performance["returns"])
    benchmark = yearly_returns(data.performance["benchmark_returns"])
    yearly = context["performance"]["yearly"]
    assert [r["year"] for r in yearly] == [str(y) for y in strategy.index]
    last = strategy.index[-1]
    assert yearly[-1]["excess"] == formatted(strategy[last] - benchmark[last], "percent")


def test_signals_when_the_last_session_changed_nothing_then_the_last_rebalance_is_shown(
        run_outputs):
    data = load_report(run_outputs.sources)
    data.weights = data.weights.copy()
    data.weights.iloc[-1] = data.weights.iloc[-2]  # mid-month: the targets hold
    data.rebalance = data.rebalance.iloc[:0]

    signals = report_context(data, {}, {})["signals"]

    last = signals["last_rebalance"]
    assert last["date"] == data.weights.index[-2].date().isoformat()
    assert [(t["ticker"], t["action"]) for t in last["trades"]] == [("AAPL", "BUY"),
                                                                    ("JPM", "BUY")]
    assert [t["target_weight"] for t in last["trades"]] == ["30.00 %", "25.00 %"]


def test_signals_when_the_last_session_rebalanced_then_its_own_list_is_shown_alone(report):
    signals = report[2]["signals"]
    assert signals["rebalance"] and signals["last_rebalance"] is None


def test_context_when_an_alert_names_a_file_in_the_data_root_then_it_is_shown_relative(
        run_outputs):
    data = load_report(run_outputs.sources)
    root = run_outputs.sources.root
    data.alerts = [replace(data.alerts[0], error=f"OSError: disk full: {root}/reports/x.pdf")]

    [alert] = report_context(data, {}, {})["alerts"]

    assert alert["error"] == "OSError: disk full: reports/x.pdf"
