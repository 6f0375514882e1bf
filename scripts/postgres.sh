#!/usr/bin/env bash
# A PostgreSQL server of this machine's (Debian's postgresql-15) for Chirp,
# on 127.0.0.1 and a free port, with everything in DIR.
#
#   scripts/postgres.sh start DIR [--no-durability] [--owner PID]
#                                                      # prints the server's URL as its last line
#   scripts/postgres.sh replica DIR PRIMARY_DIR [--no-durability] [--owner PID]
#                                                      # a streaming replica of the server in PRIMARY_DIR;
#                                                      # prints its URL as its last line
#   scripts/postgres.sh url DIR                        # the URL again (of a primary or a replica)
#   scripts/postgres.sh stop DIR                       # stops it and removes DIR
#
# The URL names the database `chirp` (created) as the `postgres` role, which
# may connect without a password over 127.0.0.1 only: a server for one
# machine's tests and trials, not for production. As root, the server runs
# as the `postgres` system user (PostgreSQL refuses root). --no-durability
# turns flushes to disk off, for throwaway test servers. The server loads
# pg_stat_statements (`CREATE EXTENSION pg_stat_statements` in a database
# shows what ran there; the benchmarks count statements with it). With
# --owner PID, the server is stopped and DIR removed once that process ends
# (tests pass their own pid, so that a crash leaves no server behind).
#
# A replica is a hot standby (read-only queries allowed) copied from the
# running primary with pg_basebackup -R over 127.0.0.1 (initdb -A trust lets
# the `postgres` role replicate from there), streaming the primary's WAL
# from then on. `start` waits until it accepts connections and its WAL
# receiver streams. Stop it before its primary, or it keeps retrying the
# connection (harmlessly) until stopped.
set -euo pipefail

usage() {
  echo "usage: $0 start DIR [--no-durability] [--owner PID] | replica DIR PRIMARY_DIR [--no-durability] [--owner PID] | url DIR | stop DIR" >&2
  exit 2
}
[ $# -ge 2 ] || usage
command=$1 dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -1)

# The prefix that runs a command as the server's user: setpriv as root,
# nothing otherwise. An array and not a function, so that a server started
# in the background with it is this script's child itself and $! its pid.
server_user=()
if [ "$(id -u)" -eq 0 ]; then
  server_user=(setpriv --reuid=postgres --regid=postgres --init-groups --)
fi
as_server_user() { "${server_user[@]}" "$@"; }

# Whether process $1 runs (a zombie waiting for its parent to reap it does not).
alive() { kill -0 "$1" 2> /dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2> /dev/null; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

url_of() { echo "postgresql://postgres@127.0.0.1:$(cat "$1/port")/chirp"; }

require_postgres() {
  [ -n "$bin" ] && [ -x "$bin/initdb" ] || {
    echo "$0: PostgreSQL is not installed (scripts/setup.sh installs postgresql-15)" >&2; exit 1; }
}

# Makes DIR (absolute in $dir from here on), owned by the server's user
# when run as root, and refuses one that holds a server already.
prepare_dir() {
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ -e "$dir/data" ] && { echo "$0: $dir/data exists: stop the server there first" >&2; exit 1; }
  if [ "$(id -u)" -eq 0 ]; then
    id -u postgres > /dev/null 2>&1 || { echo "$0: no postgres user to run the server as" >&2; exit 1; }
    chown postgres: "$dir"
    as_server_user test -x "$dir" || {
      echo "$0: the postgres user cannot reach $dir: choose a directory under one it can (e.g. /tmp)" >&2
      exit 1
    }
  fi
}

