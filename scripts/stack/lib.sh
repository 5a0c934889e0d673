# shellcheck shell=bash
# Shared helpers for scripts/stack.sh: paths, messages, pidfiles, detached spawning, readiness polling, installs.
# Sourced, never executed. Every component script builds on these so start/stop/liveness behave the same everywhere.

STACK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STACK_DIR=${STACK_DIR:-$STACK_ROOT/.stack}
# A second, isolated instance (fault-injection suite) runs beside the default one with its own STACK_DIR and
# every port shifted by STACK_PORT_OFFSET (e.g. 1000: Redis 7390, MariaDB 4316, namesrv 10876, gRPC proxy 9081).
STACK_PORT_OFFSET=${STACK_PORT_OFFSET:-0}
if ! [[ $STACK_PORT_OFFSET =~ ^[0-9]{1,5}$ ]] || ((10#$STACK_PORT_OFFSET > 40000)); then
  printf 'stack: error: STACK_PORT_OFFSET must be an integer 0-40000, got "%s"\n' "$STACK_PORT_OFFSET" >&2
  exit 1
fi
STACK_PORT_OFFSET=$((10#$STACK_PORT_OFFSET))
# shellcheck disable=SC2034 # used by the component scripts
STACK_SCRIPTS=$STACK_ROOT/scripts

say() { printf 'stack: %s\n' "$*" >&2; }
die() { printf 'stack: error: %s\n' "$*" >&2; exit 1; }
is_root() { [[ $(id -u) == 0 ]]; }

# running <pid>: true while the process exists and is not a zombie (a container's pid 1 may never reap).
running() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

# live_pid <pidfile> <cmdline-fragment>: prints the recorded pid if that process is alive AND still ours
# (its command line contains the fragment), so a recycled pid is never mistaken for, or killed as, ours.
live_pid() {
  local pidfile=$1 fragment=$2 pid
  [[ -s $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] && running "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$fragment" || return 1
  printf '%s\n' "$pid"
}

# spawn <pidfile> <logfile> <cmd...>: starts cmd in its own session with no stdin/TTY (survives the caller,
# immune to Ctrl-C and CI step teardown of the process group) and records the pid of cmd itself.
# A small bash stays as cmd's parent only to reap it: in init-less containers pid 1 (which adopts orphans)
# often never reaps, and a dead daemon would linger as a <defunct> zombie.
# Every inherited fd above 2 is closed first: a daemon holding the caller's pipe (CI log capture,
# `$(scripts/stack.sh up)`, `| tee`) would keep the caller waiting for EOF forever.
spawn() {
  local pidfile=$1 log=$2 waited=0
  shift 2
  rm -f "$pidfile"
  # One log per run (previous kept as .1) so readiness checks never match a line from an earlier run.
  [[ -s $log ]] && mv -f "$log" "$log.1"
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid bash -c '
    for fd in /proc/$$/fd/*; do fd=${fd##*/}; if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi; done
    "$@" & echo $! >"$0.tmp" && mv "$0.tmp" "$0"; wait $!' "$pidfile" "$@" </dev/null >>"$log" 2>&1 &
  until [[ -s $pidfile ]]; do
    ((waited++ < 100)) || die "could not start $1; see $log"
    sleep 0.05
  done
}

# port_open <port>: something accepts TCP connections on 127.0.0.1:<port>.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# require_free_port <what> <port>: refuse to start next to a foreign listener (it would be mistaken for ours).
require_free_port() {
  port_open "$2" && die "$1: port $2 is already in use by a process scripts/stack.sh did not start; stop it first"
  return 0
}

# wait_for <what> <log> <timeout-s> <pid|""> <cmd...>: polls cmd until it succeeds. Fails fast if pid dies,
# and on timeout names the component and its log (with the log's tail, for CI output).
wait_for() {
  local what=$1 log=$2 timeout=$3 pid=$4
  shift 4
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if [[ -n $pid ]] && ! running "$pid"; then
      fail_with_log "$what exited during startup" "$log"
    fi
    ((SECONDS < deadline)) || fail_with_log "$what not ready after ${timeout}s" "$log"
    sleep 0.2
  done
}

fail_with_log() {
  {
    printf 'stack: error: %s; see %s\n' "$1" "$2"
    [[ -f $2 ]] && tail -n 25 "$2" | sed 's/^/  | /'
  } >&2
  exit 1
}

# stop_pid <what> <pidfile> <fragment> [timeout-s]: TERM, wait, then KILL; touches only a pid we recorded.
stop_pid() {
  local what=$1 pidfile=$2 fragment=$3 timeout=${4:-30} pid
  if pid=$(live_pid "$pidfile" "$fragment"); then
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + timeout)) killed=0
    while running "$pid"; do
      if ((SECONDS >= deadline && !killed)); then
        say "$what (pid $pid) ignored TERM for ${timeout}s; sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
        killed=1
      fi
      sleep 0.1
    done
    reaped "$pid"
  fi
  rm -f "$pidfile"
}

# reaped <pid>: give spawn's wrapper a moment to reap the dead daemon, so no <defunct> entry outlives `down`.
reaped() {
  local tries=0
  while [[ -e /proc/$1 ]] && ((tries++ < 40)); do sleep 0.05; done
}

# kill9_pid <what> <pidfile> <fragment>: simulated crash for fault-injection tests (no shutdown hooks run).
kill9_pid() {
  local what=$1 pidfile=$2 fragment=$3 pid
  pid=$(live_pid "$pidfile" "$fragment") || { say "$what is not running"; return 0; }
  kill -KILL "$pid"
  while running "$pid"; do sleep 0.05; done
  reaped "$pid"
  rm -f "$pidfile"
}

# ensure_packages <pkg...>: apt-get installs the Debian packages that are missing (update once, only if needed).
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  command -v apt-get >/dev/null || die "missing packages: ${missing[*]}; install them by hand (no apt-get here)"
  is_root || die "missing packages: ${missing[*]}; run: sudo apt-get install -y ${missing[*]}"
  mkdir -p "$STACK_DIR"
  local log=$STACK_DIR/apt.log
  say "installing ${missing[*]} (apt-get; log $log)"
  local opts=(-q -y -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
  # 9>&-: package scripts may start services; they must not inherit stack.sh's lock.
  DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" update >"$log" 2>&1 9>&- ||
    fail_with_log "apt-get update failed" "$log"
  DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" install --no-install-recommends "${missing[@]}" >>"$log" 2>&1 9>&- ||
    fail_with_log "apt-get install ${missing[*]} failed" "$log"
}

# ensure_hostname: Java's InetAddress.getLocalHost() (RocketMQ's fallback local address) fails if the hostname
# does not resolve; map it to loopback only when it does not.
ensure_hostname() {
  local h
  h=$(hostname 2>/dev/null || cat /etc/hostname 2>/dev/null || true)
  [[ -z $h ]] && return 0
  getent hosts "$h" >/dev/null 2>&1 && return 0
  if is_root && printf '127.0.0.1 %s\n' "$h" >>/etc/hosts 2>/dev/null; then
    say "added '127.0.0.1 $h' to /etc/hosts (RocketMQ needs the hostname to resolve)"
  else
    say "warning: hostname '$h' does not resolve; add '127.0.0.1 $h' to /etc/hosts if RocketMQ fails to start"
  fi
}
