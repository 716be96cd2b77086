#!/usr/bin/env bash
# A FIX dry run to watch: order_engine_fix_simulator (a QuickFIX acceptor) on loopback,
# filling at the run date's closes, with a session file for the engine beside it, under
# <root>/fix-simulator/. Prints the ExecuteTrades command to run in another shell and
# runs the simulator in the foreground (Ctrl-C stops it); flags after the date go to
# the simulator (--partial 3, --reject AAPL, --delay-ms 500, --drop-after 2).
#
#   scripts/fix-simulator.sh ROOT DATE [SIMULATOR FLAGS...]
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: scripts/fix-simulator.sh ROOT DATE [SIMULATOR FLAGS...]" >&2; exit 2; }
root=$(realpath "$1") date=$2
shift 2
bin=${VENV:-.venv}/bin
simulator=$bin/order_engine_fix_simulator
[[ -x $simulator ]] || { echo "fix-simulator: no $simulator: install libquickfix-dev" \
  "(scripts/system-deps.sh test), then reinstall the package (make demo)" >&2; exit 1; }
cleaned=$root/data/cleaned/$date
[[ -d $cleaned ]] || { echo "fix-simulator: no cleaned prices in $cleaned: run the pipeline for $date first" >&2; exit 1; }
work=$root/fix-simulator
port=${FIX_SIMULATOR_PORT:-9878}
mkdir -p "$work"
"$bin/python" - "$cleaned" "$work/prices.csv" <<'PY'
import sys
from pathlib import Path

import pandas as pd

cleaned, out = Path(sys.argv[1]), Path(sys.argv[2])
rows = [f"{p.stem},{pd.read_parquet(p, columns=['close'])['close'].iloc[-1]:.4f}"
        for p in sorted(cleaned.glob("*.parquet"))]
out.write_text("\n".join(rows) + "\n")
PY
"$bin/python" -c 'import sys; from pathlib import Path
from momentum_pipeline.execution.session import simulator_session
settings = simulator_session(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
settings.write_text(settings.read_text() + f"FileLogPath={sys.argv[4]}\n")' \
  "$work/session.cfg" "$work/engine-store" "$port" "$work/engine-log"
echo "fix-simulator: filling at the closes of $date ($work/prices.csv) on port $port; in another shell:"
echo "  $bin/luigi --module tasks ExecuteTrades --local-scheduler --paths-root $root --date $date \\"
echo "    --confirm $date --venue fix --execution-fix-settings $work/session.cfg"
echo "fix-simulator: orders received in $work/orders.log, messages in $work/simulator-log"
exec "$simulator" --port "$port" --prices "$work/prices.csv" --store "$work/simulator-store" \
  --orders-log "$work/orders.log" --log "$work/simulator-log" "$@"
