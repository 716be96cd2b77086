"""Command-line helpers beside the Luigi tasks: ``python -m tasks.commands.<name>``
(``where`` a run's outputs are, ``luigid`` with task history, ``schedule``'s run date,
``deadman``'s check of the day's deadline, ``prune``'s retention of run dates)."""