# serve: runs the server on $dir/data on a free port, with the settings
# given (durability); returns once it accepts connections, with its port in
# $dir/port and its pid in $dir/pid. Exits with its log when it does not.
serve() {
  for _ in 1 2 3; do
    port=$(free_port)
    # Started in the background with its own session, so that it outlives
    # this script; `stop` ends it. A hot standby needs max_connections at
    # least the primary's: both take the same.
    "${server_user[@]}" setsid "$bin/postgres" -D "$dir/data" -c listen_addresses=127.0.0.1 \
      -c port="$port" -c unix_socket_directories="$dir" -c max_connections=300 \
      -c shared_buffers=256MB -c logging_collector=off \
      -c shared_preload_libraries=pg_stat_statements "$@" \
      > "$dir/server.log" 2>&1 < /dev/null &
    echo $! > "$dir/pid"
    for _ in $(seq 200); do
      if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
        echo "$port" > "$dir/port"
        return 0
      fi
      alive "$(cat "$dir/pid")" || break
      sleep 0.1
    done
  done
  echo "$0: PostgreSQL did not start" >&2
  cat "$dir/server.log" >&2
  exit 1
}

# options ARGS...: sets durability (the server's settings) and owner from
# --no-durability and --owner PID.
options() {
  durability=(-c fsync=on) owner=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --no-durability) durability=(-c fsync=off -c synchronous_commit=off -c full_page_writes=off); shift ;;
      --owner) [ $# -ge 2 ] || usage; owner=$2; shift 2 ;;
      *) usage ;;
    esac
  done
}

# Stops the server in $dir once $owner ends, when an owner was given.
watch_owner() {
  [ -n "$owner" ] || return 0
  setsid bash -c 'while kill -0 '"$owner"' 2> /dev/null; do sleep 0.5; done; "$0" stop "$1"' \
    "$(realpath "$0")" "$dir" < /dev/null > /dev/null 2>&1 &
}

case "$command" in
  start)
    require_postgres
    options "${@:3}"
    prepare_dir
    as_server_user "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
      --no-instructions > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    serve "${durability[@]}"
    "$bin/psql" -X -q -h 127.0.0.1 -p "$(cat "$dir/port")" -U postgres -d postgres -c "CREATE DATABASE chirp"
    watch_owner
    url_of "$dir"
    ;;
  replica)
    [ $# -ge 3 ] || usage
    require_postgres
    primary=$(cd "$3" 2> /dev/null && pwd) || { echo "$0: no primary in $3" >&2; exit 1; }
    if ! [ -f "$primary/port" ] || ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$(cat "$primary/port")"; then
      echo "$0: the primary in $primary is not running (scripts/postgres.sh start it first)" >&2
      exit 1
    fi
    options "${@:4}"
    prepare_dir
    # -R writes standby.signal and primary_conninfo (host, port, user) into
    # the copy; -X stream copies the WAL written meanwhile; -c fast does not
    # wait for the primary's next checkpoint.
    as_server_user "$bin/pg_basebackup" -h 127.0.0.1 -p "$(cat "$primary/port")" -U postgres \
      -D "$dir/data" -R -X stream -c fast --no-sync > "$dir/basebackup.log" 2>&1 || {
      cat "$dir/basebackup.log" >&2; exit 1; }
    serve -c hot_standby=on "${durability[@]}"
    # Ready once it streams from the primary, not only replays what it copied.
    streaming=""
    for _ in $(seq 100); do
      state=$("$bin/psql" -X -tA -h 127.0.0.1 -p "$(cat "$dir/port")" -U postgres -d postgres \
        -c "SELECT status FROM pg_stat_wal_receiver" 2> /dev/null || true)
      [ "$state" = streaming ] && { streaming=1; break; }
      sleep 0.1
    done
    [ -n "$streaming" ] || {
      echo "$0: the replica in $dir does not stream from its primary" >&2
      cat "$dir/server.log" >&2
      exit 1
    }
    watch_owner
    url_of "$dir"
    ;;
  url)
    url_of "$dir"
    ;;
  stop)
    # The pid recorded at the start, and the one the server wrote itself
    # (the first line of postmaster.pid), should they differ.
    pids=()
    [ -f "$dir/pid" ] && pids+=("$(cat "$dir/pid")")
    [ -f "$dir/data/postmaster.pid" ] && pids+=("$(head -1 "$dir/data/postmaster.pid")")
    for pid in "${pids[@]}"; do
      # A fast shutdown: clients are disconnected, nothing waits for them.
      kill -INT "$pid" 2> /dev/null || true
    done
    for pid in "${pids[@]}"; do
      for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
      kill -KILL "$pid" 2> /dev/null || true
    done
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
