#!/usr/bin/env bash
# Local infrastructure for boutique-seckill without Docker: Redis, MariaDB, RocketMQ 5 (+ optional Redis Cluster).
# Installs what is missing, starts everything on loopback with data/logs/pids under .stack/ (git-ignored),
# waits for readiness and prints the env services use. Run `scripts/stack.sh help` for usage.
set -euo pipefail

# shellcheck source=scripts/stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/stack/lib.sh"
for component in redis cluster mariadb rocketmq; do
  # shellcheck source=/dev/null
  source "$STACK_SCRIPTS/stack/$component.sh"
done

ALL=(redis mariadb rocketmq cluster)
DEFAULT=(redis mariadb rocketmq)

usage() {
  cat <<'EOF'
usage: scripts/stack.sh <command> [--cluster] [component...]

  up [--cluster] [c...]  install what is missing, start, wait until ready, create RocketMQ topics, print env
                         (default: redis mariadb rocketmq; --cluster adds the 3-master Redis Cluster)
  down [c...]            stop what this script started (TERM, then KILL after a timeout); default: all
  status [c...]          one line per component; exit 1 if a requested one (default: redis mariadb rocketmq) is down
  reset [c...]           down + delete data under .stack/ (downloaded RocketMQ jars are kept); default: all
  kill9 <c...>           kill -9 a component (fault injection; `up <c>` restarts it)
  topics                 (re)apply scripts/rocketmq/topics.txt to the running broker
  env                    print the env block (also written to .stack/env)
  mqadmin <args...>      run RocketMQ's admin CLI, e.g. `mqadmin topicList -n 127.0.0.1:9876`
                         (it exits 0 even on failure: check its output)

components: redis (127.0.0.1:6390)  mariadb (127.0.0.1:3316)  rocketmq (namesrv 9876, gRPC proxy 8081)
            cluster (Redis Cluster 127.0.0.1:7101-7103)
STACK_VERBOSE=1 prints topic/group changes.
STACK_DIR=<dir> STACK_PORT_OFFSET=<n> run a second, isolated instance: own data/pids, every port + n
  (the fault-injection suite uses .stack/chaos and 1000: Redis 7390, MariaDB 4316, namesrv 10876, gRPC 9081).
STACK_REDIS_APPENDFSYNC=everysec trades Redis durability for speed (default always; benchmarks only).
EOF
}

stack_env() {
  cat <<EOF
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT
# to run services against the local Redis Cluster instead: export REDIS_CLUSTER_NODES=$(cluster_nodes_csv)
export MYSQL_URL=mysql://shop:shop@127.0.0.1:$MARIADB_PORT/shop
export ROCKETMQ_ENDPOINTS=127.0.0.1:$RMQ_GRPC_PORT
export ROCKETMQ_NAMESRV=$RMQ_NAMESRV
EOF
}

has() { # has <word> <list...>
  local w=$1
  shift
  local x
  for x in "$@"; do [[ $x == "$w" ]] && return 0; done
  return 1
}

# Debian packages for the requested components; apt-get update runs at most once for all of them.
ensure_tools() {
  local pkgs=()
  if has redis "$@" || has cluster "$@"; then pkgs+=(redis-server redis-tools); fi
  if has mariadb "$@"; then pkgs+=(mariadb-server mariadb-client); fi
  # Code generation needs protoc and the well-known .proto files; installed with the default stack.
  if has redis "$@" && has mariadb "$@" && has rocketmq "$@"; then pkgs+=(protobuf-compiler libprotobuf-dev); fi
  if has rocketmq "$@"; then
    command -v javac >/dev/null || pkgs+=(default-jdk-headless)
    [[ -f $RMQ_LIB/.version ]] || command -v mvn >/dev/null || pkgs+=(maven)
  fi
  ensure_packages "${pkgs[@]}"
}

