"""Execution: the day's target weights turned into orders (:mod:`.orders`), run through
the C++ order engine's risk checks, paper venue and journal (:mod:`.session`), and
reported (:mod:`.report`). This module stays free of heavy imports: Luigi reads the
report's file names from it at start-up."""

#: The files of ``executions/<date>/``, ``summary.json`` (written last) marking completion.
REPORT_FILES = ("orders.csv", "fills.csv", "rejections.csv", "positions.csv", "summary.json")
