#!/usr/bin/env bash
# A PostgreSQL server of this machine's (Debian's postgresql-15) for Chirp,
# on 127.0.0.1 and a free port, with everything in DIR.
#
#   scripts/postgres.sh start DIR [--no-durability]   # prints the server's URL as its last line
#   scripts/postgres.sh url DIR                        # the URL again
#   scripts/postgres.sh stop DIR                       # stops it and removes DIR
#
# The URL names the database `chirp` (created) as the `postgres` role, which
# may connect without a password over 127.0.0.1 only: a server for one
# machine's tests and trials, not for production. As root, the server runs
# as the `postgres` system user (PostgreSQL refuses root). --no-durability
# turns flushes to disk off, for throwaway test servers.
set -euo pipefail

usage() { echo "usage: $0 start DIR [--no-durability] | url DIR | stop DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
command=$1 dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -1)

as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

url_of() { echo "postgresql://postgres@127.0.0.1:$(cat "$1/port")/chirp"; }

case "$command" in
  start)
    [ -n "$bin" ] && [ -x "$bin/initdb" ] || {
      echo "$0: PostgreSQL is not installed (scripts/setup.sh installs postgresql-15)" >&2; exit 1; }
    durability=(-c fsync=on)
    [ "${3:-}" = "--no-durability" ] && durability=(-c fsync=off -c synchronous_commit=off -c full_page_writes=off)
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
    as_server_user "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
      --no-instructions > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    for _ in 1 2 3; do
      port=$(free_port)
      # Started in the background with its own session, so that it outlives
      # this script; `stop` ends it.
      as_server_user setsid "$bin/postgres" -D "$dir/data" -c listen_addresses=127.0.0.1 \
        -c port="$port" -c unix_socket_directories="$dir" -c max_connections=300 \
        -c shared_buffers=256MB -c logging_collector=off "${durability[@]}" \
        > "$dir/server.log" 2>&1 < /dev/null &
      echo $! > "$dir/pid"
      for _ in $(seq 200); do
        if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
          echo "$port" > "$dir/port"
          "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE chirp"
          url_of "$dir"
          exit 0
        fi
        kill -0 "$(cat "$dir/pid")" 2> /dev/null || break
        sleep 0.1
      done
    done
    echo "$0: PostgreSQL did not start" >&2
    cat "$dir/server.log" >&2
    exit 1
    ;;
  url)
    url_of "$dir"
    ;;
  stop)
    if [ -f "$dir/pid" ]; then
      pid=$(cat "$dir/pid")
      # A fast shutdown: clients are disconnected, nothing waits for them.
      kill -INT "$pid" 2> /dev/null || true
      for _ in $(seq 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2> /dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
