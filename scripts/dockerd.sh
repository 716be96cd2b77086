#!/usr/bin/env bash
# Start a Docker engine for the container tests when none is running, or stop the
# one this script started. Idempotent: `start` leaves a running engine alone and
# `stop` only stops an engine whose pid this script recorded.
#
#   scripts/dockerd.sh start   # returns once `docker info` answers
#   scripts/dockerd.sh stop
set -euo pipefail
state=${DOCKERD_STATE_DIR:-/tmp/momentum-dockerd}
pidfile=$state/dockerd.pid

engine_answers() { docker info >/dev/null 2>&1; }

start() {
  if engine_answers; then
    echo "dockerd.sh: a Docker engine is already running"
    return
  fi
  mkdir -p "$state"
  command -v dockerd >/dev/null || { echo "dockerd.sh: dockerd not found (apt-get install docker.io)" >&2; exit 1; }
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" dockerd --pidfile "$state/dockerd.engine.pid" >"$state/dockerd.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 60); do
    if engine_answers; then
      echo "dockerd.sh: started dockerd (pid $(cat "$pidfile"), log $state/dockerd.log)"
      return
    fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || break
    sleep 0.5
  done
  echo "dockerd.sh: dockerd did not answer within 30 s; last lines of $state/dockerd.log:" >&2
  tail -n 20 "$state/dockerd.log" >&2
  exit 1
}

stop() {
  [[ -f $pidfile ]] || { echo "dockerd.sh: no engine started by this script"; return; }
  pid=$(cat "$pidfile")
  rm -f "$pidfile"
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    echo "dockerd.sh: stopped dockerd (pid $pid)"
  fi
}

case ${1:-start} in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
