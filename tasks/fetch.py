"""FetchPrices: the raw daily bars of one ticker, as its source delivered them."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from momentum_pipeline.foundation.layout import Layout
from tasks.base import TickerStage
from tasks.targets import DataTarget
from tasks.config import data
from tasks.universe import sector_of

#: What each source needs preloaded before workers fork; only the configured source's,
#: as the sample market imports scipy and the yahoo source yfinance, both slow.
SOURCE_PRELOAD = {
    "sample": ("momentum_pipeline.sources.sample", "momentum_pipeline.foundation.calendar:session_days"),
    "csv": ("momentum_pipeline.sources.csvdir:warm_up",),
    "yahoo": ("momentum_pipeline.sources.yahoo",),
}


def csv_file_fingerprint(csv_dir: Path | None, ticker: str) -> dict[str, str | None]:
    """The file that would be read for ``ticker`` and the SHA-256 of its bytes
    (``None`` for a file not there yet: adding it changes the fingerprint)."""
    from momentum_pipeline.sources import SourceError
    from momentum_pipeline.sources.csv_files import csv_path
    from tasks.completion import file_digest

    if csv_dir is None:
        return {"file": None, "sha256": None}
    try:
        path = csv_path(csv_dir, ticker)
    except SourceError:
        return {"file": None, "sha256": None}
    return {"file": str(path), "sha256": file_digest(path)}


class FetchPrices(TickerStage):
    """Raw bars for ``ticker`` up to the run date -> ``data/raw/<date>/<TICKER>.parquet``.

    The ``yahoo`` source retries rate limits, time-outs and dropped connections
    ``--data-yahoo-retries`` (3) times with exponential backoff (2, 4, 8 s; inside the
    task, with tenacity); any other failure, or the last transient one, fails the task
    and raises an alert.
    """

    @property
    def preload(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("momentum_pipeline.foundation.frames:warm_up", "momentum_pipeline.foundation.provenance:code_version",
                *SOURCE_PRELOAD[data().source])

    def output(self) -> DataTarget:
        return self.target(Layout.RAW, f"{self.ticker}.parquet")

    reads = (data,)

    @functools.cached_property
    def source_settings(self) -> data:
        """The ``[data]`` settings, read once per task (each read parses the configuration)."""
        return data()

    def external_inputs(self) -> dict[str, Any]:
        """The source and its history window; for ``csv``, the file's bytes (so a fixed or
        replaced file is read again), for ``sample``, its seed. Yahoo is fetched once per
        run date: a rerun does not download again unless the fetch failed."""
        settings = self.source_settings
        inputs: dict[str, Any] = {"source": settings.source, "start": settings.start.isoformat()}
        if settings.source == "sample":
            inputs["seed"] = settings.sample_seed
        if settings.source == "csv":
            inputs.update(csv_file_fingerprint(settings.csv_dir, self.ticker),
                          resample_intraday=settings.resample_intraday)
        return inputs

    def watched_paths(self) -> tuple[Path, ...]:
        """The csv folder (a file added, removed or renamed) and the names the ticker's
        file may have (its content changed)."""
        from momentum_pipeline.sources.csv_files import csv_file_names

        settings = self.source_settings
        if settings.source != "csv" or settings.csv_dir is None:
            return ()
        folder = Path(settings.csv_dir)
        return (folder, *(folder / name for name in csv_file_names(self.ticker)))

    def produce(self) -> None:
        from momentum_pipeline.foundation.provenance import Provenance

        fetched = self.fetch()
        provenance = Provenance(
            task=self.task_id, source=fetched.source, sample_data=fetched.sample_data,
            parameters={**self.parameters(), "start": self.source_settings.start.isoformat()},
            inputs=fetched.details, retrieved_at=fetched.retrieved_at)
        self.output().write_frame(fetched.frame, provenance)
        self.log.info("%s: %d rows from %s", self.ticker, len(fetched.frame), fetched.source)
        after = fetched.details.get("rows_after_run_date", {})
        if after.get("count"):
            self.log.info("%s: %d rows dated after the run date %s left out (%s to %s)",
                          self.ticker, after["count"], self.date, after["first"], after["last"])
        for note in fetched.details.get("layout", {}).get("notes", []):
            self.log.info("%s: read with a repair: %s", self.ticker, note)

    def fetch(self):
        settings = self.source_settings
        start, end = settings.start, self.date
        if settings.source == "yahoo":
            from momentum_pipeline.sources.yahoo import RetryPolicy, fetch_yahoo
            policy = RetryPolicy(retries=settings.yahoo_retries,
                                 base_delay=settings.yahoo_retry_delay)
            return fetch_yahoo(self.ticker, start, end, policy=policy, logger=self.log)
        if settings.source == "csv":
            from momentum_pipeline.sources.csvdir import fetch_csv
            if settings.csv_dir is None:
                raise ValueError("--data-source csv needs --data-csv-dir (a folder of <TICKER>.csv)")
            return fetch_csv(settings.csv_dir, self.ticker, start, end,
                             resample_intraday=settings.resample_intraday)
        from momentum_pipeline.sources.sample import fetch_sample
        return fetch_sample(self.ticker, sector_of(self.ticker), start, end,
                            settings.sample_seed)
