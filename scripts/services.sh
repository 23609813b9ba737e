#!/usr/bin/env bash
# PostgreSQL and Redis for the persistence tests (tests/persistence), on loopback
# only and on non-default ports, with their data under var/services/ (git-ignored).
#
#   scripts/services.sh start    install if missing (apt, as root), start both
#   scripts/services.sh stop     stop both
#   scripts/services.sh status   exit 0 only if both answer
#
# PostgreSQL: 127.0.0.1:55432 (socket in /tmp), role rasa / password rasa, db rasa
#             -> DB_URL=postgresql://rasa:rasa@127.0.0.1:55432/rasa
# Redis:      127.0.0.1:56379, no persistence
#             -> REDIS_URL=redis://127.0.0.1:56379/1
# Idempotent: running `start` twice leaves one server of each.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SERVICES=$ROOT/var/services
PG_PORT=${PG_PORT:-55432}
REDIS_PORT=${REDIS_PORT:-56379}
PG_DATA=$SERVICES/postgres
PG_LOG=$SERVICES/postgres.log
PG_SOCKET_DIR=/tmp
REDIS_DIR=$SERVICES/redis
REDIS_LOG=$SERVICES/redis.log
REDIS_PID=$SERVICES/redis.pid
DB_NAME=rasa DB_USER=rasa DB_PASSWORD=rasa

say() { echo "services: $*"; }
die() { echo "services: ERROR: $*" >&2; exit 1; }

pg_bindir() {
  # Debian keeps the server binaries out of PATH; take the newest installed major.
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  d=$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")
  [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  return 1
}

have_postgres() { pg_bindir >/dev/null; }
have_redis() { command -v redis-server >/dev/null && command -v redis-cli >/dev/null; }

install_missing() {
  have_postgres && have_redis && return 0
  local missing=()
  have_postgres || missing+=(postgresql)
  have_redis || missing+=(redis-server)
  [ "$(id -u)" -eq 0 ] || die "${missing[*]} not installed and not root; install them with: sudo apt-get install postgresql redis-server"
  command -v apt-get >/dev/null || die "${missing[*]} not installed and apt-get is not available"
  say "installing ${missing[*]} (apt-get)"
  # Keep the packages from starting their own servers on the default ports
  # (5432, 6379) during installation; we only want ours.
  local policy=/usr/sbin/policy-rc.d created_policy=""
  if [ ! -e $policy ]; then
    printf '#!/bin/sh\nexit 101\n' >$policy && chmod +x $policy && created_policy=1
  fi
  local rc=0
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      postgresql redis-server >/dev/null
  } || rc=$?
  [ -n "$created_policy" ] && rm -f $policy
  [ $rc -eq 0 ] || die "apt-get failed (exit $rc) installing ${missing[*]}"
  have_postgres || die "postgresql was installed but no pg_ctl/initdb under /usr/lib/postgresql/*/bin"
  have_redis || die "redis-server was installed but redis-server/redis-cli are not on PATH"
}

# ------------------------------------------------------------------ PostgreSQL

# The server refuses to run as root: as root, run its tools as `postgres`.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

pg_running() {
  local bin; bin=$(pg_bindir) || return 1
  [ -L "$PG_DATA" ] && PG_DATA=$(readlink -f "$PG_DATA")
  [ -f "$PG_DATA/PG_VERSION" ] || return 1
  as_pg "$bin/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
}

pg_psql() {  # superuser, over the Unix socket (trust for local connections)
  local bin; bin=$(pg_bindir)
  as_pg "$bin/psql" -X -q -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres \
    -v ON_ERROR_STOP=1 "$@"
}

# As root, the server runs as `postgres`, which may not be allowed into the
# checkout (e.g. a clone under /root, mode 700). Then the cluster lives in
# /var/lib/postgresql/rasa-tests/<hash of the checkout> and var/services/postgres
# is a symlink to it.
resolve_pg_data() {
  [ "$(id -u)" -eq 0 ] || return 0
  [ -L "$PG_DATA" ] && { PG_DATA=$(readlink -f "$PG_DATA"); PG_LOG=$PG_DATA.log; return 0; }
  if ! as_pg test -x "$SERVICES"; then
    local link=$PG_DATA
    PG_DATA=/var/lib/postgresql/rasa-tests/$(echo "$ROOT" | md5sum | cut -c1-12)
    PG_LOG=$PG_DATA.log
    say "user postgres cannot enter $SERVICES; cluster in $PG_DATA (symlink $link)"
    mkdir -p "$PG_DATA" && chown postgres: "$(dirname "$PG_DATA")" "$PG_DATA"
    [ -e "$link" ] && [ ! -L "$link" ] && rmdir "$link" 2>/dev/null
    [ -e "$link" ] || ln -s "$PG_DATA" "$link"
  fi
}

