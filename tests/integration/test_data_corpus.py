"""The corpus of real-export layouts and defects (tests/corpus.py): each case's file,
made at test time, read as the pipeline reads it, gives its expected outcome."""

from __future__ import annotations

import pytest

from tests.corpus import CASES, outcome_of


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_when_file_read_then_expected_outcome_with_its_key_words(case, tmp_path):
    path = case.make(tmp_path)
    outcome = outcome_of(path, case.ticker, resample_intraday=case.resample_intraday)
    assert outcome.kind == case.outcome, outcome.detail
    missing = [word for word in case.words if word not in outcome.detail]
    assert not missing, f"{missing} not in: {outcome.detail}"
