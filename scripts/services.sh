#!/usr/bin/env bash
# Runs the shop's services in the background for `make run`: start [names|all] | stop | status.
# One node process runs the requested services; its pid and log live under .stack/services/.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.stack/services
pidfile=$dir/services.pid
log=$dir/services.log
mkdir -p "$dir"

running() { [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

stop() {
  running || { rm -f "$pidfile"; return 0; }
  local pid; pid=$(cat "$pidfile")
  kill -TERM "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { echo "services: pid $pid did not stop in 15 s; killing" >&2; kill -KILL "$pid"; }
  rm -f "$pidfile"
  echo "services: stopped"
}

start() {
  # Service defaults already point at the local stack (see `make config-doc`); env overrides win.
  # Local runs get an admin token (for WarmUp/Release/dead-letter replay) kept in .stack/admin-token.
  [[ -s .stack/admin-token ]] || node -e 'console.log(require("crypto").randomBytes(18).toString("base64url"))' >.stack/admin-token
  export ADMIN_TOKEN=${ADMIN_TOKEN:-$(cat .stack/admin-token)}
  # …and a session-signing key for the gateway, kept in .stack/gateway-session-secret.
  [[ -s .stack/gateway-session-secret ]] || node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))' >.stack/gateway-session-secret
  export GATEWAY_SESSION_SECRET=${GATEWAY_SESSION_SECRET:-$(cat .stack/gateway-session-secret)}
  stop >/dev/null
  node --enable-source-maps dist/src/main.js "$@" >>"$log" 2>&1 &
  echo $! >"$pidfile"
  # wait until every service answers health SERVING (or the process died)
  for _ in $(seq 1 120); do
    running || { echo "services: exited during start-up; last lines of $log:" >&2; tail -n 20 "$log" >&2; exit 1; }
    if npx --no-install tsx scripts/smoke.ts "$@" >/dev/null 2>&1; then
      npx --no-install tsx scripts/smoke.ts "$@"
      echo "services: running (pid $(cat "$pidfile")); log: $log; stop with 'make stop'"
      return 0
    fi
    sleep 1
  done
  echo "services: not all SERVING after 120 s; see $log" >&2
  exit 1
}

case "${1:-}" in
  start) shift; start "${@:-all}" ;;
  stop) stop ;;
  status) running && echo "services: running (pid $(cat "$pidfile"))" || echo "services: stopped" ;;
  *) echo "usage: $0 start [service...|all] | stop | status" >&2; exit 2 ;;
esac
