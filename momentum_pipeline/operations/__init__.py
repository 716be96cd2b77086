"""Running the pipeline unattended: alerts, the daily performance log, one run per data root."""
