"""Task logs: one file per task family under the current data root."""

from __future__ import annotations

from tasks.base import task_logger


def test_task_logger_when_data_root_changes_then_lines_go_to_the_new_root_only(
        pipeline_config, tmp_path):
    task_logger("FetchPrices").info("first root")
    pipeline_config.set("paths", "root", tmp_path / "other")
    task_logger("FetchPrices").info("second root")
    first = (tmp_path / "var" / "logs" / "FetchPrices.log").read_text()
    second = (tmp_path / "other" / "logs" / "FetchPrices.log").read_text()
    assert "first root" in first and "second root" not in first
    assert "second root" in second and "first root" not in second
