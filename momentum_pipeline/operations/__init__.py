"""Running the pipeline unattended: alerts and the daily performance log."""
