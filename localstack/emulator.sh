#!/usr/bin/env bash
# Brings up an AWS emulator for tests, the demo and CI, and prints its endpoint.
#
#   localstack/emulator.sh start    print the endpoint of a healthy emulator, starting moto if needed
#   localstack/emulator.sh stop     stop the moto server this script started
#   localstack/emulator.sh status   print the endpoint and exit 0 when one is healthy, else exit 1
#   localstack/emulator.sh venv     create the project-local moto virtual environment only
#
# When AWS_ENDPOINT_URL already points at a healthy LocalStack or moto, that one is used and
# nothing is started. Otherwise moto server (pinned below) runs from a virtual environment under
# the repository, created on first use, bound to 127.0.0.1 on a free port. A second `start`
# reuses the running server.
set -euo pipefail

MOTO_VERSION=5.2.5
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${PROVISIONER_MOTO_VENV:-$root/.venv-moto}
state=${PROVISIONER_EMULATOR_DIR:-$root/.emulator}

log() { echo "emulator: $*" >&2; }

healthy() { # $1 = endpoint; LocalStack answers /_localstack/health, moto /moto-api/data.json
  curl -fsS -m 2 -o /dev/null "$1/_localstack/health" 2>/dev/null ||
    curl -fsS -m 2 -o /dev/null "$1/moto-api/data.json" 2>/dev/null
}

ensure_venv() {
  if [ -x "$venv/bin/moto_server" ] && "$venv/bin/python" -c "import moto,sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    return 0
  fi
  log "creating $venv with moto[server]==$MOTO_VERSION (first use only)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

running_endpoint() {
  [ -f "$state/endpoint" ] || return 1
  local ep; ep=$(cat "$state/endpoint")
  healthy "$ep" || return 1
  echo "$ep"
}

start() {
  if [ -n "${AWS_ENDPOINT_URL:-}" ] && healthy "$AWS_ENDPOINT_URL"; then
    echo "$AWS_ENDPOINT_URL"; return 0
  fi
  [ -n "${AWS_ENDPOINT_URL:-}" ] && log "AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL does not answer; starting moto instead"
  if running_endpoint; then return 0; fi
  ensure_venv
  mkdir -p "$state"
  local port ep
  port=$(free_port)
  ep="http://127.0.0.1:$port"
  # setsid: the server outlives the shell (and a Ctrl-C) that started it, until `stop`.
  setsid nohup "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$state/moto.log" 2>&1 </dev/null &
  echo $! >"$state/pid"
  for _ in $(seq 1 150); do
    if healthy "$ep"; then
      echo "$ep" >"$state/endpoint"
      log "moto $MOTO_VERSION ready at $ep (log: $state/moto.log)"
      echo "$ep"; return 0
    fi
    if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then
      log "moto exited during start; last lines of $state/moto.log:"; tail -20 "$state/moto.log" >&2; return 1
    fi
    sleep 0.2
  done
  log "moto did not answer at $ep within 30s"; return 1
}

stop() {
  if [ -f "$state/pid" ]; then
    local pid; pid=$(cat "$state/pid")
    if kill "$pid" 2>/dev/null; then log "stopped moto (pid $pid)"; fi
    rm -f "$state/pid" "$state/endpoint"
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) running_endpoint || { [ -n "${AWS_ENDPOINT_URL:-}" ] && healthy "$AWS_ENDPOINT_URL" && echo "$AWS_ENDPOINT_URL"; } ;;
  venv) ensure_venv; echo "$venv" ;;
  *) echo "usage: $0 start|stop|status|venv" >&2; exit 2 ;;
esac
