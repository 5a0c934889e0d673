# shellcheck shell=bash
# Redis single node (127.0.0.1:6390) with AOF fsynced before every reply (appendfsync always), so a kill -9
# restart keeps every acknowledged write: an accepted reservation is never lost and its stock never comes back
# (ARCHITECTURE §6; with `everysec` a machine crash, or a process crash while the disk is slow, drops the last
# ~1-2 s of accepted orders and their units sell again). See src/services/productcatalog/stock/DESIGN.md.
# The redis_node_* helpers are shared with cluster.sh.

REDIS_DIR=$STACK_DIR/redis
REDIS_PORT=$((6390 + STACK_PORT_OFFSET))

# redis_node_conf <dir> <port> [extra config lines...]: writes <dir>/redis.conf.
redis_node_conf() {
  local dir=$1 port=$2
  shift 2
  mkdir -p "$dir"
  # No RDB snapshots: AOF alone is durable enough for dev and avoids fork()s on a 2-core box.
  {
    printf '%s\n' \
      "bind 127.0.0.1" \
      "port $port" \
      "daemonize no" \
      "dir $dir" \
      'logfile ""' \
      "appendonly yes" \
      "appendfsync ${STACK_REDIS_APPENDFSYNC:-always}" \
      'save ""' \
      "set-proc-title yes" \
      'proc-title-template "{title} {listen-addr} {config-file}"'
    (($# == 0)) || printf '%s\n' "$@"
  } >"$dir/redis.conf"
}

# The config path is in the process title (proc-title-template above), so liveness checks only match our node.
redis_node_pid() { live_pid "$1/redis.pid" "$1/redis.conf"; }

redis_node_ping() { [[ $(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) == PONG ]]; }

# redis_node_start <what> <dir> <port> [extra config...]: no-op when our node is already running.
redis_node_start() {
  local what=$1 dir=$2 port=$3
  shift 3
  redis_node_pid "$dir" >/dev/null && return 0
  require_free_port "$what" "$port"
  redis_node_conf "$dir" "$port" "$@"
  spawn "$dir/redis.pid" "$dir/redis.log" redis-server "$dir/redis.conf"
}

# Ready = answers PONG (a node still replaying its AOF answers LOADING).
redis_node_ready() {
  local what=$1 dir=$2 port=$3 pid
  pid=$(redis_node_pid "$dir") || fail_with_log "$what is not running" "$dir/redis.log"
  wait_for "$what" "$dir/redis.log" 60 "$pid" redis_node_ping "$port"
}

redis_node_status() {
  local name=$1 dir=$2 port=$3 pid
  if pid=$(redis_node_pid "$dir"); then
    if redis_node_ping "$port"; then
      printf '%-9s up    pid %s  127.0.0.1:%s\n' "$name" "$pid" "$port"
    else
      printf '%-9s part  pid %s not answering on 127.0.0.1:%s (log %s/redis.log)\n' "$name" "$pid" "$port" "$dir"
      return 1
    fi
  else
    printf '%-9s down\n' "$name"
    return 1
  fi
}

redis_start() { redis_node_start redis "$REDIS_DIR" "$REDIS_PORT"; }
redis_ready() { redis_node_ready redis "$REDIS_DIR" "$REDIS_PORT"; }
redis_stop() { stop_pid redis "$REDIS_DIR/redis.pid" "$REDIS_DIR/redis.conf" 30; }
redis_kill9() { kill9_pid redis "$REDIS_DIR/redis.pid" "$REDIS_DIR/redis.conf"; }
redis_status() { redis_node_status redis "$REDIS_DIR" "$REDIS_PORT"; }
