from __future__ import annotations

import logging

import pytest

from tasks.report import retry_once_on_io_error

log = logging.getLogger("test.report.retry")


class Flaky:
    """Fails with the given errors in turn, then returns "written"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors, self.calls = list(errors), 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "written"


def test_retry_when_one_io_error_then_second_attempt_succeeds(caplog):
    action = Flaky(OSError(28, "No space left on device"))
    with caplog.at_level("WARNING", logger=log.name):
        assert retry_once_on_io_error(action, log) == "written"
    assert action.calls == 2
    assert "retrying once" in caplog.text and "No space left" in caplog.text


def test_retry_when_io_error_twice_then_it_is_raised_after_two_attempts():
    action = Flaky(OSError("first"), OSError("second"))
    with pytest.raises(OSError, match="second"):
        retry_once_on_io_error(action, log)
    assert action.calls == 2


def test_retry_when_not_an_io_error_then_raised_at_once():
    action = Flaky(ValueError("bad input"))
    with pytest.raises(ValueError, match="bad input"):
        retry_once_on_io_error(action, log)
    assert action.calls == 1
