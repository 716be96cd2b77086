"""FetchPrices: the raw daily bars of one ticker, as its source delivered them."""

from __future__ import annotations

import luigi

from tasks.base import TickerTask, atomic_path
from tasks.config import data
from tasks.universe import sector_of

#: What each source needs preloaded before workers fork; only the configured source's,
#: as the sample market imports scipy and the yahoo source yfinance, both slow.
SOURCE_PRELOAD = {
    "sample": ("momentum_pipeline.sources.sample", "momentum_pipeline.calendar:session_days"),
    "csv": ("momentum_pipeline.sources.csvdir:warm_up",),
    "yahoo": ("momentum_pipeline.sources.yahoo",),
}


class FetchPrices(TickerTask):
    """Raw bars for ``ticker`` up to the run date -> ``data/raw/<date>/<TICKER>.parquet``.

    The ``yahoo`` source retries rate limits, time-outs and dropped connections
    ``--data-yahoo-retries`` (3) times with exponential backoff (2, 4, 8 s; inside the
    task, with tenacity); any other failure, or the last transient one, fails the task
    and raises an alert.
    """

    @property
    def preload(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("momentum_pipeline.frames:warm_up", "momentum_pipeline.provenance:code_version",
                *SOURCE_PRELOAD[data().source])

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(self.dated_path("data/raw", f"{self.ticker}.parquet")))

    def run(self) -> None:
        from momentum_pipeline.frames import write_parquet
        from momentum_pipeline.provenance import Provenance

        fetched = self.fetch()
        provenance = Provenance(
            task=self.task_id, source=fetched.source, sample_data=fetched.sample_data,
            parameters={**self.parameters(), "start": data().start.isoformat()},
            inputs=fetched.details, retrieved_at=fetched.retrieved_at)
        with atomic_path(self.output().path) as tmp:
            write_parquet(fetched.frame, tmp, provenance)
        self.log.info("%s: %d rows from %s", self.ticker, len(fetched.frame), fetched.source)

    def fetch(self):
        settings = data()
        start, end = settings.start, self.date
        if settings.source == "yahoo":
            from momentum_pipeline.sources.yahoo import RetryPolicy, fetch_yahoo
            policy = RetryPolicy(retries=settings.yahoo_retries,
                                 base_delay=settings.yahoo_retry_delay)
            return fetch_yahoo(self.ticker, start, end, policy=policy)
        if settings.source == "csv":
            from momentum_pipeline.sources.csvdir import fetch_csv
            if settings.csv_dir is None:
                raise ValueError("--data-source csv needs --data-csv-dir (a folder of <TICKER>.csv)")
            return fetch_csv(settings.csv_dir, self.ticker, start, end)
        from momentum_pipeline.sources.sample import fetch_sample
        return fetch_sample(self.ticker, sector_of(self.ticker), start, end,
                            settings.sample_seed)
