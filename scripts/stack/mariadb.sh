# shellcheck shell=bash
# MariaDB on 127.0.0.1:3316 with its own datadir and socket (never the system instance), binlog in ROW format
# (a later CDC reader needs it), database `shop` and user shop/shop with ALL on *.* (tests create databases).

MARIADB_DIR=$STACK_DIR/mariadb
MARIADB_DATA=$MARIADB_DIR/data
MARIADB_PORT=$((3316 + STACK_PORT_OFFSET))
MARIADB_CNF=$MARIADB_DIR/my.cnf
MARIADB_LOG=$MARIADB_DIR/mariadbd.log

# unix socket paths are limited to 107 bytes: fall back to /tmp for deep checkouts.
MARIADB_SOCK=$MARIADB_DIR/mysqld.sock
if ((${#MARIADB_SOCK} > 100)); then
  MARIADB_SOCK=/tmp/stack-mariadb-$(printf '%s' "$MARIADB_DIR" | sha256sum | cut -c1-12).sock
fi

mariadb_write_cnf() {
  mkdir -p "$MARIADB_DIR"
  cat >"$MARIADB_CNF" <<EOF
[mysqld]
$(is_root && echo 'user=root')
datadir=$MARIADB_DATA
socket=$MARIADB_SOCK
pid-file=$MARIADB_DATA/mariadbd.pid
port=$MARIADB_PORT
bind-address=127.0.0.1
# Accounts are '127.0.0.1' and 'localhost' only; no reverse DNS on connect.
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
# Binlog for change-data-capture: row images, a server id, and short retention for a dev box.
log_bin=$MARIADB_DATA/mariadb-bin
binlog_format=ROW
binlog_row_image=FULL
server_id=1
binlog_expire_logs_seconds=86400
# Dev trade-off: flush the redo log once a second instead of per commit.
innodb_flush_log_at_trx_commit=2
innodb_buffer_pool_size=256M
max_connections=500
performance_schema=OFF
EOF
}

mariadb_pid() { live_pid "$MARIADB_DIR/mariadb.pid" "$MARIADB_CNF"; }

mariadb_client() { mariadb --no-defaults --socket="$MARIADB_SOCK" --user="$(id -un)" --connect-timeout=5; }
mariadb_ping() { mariadb-admin --no-defaults --socket="$MARIADB_SOCK" --user="$(id -un)" --connect-timeout=2 ping; }

mariadb_start() {
  mariadb_pid >/dev/null && return 0
  require_free_port mariadb "$MARIADB_PORT"
  mariadb_write_cnf
  if [[ ! -d $MARIADB_DATA/mysql ]]; then
    local log=$MARIADB_DIR/install-db.log
    rm -rf "$MARIADB_DATA"
    # The OS user running this script becomes a unix_socket-authenticated admin (root when run as root).
    mariadb-install-db --defaults-file="$MARIADB_CNF" --skip-test-db --auth-root-authentication-method=socket \
      >"$log" 2>&1 || { rm -rf "$MARIADB_DATA"; fail_with_log "mariadb: mariadb-install-db failed" "$log"; }
  fi
  spawn "$MARIADB_DIR/mariadb.pid" "$MARIADB_LOG" mariadbd --defaults-file="$MARIADB_CNF"
}

mariadb_ready() {
  local pid
  pid=$(mariadb_pid) || fail_with_log "mariadb is not running" "$MARIADB_LOG"
  wait_for mariadb "$MARIADB_LOG" 120 "$pid" mariadb_ping
  # Idempotent, so every `up` repairs a missing database or account.
  mariadb_client >"$MARIADB_DIR/bootstrap.log" 2>&1 <<'SQL' || fail_with_log "mariadb: creating database/user failed" "$MARIADB_DIR/bootstrap.log"
CREATE DATABASE IF NOT EXISTS shop CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'shop'@'127.0.0.1' IDENTIFIED BY 'shop';
CREATE USER IF NOT EXISTS 'shop'@'localhost' IDENTIFIED BY 'shop';
GRANT ALL PRIVILEGES ON *.* TO 'shop'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'shop'@'localhost' WITH GRANT OPTION;
SQL
}

mariadb_stop() { stop_pid mariadb "$MARIADB_DIR/mariadb.pid" "$MARIADB_CNF" 60; }
mariadb_kill9() { kill9_pid mariadb "$MARIADB_DIR/mariadb.pid" "$MARIADB_CNF"; }

mariadb_status() {
  local pid
  if pid=$(mariadb_pid); then
    if mariadb_ping >/dev/null 2>&1; then
      printf '%-9s up    pid %s  127.0.0.1:%s (socket %s)\n' mariadb "$pid" "$MARIADB_PORT" "$MARIADB_SOCK"
    else
      printf '%-9s part  pid %s not answering (log %s)\n' mariadb "$pid" "$MARIADB_LOG"
      return 1
    fi
  else
    printf '%-9s down\n' mariadb
    return 1
  fi
}
