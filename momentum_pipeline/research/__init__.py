"""Research: parameter sweeps of the strategy (:mod:`.sweep`) and the statistics that
say how much of the best result is luck (:mod:`.statistics`)."""
