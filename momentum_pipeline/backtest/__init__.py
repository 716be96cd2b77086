"""Backtest of the momentum target weights.

* :mod:`~momentum_pipeline.backtest.bundle`: the run's cleaned bars as a zipline bundle;
* :mod:`~momentum_pipeline.backtest.algorithm`: the zipline algorithm trading the weights;
* :mod:`~momentum_pipeline.backtest.vectorised`: the same strategy in numpy, an
  independent check of zipline's result and a tool for fast parameter sweeps;
* :mod:`~momentum_pipeline.backtest.performance`: metric functions (Sharpe, drawdown, ...).
"""
