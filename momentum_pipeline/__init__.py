"""Domain logic of momentum-pipeline: plain functions on data frames.

The Luigi tasks in ``tasks/`` only wire these functions to files; everything here
can be called and tested without a scheduler.
"""

__version__ = "0.1.0"
