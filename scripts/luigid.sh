#!/usr/bin/env bash
# The central scheduler (UI, task history, coordination of workers on many hosts),
# with its state, log and task history under the data root:
#
#   scripts/luigid.sh [--port N] [--address A] [--state-path FILE] [DATA_ROOT]
#
#   DATA_ROOT     where luigid/ (state, logs, task history) goes; default var
#   --port        default 8082 (or LUIGID_PORT)
#   --address     default 127.0.0.1 (or LUIGID_ADDRESS): this host only; 0.0.0.0 for
#                 workers on other hosts, behind a firewall (the API has no login)
#   --state-path  the scheduler's state file, kept across restarts; default
#                 DATA_ROOT/luigid/state.pickle
#
# PYTHON is the interpreter with the project installed (default python3).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
address=${LUIGID_ADDRESS:-127.0.0.1}
port=${LUIGID_PORT:-8082}
state_path=
root=var
while (($#)); do
  case $1 in
    --port) port=$2; shift 2 ;;
    --address) address=$2; shift 2 ;;
    --state-path) state_path=$(realpath -m "$2"); shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "luigid.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) root=$1; shift ;;
  esac
done
root=$(realpath -m "$root")
state_path=${state_path:-$root/luigid/state.pickle}
# luigid --logdir must exist before it starts; the state file's folder too.
mkdir -p "$root/luigid/logs" "$(dirname "$state_path")"
export MOMENTUM_DATA_ROOT=$root
export LUIGI_CONFIG_PATH=$repo/deploy/luigid.cfg
cd "$repo"  # luigi.cfg (the retry policy) is read from here, deploy/luigid.cfg after it
# tasks.commands.luigid: luigid with its task history working on SQLAlchemy 2.
exec "${PYTHON:-python3}" -m tasks.commands.luigid --address "$address" --port "$port" \
  --state-path "$state_path" --logdir "$root/luigid/logs"
