"""Luigi tasks of momentum-pipeline: ``luigi --module tasks <Task> ...``.

Importing this package stays cheap (no pandas, zipline or scikit-learn at import
time) so a rerun with nothing to do finishes in about a second.
"""

from tasks import alerts  # noqa: F401  (registers the failure alert handler)
from tasks.fetch import FetchPrices
from tasks.pipeline import DailyPipeline
from tasks.validate import ValidatePrices

__all__ = ["DailyPipeline", "FetchPrices", "ValidatePrices"]
