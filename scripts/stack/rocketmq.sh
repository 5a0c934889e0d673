# shellcheck shell=bash
# RocketMQ 5: namesrv + proxy in LOCAL mode (broker embedded in the proxy JVM), run with plain `java` from
# Maven Central jars (the distribution's bin/ scripts hard-code 4-8 GB heaps). Recipe: shared/research/rocketmq.md.

RMQ_VERSION=5.3.3
RMQ_DIR=$STACK_DIR/rocketmq
RMQ_LIB=$RMQ_DIR/lib
RMQ_CONF=$RMQ_DIR/conf
RMQ_DATA=$RMQ_DIR/data # becomes user.home: logs, namesrv kv config and the broker store all land here
RMQ_NAMESRV_PORT=$((9876 + STACK_PORT_OFFSET))
RMQ_NAMESRV=127.0.0.1:$RMQ_NAMESRV_PORT
RMQ_GRPC_PORT=$((8081 + STACK_PORT_OFFSET))
RMQ_REMOTING_PORT=$((18080 + STACK_PORT_OFFSET))
# The broker also opens listenPort-2 (fast/VIP channel) and listenPort+1 (HA), so they shift with it.
RMQ_BROKER_PORT=$((10911 + STACK_PORT_OFFSET))
RMQ_SRC=$STACK_SCRIPTS/rocketmq

# JDK 17: RocketMQ's CI runs JDK 8; these opens/exports avoid the known reflective-access failures.
RMQ_J17=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED)

# rmq_cmd <logback-xml> <classpath-prefix> <jvm/main args...>: sets RMQ_CMD to the java command line
# (an array, so spawn can exec it).
rmq_cmd() {
  local logback=$1 cp=$2
  shift 2
  RMQ_CMD=(java "${RMQ_J17[@]}" -Djava.net.preferIPv4Stack=true -Duser.home="$RMQ_DATA" -Drocketmq.home.dir="$RMQ_DIR"
    -Drmq.logback.configurationFile="$logback" -cp "$cp$RMQ_CONF:$RMQ_LIB/*" "$@")
}

# RocketMQ's admin CLI (`scripts/stack.sh mqadmin ...`), handy for debugging: topicList, printMsg, consumerProgress.
mqadmin() {
  rmq_cmd rmq.tools.logback.xml "" -Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    org.apache.rocketmq.tools.command.MQAdminStartup "$@"
  "${RMQ_CMD[@]}"
}

rmq_fetch_jars() {
  [[ -f $RMQ_LIB/.version && $(<"$RMQ_LIB/.version") == "$RMQ_VERSION" ]] && return 0
  command -v mvn >/dev/null || die "rocketmq: mvn not found (needed once to fetch the jars)"
  local tmp=$RMQ_DIR/lib.tmp log=$RMQ_DIR/mvn.log
  rm -rf "$tmp"
  mkdir -p "$RMQ_DIR"
  say "rocketmq: fetching RocketMQ $RMQ_VERSION jars from Maven Central (log $log)"
  mvn -B -ntp -f "$RMQ_SRC/pom.xml" -Drocketmq.version="$RMQ_VERSION" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$log" 2>&1 || fail_with_log "rocketmq: jar download failed" "$log"
  [[ -f $tmp/rocketmq-proxy-$RMQ_VERSION.jar ]] || fail_with_log "rocketmq: rocketmq-proxy jar missing after download" "$log"
  echo "$RMQ_VERSION" >"$tmp/.version"
  rm -rf "$RMQ_LIB" "$RMQ_DIR/tools" # tools are compiled against the old jars
  mv "$tmp" "$RMQ_LIB"
}

# The checked-in files carry the default ports; an offset instance rewrites them (identity at offset 0).
rmq_render_conf() {
  mkdir -p "$RMQ_CONF" "$RMQ_DATA/store"
  local ports="s|\b9876\b|$RMQ_NAMESRV_PORT|g; s|\b8081\b|$RMQ_GRPC_PORT|g; s|\b18080\b|$RMQ_REMOTING_PORT|g; s|\b10911\b|$RMQ_BROKER_PORT|g"
  sed "s|@STORE_DIR@|$RMQ_DATA/store|g; $ports" "$RMQ_SRC/broker.conf" >"$RMQ_CONF/broker.conf"
  local f
  for f in rmq-proxy.json namesrv.conf; do sed "$ports" "$RMQ_SRC/$f" >"$RMQ_CONF/$f"; done
}

rmq_namesrv_pid() { live_pid "$RMQ_DIR/namesrv.pid" org.apache.rocketmq.namesrv.NamesrvStartup; }
rmq_proxy_pid() { live_pid "$RMQ_DIR/proxy.pid" org.apache.rocketmq.proxy.ProxyStartup; }
rmq_proxy_started() { grep -q 'rocketmq-proxy startup successfully' "$RMQ_DIR/proxy.out"; }

# Phase 1: fetch jars if needed and spawn the namesrv (no waiting).
rocketmq_start() {
  ensure_hostname
  rmq_fetch_jars
  rmq_render_conf
  if ! rmq_namesrv_pid >/dev/null; then
    require_free_port "rocketmq namesrv" "$RMQ_NAMESRV_PORT"
    rmq_cmd rmq.namesrv.logback.xml "" -Xms128m -Xmx256m -XX:+UseSerialGC \
      org.apache.rocketmq.namesrv.NamesrvStartup -c "$RMQ_CONF/namesrv.conf"
    spawn "$RMQ_DIR/namesrv.pid" "$RMQ_DIR/namesrv.out" "${RMQ_CMD[@]}"
  fi
}

