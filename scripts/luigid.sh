#!/usr/bin/env bash
# The central scheduler (UI, task history, coordination of workers on many hosts),
# with its state, log and task history under the data root:
#
#   scripts/luigid.sh [DATA_ROOT]        default: var
#
# PYTHON is the interpreter with the project installed (default python3).
# Listens on LUIGID_ADDRESS:LUIGID_PORT (default 127.0.0.1:8082: this host only;
# 0.0.0.0 for workers on other hosts, behind a firewall: the API has no login).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
root=$(realpath -m "${1:-var}")
# luigid --logdir must exist before it starts; the state file's folder too.
mkdir -p "$root/luigid/logs"
export MOMENTUM_DATA_ROOT=$root
export LUIGI_CONFIG_PATH=$repo/deploy/luigid.cfg
cd "$repo"  # luigi.cfg (the retry policy) is read from here, deploy/luigid.cfg after it
# tasks.commands.luigid: luigid with its task history working on SQLAlchemy 2.
exec "${PYTHON:-python3}" -m tasks.commands.luigid --address "${LUIGID_ADDRESS:-127.0.0.1}" \
  --port "${LUIGID_PORT:-8082}" --logdir "$root/luigid/logs"
