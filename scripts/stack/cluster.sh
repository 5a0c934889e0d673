# shellcheck shell=bash
# Redis Cluster: 3 masters, no replicas, on 127.0.0.1:7101-7103 (one dir per node under .stack/cluster/).
# Slots are assigned once (redis-cli --cluster create); later restarts rejoin from each node's nodes.conf.

CLUSTER_DIR=$STACK_DIR/cluster
CLUSTER_PORTS=($((7101 + STACK_PORT_OFFSET)) $((7102 + STACK_PORT_OFFSET)) $((7103 + STACK_PORT_OFFSET)))

cluster_nodes_csv() { local IFS=,; printf '%s' "${CLUSTER_PORTS[*]/#/127.0.0.1:}"; }

cluster_info_field() { # cluster_info_field <port> <field>
  redis-cli -h 127.0.0.1 -p "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"
}

cluster_ok() {
  local p
  for p in "${CLUSTER_PORTS[@]}"; do
    [[ $(cluster_info_field "$p" cluster_state) == ok && $(cluster_info_field "$p" cluster_known_nodes) == "${#CLUSTER_PORTS[@]}" ]] ||
      return 1
  done
}

cluster_start() {
  local p
  for p in "${CLUSTER_PORTS[@]}"; do
    redis_node_start "cluster node $p" "$CLUSTER_DIR/$p" "$p" \
      "cluster-enabled yes" "cluster-config-file nodes.conf" "cluster-node-timeout 5000"
  done
}

cluster_ready() {
  local p log=$CLUSTER_DIR/create.log
  for p in "${CLUSTER_PORTS[@]}"; do redis_node_ready "cluster node $p" "$CLUSTER_DIR/$p" "$p"; done
  local assigned
  assigned=$(cluster_info_field "${CLUSTER_PORTS[0]}" cluster_slots_assigned)
  if [[ $assigned == 0 ]]; then
    local nodes=()
    for p in "${CLUSTER_PORTS[@]}"; do nodes+=("127.0.0.1:$p"); done
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes </dev/null >"$log" 2>&1 ||
      fail_with_log "cluster: redis-cli --cluster create failed" "$log"
  elif [[ $assigned != 16384 ]]; then
    die "cluster: only $assigned/16384 slots assigned (half-created cluster); run: scripts/stack.sh reset cluster"
  fi
  wait_for "cluster (cluster_state:ok on ${CLUSTER_PORTS[*]})" "$CLUSTER_DIR/${CLUSTER_PORTS[0]}/redis.log" 60 "" cluster_ok
}

cluster_stop() {
  local p
  for p in "${CLUSTER_PORTS[@]}"; do stop_pid "cluster node $p" "$CLUSTER_DIR/$p/redis.pid" "$CLUSTER_DIR/$p/redis.conf" 30; done
}

cluster_kill9() {
  local p
  for p in "${CLUSTER_PORTS[@]}"; do kill9_pid "cluster node $p" "$CLUSTER_DIR/$p/redis.pid" "$CLUSTER_DIR/$p/redis.conf"; done
}

cluster_status() {
  local p pids=() down=0 pid
  for p in "${CLUSTER_PORTS[@]}"; do
    if pid=$(redis_node_pid "$CLUSTER_DIR/$p"); then pids+=("$pid"); else down=$((down + 1)); fi
  done
  if ((down == ${#CLUSTER_PORTS[@]})); then
    printf '%-9s down\n' cluster
    return 1
  elif ((down == 0)) && cluster_ok; then
    printf '%-9s up    pids %s  %s (cluster_state:ok)\n' cluster "${pids[*]}" "$(cluster_nodes_csv)"
  else
    printf '%-9s part  %d/%d nodes running, cluster_state not ok (logs %s/*/redis.log)\n' cluster \
      "${#pids[@]}" "${#CLUSTER_PORTS[@]}" "$CLUSTER_DIR"
    return 1
  fi
}
