#!/usr/bin/env bash
# The automated daily run, for cron and the systemd timer: DailyPipeline (fetch
# through report; never ExecuteTrades) for the latest NYSE session whose bars have
# settled (python -m tasks.commands.schedule). On a weekend or holiday that session is
# already done and the run is a no-op.
#
#   scripts/run-daily.sh [luigi flags...]      e.g. --data-source yahoo
#
# PYTHON (default .venv/bin/python), MOMENTUM_ROOT (data root, default var), WORKERS
# (default 2), LUIGID_HOST / LUIGID_PORT (default: the local scheduler), RUN_DATE
# (default: from the NYSE calendar), TASK_TIMEOUT (seconds a task may run before it
# is terminated and alerted as timed out, default 3600; tasks run in their own
# processes with 2 workers anyway, so the time-out costs nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
run_date=${RUN_DATE:-$("$python" -m tasks.commands.schedule)}
scheduler=(--local-scheduler)
if [[ -n ${LUIGID_HOST:-} ]]; then
  scheduler=(--scheduler-host "$LUIGID_HOST" --scheduler-port "${LUIGID_PORT:-8082}")
fi
echo "run-daily: DailyPipeline for $run_date"
exec "$(dirname "$python")/luigi" --module tasks DailyPipeline --date "$run_date" \
  --workers "${WORKERS:-2}" --worker-timeout "${TASK_TIMEOUT:-3600}" --paths-root "${MOMENTUM_ROOT:-var}" "${scheduler[@]}" "$@"