start_postgres() {
  local bin version
  bin=$(pg_bindir) || die "PostgreSQL binaries not found"
  version=$("$bin/postgres" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)*.*/\1/')
  resolve_pg_data
  # A test server of another checkout on this machine may already serve the port:
  # if it accepts our role and database, use it rather than fail on the port.
  if ! pg_running && PGPASSWORD=$DB_PASSWORD "$bin/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" \
       -U "$DB_USER" -d "$DB_NAME" -tAc 'SELECT 1' >/dev/null 2>&1; then
    say "a PostgreSQL on 127.0.0.1:$PG_PORT already accepts $DB_USER/$DB_NAME: using it"
    return 0
  fi
  mkdir -p "$PG_DATA"
  [ "$(id -u)" -eq 0 ] && { chown postgres: "$PG_DATA"; chmod 700 "$PG_DATA"; }
  as_pg test -w "$PG_DATA" ||
    die "user $([ "$(id -u)" -eq 0 ] && echo postgres || id -un) cannot write $PG_DATA (a parent directory not traversable?)"

  if [ -f "$PG_DATA/PG_VERSION" ] && [ "$(cat "$PG_DATA/PG_VERSION")" != "$version" ]; then
    if pg_running; then die "a PostgreSQL $(cat "$PG_DATA/PG_VERSION") is running on $PG_DATA; run '$0 stop' first"; fi
    say "PostgreSQL data dir is from version $(cat "$PG_DATA/PG_VERSION"), server is $version: recreating the (test) cluster"
    rm -rf "${PG_DATA:?}"/* && mkdir -p "$PG_DATA"
  fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    say "initdb PostgreSQL $version cluster in $PG_DATA"
    as_pg "$bin/initdb" -D "$PG_DATA" -U postgres -E UTF8 --no-locale \
      --auth-local=trust --auth-host=scram-sha-256 >"$SERVICES/initdb.log" 2>&1 ||
      { tail -n 20 "$SERVICES/initdb.log" >&2; die "initdb failed (log: $SERVICES/initdb.log)"; }
  fi

  if pg_running; then
    say "PostgreSQL already running (data $PG_DATA)"
  else
    say "starting PostgreSQL $version on 127.0.0.1:$PG_PORT (log $PG_LOG)"
    touch "$PG_LOG"; [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_LOG"
    as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
      -o "-k $PG_SOCKET_DIR -p $PG_PORT -c listen_addresses=127.0.0.1" start >/dev/null ||
      { tail -n 20 "$PG_LOG" >&2; die "PostgreSQL did not start (port $PG_PORT in use? log: $PG_LOG)"; }
  fi

  # Role and database; re-applied every time so a changed password is repaired.
  if [ "$(pg_psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != 1 ]; then
    say "creating role $DB_USER"
    pg_psql -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD'" || die "could not create role $DB_USER"
  else
    pg_psql -c "ALTER ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD'" || die "could not update role $DB_USER"
  fi
  if [ "$(pg_psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != 1 ]; then
    say "creating database $DB_NAME"
    pg_psql -c "CREATE DATABASE $DB_NAME OWNER $DB_USER" || die "could not create database $DB_NAME"
  fi
  PGPASSWORD=$DB_PASSWORD "$bin/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d "$DB_NAME" \
    -tAc 'SELECT 1' >/dev/null || die "cannot log in as $DB_USER on 127.0.0.1:$PG_PORT"
  say "PostgreSQL ready: postgresql://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME"
}

stop_postgres() {
  local bin
  if ! bin=$(pg_bindir); then say "PostgreSQL not installed"; return 0; fi
  if pg_running; then
    say "stopping PostgreSQL"
    as_pg "$bin/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null || die "could not stop PostgreSQL"
  else
    say "PostgreSQL not running"
  fi
}

# ------------------------------------------------------------------ Redis

redis_running() {
  have_redis && [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
}

start_redis() {
  have_redis || die "redis-server not installed"
  mkdir -p "$REDIS_DIR"
  if redis_running; then
    say "Redis already running on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  say "starting Redis on 127.0.0.1:$REDIS_PORT (log $REDIS_LOG)"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --dir "$REDIS_DIR" --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" ||
    die "redis-server failed to start (log: $REDIS_LOG)"
  for _ in $(seq 1 50); do
    redis_running && { say "Redis ready: redis://127.0.0.1:$REDIS_PORT/1"; return 0; }
    sleep 0.1
  done
  tail -n 20 "$REDIS_LOG" >&2 2>/dev/null || true
  die "Redis does not answer on 127.0.0.1:$REDIS_PORT (port in use? log: $REDIS_LOG)"
}

stop_redis() {
  if redis_running; then
    say "stopping Redis"
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    for _ in $(seq 1 50); do redis_running || return 0; sleep 0.1; done
    die "Redis on port $REDIS_PORT did not stop"
  else
    say "Redis not running"
  fi
}

# ------------------------------------------------------------------ main

status() {
  local rc=0
  if pg_running; then say "PostgreSQL running on 127.0.0.1:$PG_PORT (data $PG_DATA)"
  else say "PostgreSQL not running"; rc=3; fi
  if redis_running; then say "Redis running on 127.0.0.1:$REDIS_PORT"
  else say "Redis not running"; rc=3; fi
  return $rc
}

case "${1:-}" in
  start)
    install_missing
    mkdir -p "$SERVICES"
    start_postgres
    start_redis
    ;;
  stop)
    stop_postgres
    stop_redis
    ;;
  status)
    status
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
