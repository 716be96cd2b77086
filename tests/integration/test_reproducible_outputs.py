"""The same run into two data roots writes the same bytes: no output holds the root's
path or anything else that differs between runs (zipline's SQLite, the PDF's images)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REAL_OHLCV, run_cli

#: SPY's last bar: a day whose run raises no alert (an alert's time is in the report).
RUN_DATE = "2025-10-07"
#: What differs by design: the task logs' timestamps, and the lock naming its holder.
NOT_OUTPUTS = ("logs/", "state/root.lock")


def outputs(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not str(p.relative_to(root)).startswith(NOT_OUTPUTS)}


def test_daily_pipeline_when_run_into_two_roots_then_every_output_is_byte_identical(tmp_path):
    roots = (tmp_path / "a" / "var", tmp_path / "b" / "deeper" / "root")
    for root in roots:
        result = run_cli("DailyPipeline", "--local-scheduler", "--date", RUN_DATE,
                         "--paths-root", str(root),
                         "--data-source", "csv", "--data-csv-dir", str(REAL_OHLCV))
        assert result.returncode == 0, result.stderr[-3000:]
    first, second = (outputs(root) for root in roots)
    assert sorted(first) == sorted(second)
    assert len(first) > 1000 and any(name.endswith(".pdf") for name in first)
    assert [name for name in first if first[name] != second[name]] == []
    for name, data in first.items():
        assert str(roots[0]).encode() not in data, name