cmd_up() {
  local t0=${EPOCHREALTIME/./} c
  ensure_tools "$@"
  mkdir -p "$STACK_DIR"
  # RocketMQ's JVM boot is the long pole: spawn it first and overlap everything else with it.
  if has rocketmq "$@"; then rocketmq_start; fi # jars + namesrv spawn
  if has redis "$@"; then redis_start; fi
  if has cluster "$@"; then cluster_start; fi
  if has rocketmq "$@"; then rocketmq_start_proxy; fi # waits for the namesrv (else the broker registers 30 s late)
  if has mariadb "$@"; then mariadb_start; fi         # a first run's mariadb-install-db overlaps the proxy boot
  for c in redis cluster mariadb rocketmq; do if has "$c" "$@"; then "${c}_ready"; fi; done
  stack_env >"$STACK_DIR/env"
  local tenths=$(((${EPOCHREALTIME/./} - t0) / 100000))
  # shellcheck disable=SC2016 # literal backticks
  printf '# stack up (%s) in %d.%ds; `source %s/env` or:\n' "$*" $((tenths / 10)) $((tenths % 10)) "${STACK_DIR#"$STACK_ROOT"/}"
  stack_env
}

# Components stop in parallel (the RocketMQ proxy alone spends ~5 s in its shutdown hook).
cmd_down() {
  local c pids=() pid rc=0
  for c in cluster rocketmq mariadb redis; do
    if has "$c" "$@"; then
      "${c}_stop" &
      pids+=($!)
    fi
  done
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  return "$rc"
}

cmd_status() {
  local c rc=0
  for c in "${ALL[@]}"; do
    if has "$c" "$@"; then "${c}_status" || rc=1; else "${c}_status" || true; fi
  done
  return "$rc"
}

# Deletes data, logs and pids; keeps the downloaded RocketMQ jars and the compiled topic tool.
cmd_reset() {
  cmd_down "$@"
  local c
  for c in "$@"; do
    case $c in
      rocketmq) [[ ! -d $RMQ_DIR ]] || find "$RMQ_DIR" -mindepth 1 -maxdepth 1 ! -name lib ! -name tools -exec rm -rf {} + ;;
      *) rm -rf "${STACK_DIR:?}/$c" ;;
    esac
  done
  if (($# == ${#ALL[@]})); then rm -f "$STACK_DIR/env" "$STACK_DIR/apt.log"; fi
}

main() {
  local cmd=${1:-help} cluster=0 comps=() arg
  (($# > 0)) && shift
  if [[ $cmd == mqadmin ]]; then
    [[ -f $RMQ_LIB/.version ]] || die "RocketMQ jars not downloaded yet; run: scripts/stack.sh up rocketmq"
    mqadmin "$@"
    return
  fi
  for arg in "$@"; do
    case $arg in
      --cluster) cluster=1 ;;
      redis | mariadb | rocketmq | cluster) has "$arg" "${comps[@]}" || comps+=("$arg") ;;
      *) usage >&2; die "unknown argument: $arg" ;;
    esac
  done
  case $cmd in
    help | -h | --help) usage; return 0 ;;
    env) stack_env; return 0 ;;
    status)
      ((${#comps[@]})) || comps=("${DEFAULT[@]}")
      cmd_status "${comps[@]}"
      return
      ;;
    up | down | reset | kill9 | topics) ;;
    *) usage >&2; die "unknown command: $cmd" ;;
  esac

  # One mutating invocation at a time (colleagues, test hooks and CI may call `up` concurrently).
  mkdir -p "$STACK_DIR"
  exec 9>>"$STACK_DIR/.lock" # fd 9 is closed in everything spawned (see lib.sh), so daemons never hold it
  flock -w 900 9 || die "another scripts/stack.sh is still running (lock $STACK_DIR/.lock)"

  case $cmd in
    up)
      ((${#comps[@]})) || comps=("${DEFAULT[@]}")
      if ((cluster)) && ! has cluster "${comps[@]}"; then comps+=(cluster); fi
      cmd_up "${comps[@]}"
      ;;
    down | reset)
      ((${#comps[@]})) || comps=("${ALL[@]}")
      "cmd_$cmd" "${comps[@]}"
      ;;
    kill9)
      ((${#comps[@]})) || die "kill9 needs a component: ${ALL[*]}"
      for arg in "${comps[@]}"; do "${arg}_kill9"; done
      ;;
    topics)
      rmq_proxy_pid >/dev/null || die "rocketmq is not running; run: scripts/stack.sh up rocketmq"
      rocketmq_topics force
      ;;
  esac
}

main "$@"