# Phase 2: once the namesrv accepts connections, spawn the proxy (it boots while other components start).
rocketmq_start_proxy() {
  local pid
  pid=$(rmq_namesrv_pid) || fail_with_log "rocketmq namesrv is not running" "$RMQ_DIR/namesrv.out"
  wait_for "rocketmq namesrv" "$RMQ_DIR/namesrv.out" 90 "$pid" port_open "$RMQ_NAMESRV_PORT"
  if ! rmq_proxy_pid >/dev/null; then
    local p
    for p in "$RMQ_GRPC_PORT" "$RMQ_REMOTING_PORT" "$RMQ_BROKER_PORT"; do require_free_port "rocketmq proxy" "$p"; done
    rmq_cmd rmq.proxy.logback.xml "" -Xms256m -Xmx1g -XX:MaxDirectMemorySize=1g \
      org.apache.rocketmq.proxy.ProxyStartup -pm local -n "$RMQ_NAMESRV" \
      -bc "$RMQ_CONF/broker.conf" -pc "$RMQ_CONF/rmq-proxy.json"
    spawn "$RMQ_DIR/proxy.pid" "$RMQ_DIR/proxy.out" "${RMQ_CMD[@]}"
  fi
  rmq_compile_tools # first run only; overlaps the proxy boot
}

# Phase 3: proxy ready, then topics/groups from scripts/rocketmq/topics.txt (skipped when already applied).
rocketmq_ready() {
  local pid
  pid=$(rmq_proxy_pid) || die "rocketmq proxy is not running; see $RMQ_DIR/proxy.out"
  wait_for "rocketmq proxy" "$RMQ_DIR/proxy.out" 180 "$pid" rmq_proxy_started
  wait_for "rocketmq proxy (gRPC port $RMQ_GRPC_PORT)" "$RMQ_DIR/proxy.out" 30 "$pid" port_open "$RMQ_GRPC_PORT"
  rocketmq_topics auto
}

# EnsureTopics is compiled once (javac ~2 s) and cached until its source changes.
rmq_compile_tools() {
  local out=$RMQ_DIR/tools src=$RMQ_SRC/EnsureTopics.java
  [[ -f $out/EnsureTopics.class && ! $src -nt $out/EnsureTopics.class ]] && return 0
  command -v javac >/dev/null || die "rocketmq: javac not found (install a JDK, e.g. default-jdk-headless)"
  rm -rf "$out"
  mkdir -p "$out"
  javac -nowarn -d "$out" -cp "$RMQ_LIB/*" "$src" >"$RMQ_DIR/javac.log" 2>&1 ||
    fail_with_log "rocketmq: compiling $src failed" "$RMQ_DIR/javac.log"
}

# rocketmq_topics [auto|force]: applies scripts/rocketmq/topics.txt. `auto` skips it when this exact file was
# already applied to this store (the marker lives in the store's data dir, so `reset` re-applies).
rocketmq_topics() {
  local mode=${1:-force} marker=$RMQ_DATA/topics.applied sum log=$RMQ_DIR/topics.log
  sum=$(cat "$RMQ_SRC/topics.txt" "$RMQ_SRC/EnsureTopics.java" | sha256sum)
  sum=${sum%% *}
  [[ $mode == auto && -f $marker && $(<"$marker") == "$sum" ]] && return 0
  rmq_compile_tools
  rmq_cmd rmq.tools.logback.xml "$RMQ_DIR/tools:" -Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    EnsureTopics "$RMQ_NAMESRV" DefaultCluster "$RMQ_SRC/topics.txt" 60
  "${RMQ_CMD[@]}" >"$log" 2>&1 || fail_with_log "rocketmq: creating topics/groups from $RMQ_SRC/topics.txt failed" "$log"
  if [[ -n ${STACK_VERBOSE:-} ]]; then grep '^rocketmq:' "$log" >&2 || true; fi
  echo "$sum" >"$marker"
}

# The proxy's shutdown hook (store flush, service-thread joins) takes 5-15 s; the namesrv's ~3 s runs alongside.
# Routes live only in the namesrv's memory, so it need not outlive the broker's unregister call.
rocketmq_stop() {
  stop_pid "rocketmq proxy" "$RMQ_DIR/proxy.pid" org.apache.rocketmq.proxy.ProxyStartup 60 &
  local proxy=$!
  stop_pid "rocketmq namesrv" "$RMQ_DIR/namesrv.pid" org.apache.rocketmq.namesrv.NamesrvStartup 30
  wait "$proxy"
}

rocketmq_kill9() {
  kill9_pid "rocketmq proxy" "$RMQ_DIR/proxy.pid" org.apache.rocketmq.proxy.ProxyStartup
  kill9_pid "rocketmq namesrv" "$RMQ_DIR/namesrv.pid" org.apache.rocketmq.namesrv.NamesrvStartup
}

rocketmq_status() {
  local n p
  n=$(rmq_namesrv_pid) || n=
  p=$(rmq_proxy_pid) || p=
  if [[ -n $n && -n $p ]] && port_open "$RMQ_GRPC_PORT"; then
    printf '%-9s up    namesrv pid %s, proxy pid %s  namesrv %s, gRPC 127.0.0.1:%s\n' rocketmq "$n" "$p" "$RMQ_NAMESRV" "$RMQ_GRPC_PORT"
  elif [[ -n $n || -n $p ]]; then
    printf '%-9s part  namesrv pid %s, proxy pid %s (starting or broken; logs %s/*.out)\n' rocketmq "${n:--}" "${p:--}" "$RMQ_DIR"
    return 1
  else
    printf '%-9s down\n' rocketmq
    return 1
  fi
}
