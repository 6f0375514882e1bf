#!/usr/bin/env bash
# Chirp's scaled-out deployment on this machine, every server on 127.0.0.1
# and a free port, with everything in DIR.
#
#   scripts/scaled.sh start DIR [--owner PID]   # starts it in DIR (new or empty); prints the load
#                                               # balancer's URL (http://127.0.0.1:PORT) as its last line
#   scripts/scaled.sh status DIR                # each process, its pid, alive or dead
#                                               # (exits 1 when one is dead)
#   scripts/scaled.sh url DIR                   # the load balancer's URL again
#   scripts/scaled.sh stop DIR                  # stops everything and removes DIR
#
# `start` runs:
#   - a PostgreSQL primary and one streaming replica of it (scripts/postgres.sh);
#   - a Redis Cluster of 3 masters with a replica each (scripts/redis.sh);
#   - `chirpd migrate` against the primary;
#   - two API instances (`chirpd serve`, worker ids 1 and 2) and two
#     `chirpd worker` processes (worker ids 3 and 4), all on the primary
#     and the Redis Cluster; the workers run the work the deployment
#     shares (notifications, fan-out to the timelines in Redis: one holds
#     each lane, the other stands by), the instances leave it to them
#     (--shared-lanes off);
#   - nginx as the load balancer in front of both API instances: round
#     robin, an instance that refuses or times out left out for 10 s and the
#     request (when idempotent, or not yet sent) passed to the other,
#     WebSocket upgrades on /api/v1/streaming, X-Forwarded-For and
#     X-Forwarded-Proto set (the API instances trust 127.0.0.1 for them).
# It returns once the load balancer answers GET /ready with 200 through both
# API instances. Everything but the URL goes to stderr or to logs in DIR.
# When something does not start, `start` shows its log, stops what it
# started and exits non-zero. With --owner PID, the deployment is stopped
# once that process ends (tests pass their own pid, so that a test killed
# midway leaves nothing running).
#
# `stop` ends the chirpd processes and nginx (SIGTERM, then SIGKILL after
# 15 s), stops Redis and PostgreSQL through their scripts and removes DIR;
# it may run twice, and on a DIR that `start` left half made.
#
# chirpd is $CHIRPD_BIN, else build/bin/chirpd of this repository. Its
# options are built in one place, chirpd_args below; CHIRP_* variables in
# the environment reach every chirpd process (e.g. CHIRP_RATE_LIMITS=off),
# except for the options chirpd_args sets, which win. Every process keeps
# home timelines in the Redis Cluster; the API instances read from the
# replica what may lag (--database-replica-url), each account's reads after
# its writes kept by the write positions in the cluster.
#
# PostgreSQL runs as the `postgres` user when this runs as root: DIR must be
# reachable by that user (e.g. under /tmp, not under /root).
#
# Layout of DIR:
#   database-url         the primary's URL (every chirpd's --database-url)
#   replica-url          the replica's URL (the API instances' --database-replica-url)
#   redis-url            the cluster's seed list, redis://HOST:PORT,... (every chirpd's --redis-url)
#   url                  the load balancer's URL (every API instance's --public-url)
#   pids                 'NAME PID' a line, for every process this script started itself
#   watcher.pid          with --owner: the process that stops the deployment after the owner
#   migrate.log          chirpd migrate's output
#   postgres/            the primary (scripts/postgres.sh: data/, pid, port, server.log)
#   postgres-replica/    the replica, laid out alike
#   redis/               the cluster (scripts/redis.sh: ports, node-PORT/{redis.conf,pid,log})
#   api-N/               API instance N (1, 2): data/ (its --data), log (stdout and stderr),
#                        pid, port, url (its own address, bypassing the load balancer)
#   worker-N/            worker N (1, 2): data/, log, pid, url (its /metrics and /ready)
#   media/               the API instances' one --media-dir
#   nginx/               nginx.conf, pid (the master's), port, error.log, access.log
#                        (with the instance that answered), stdout.log, temp/
set -euo pipefail

usage() {
  echo "usage: $0 start DIR [--owner PID] | status DIR | url DIR | stop DIR" >&2
  exit 2
}
[ $# -ge 2 ] || usage
command=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
chirpd=${CHIRPD_BIN:-$root/build/bin/chirpd}
case "$chirpd" in /*) ;; *) chirpd="$PWD/$chirpd" ;; esac

readonly api_instances=2 workers=2
# Bounds on every wait, in tenths of a second.
readonly start_wait=300 ready_wait=300 stop_wait=150

# The deployment outlives whoever started it, and so must `start` and
# `stop` when their caller goes away: a write to a closed pipe fails (and
# is ignored by log) instead of killing the script midway. Ignored, the
# signal stays ignored in what the script runs.
trap '' PIPE

log() { echo "scaled: $*" >&2 || true; }

# Whether process $1 runs (a zombie waiting for its parent to reap it does not).
alive() { kill -0 "$1" 2> /dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2> /dev/null; }

# Whether process $1 is one this deployment started: its command line names
# DIR (every chirpd's --data, nginx's -c), so a pid reused since by another
# process is left alone.
ours() { alive "$1" && tr '\0' ' ' < "/proc/$1/cmdline" 2> /dev/null | grep -qF "$dir/"; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# fail MESSAGE [LOG...]: says what failed with the end of each log, and exits
# (in `start`, the exit trap then stops what was started).
fail() {
  log "$1"
  shift
  for file in "$@"; do
    [ -f "$file" ] || continue
    echo "----- $file (last 40 lines)" >&2
    tail -n 40 "$file" >&2
  done
  exit 1
}

# ---------------------------------------------------------------------------
# chirpd_args ROLE [N]: every chirpd process's arguments, into the array
# chirpd_argv. ROLE is serve (API instance N), worker (worker N) or
# migrate. This is the one place that says how chirpd reaches the shared
# engines: the primary, the Redis Cluster (its seed list), and the replica.
chirpd_args() {
  local role=$1 n=${2:-}
  local database_url redis_url replica_url
  database_url=$(cat "$dir/database-url")
  redis_url=$(cat "$dir/redis-url")
  replica_url=$(cat "$dir/replica-url")
  chirpd_argv=("$chirpd" "$role" --database-url "$database_url")
  # The shared work (notifications, fan-out) in 4 partitions by account,
  # which the workers share out (2 each); the same in every process.
  [ "$role" = migrate ] || chirpd_argv+=(--redis-url "$redis_url" --lane-partitions 4)
  case "$role" in
    serve)
      # Worker ids 1..api_instances; the load balancer (127.0.0.1) is
      # trusted for X-Forwarded-For, so limits see the client's address.
      # One media directory for both, as a shared file system would be.
      chirpd_argv+=(--listen 127.0.0.1:0 --data "$dir/api-$n/data" --worker-id "$n"
        --media-dir "$dir/media"
        --trusted-proxies 127.0.0.1/32 --shared-lanes off --public-url "$(cat "$dir/url")"
        --database-replica-url "$replica_url")
      ;;
    worker)
      chirpd_argv+=(--data "$dir/worker-$n/data" --worker-id "$((api_instances + n))"
        --metrics-listen 127.0.0.1:0)
      ;;
    migrate) ;;
    *) fail "chirpd_args: unknown role $role" ;;
  esac
}
# ---------------------------------------------------------------------------

# record NAME PID: a process to stop.
record() { echo "$1 $2" >> "$dir/pids"; }

# start_chirpd ROLE N DIR PATTERN: runs chirpd in the background (its own
# session, so that it outlives this script) with its output in DIR/log, and
# waits until the log has a line matching PATTERN.
start_chirpd() {
  local role=$1 n=$2 home=$3 pattern=$4 pid
  mkdir -p "$home/data"
  chirpd_args "$role" "$n"
  setsid "${chirpd_argv[@]}" < /dev/null > "$home/log" 2>&1 &
  pid=$!
  echo "$pid" > "$home/pid"
  record "$(basename "$home")" "$pid"
  for _ in $(seq "$start_wait"); do
    grep -q "$pattern" "$home/log" && return 0
    alive "$pid" || fail "$(basename "$home") exited at its start" "$home/log"
    sleep 0.1
  done
  fail "$(basename "$home") did not start within $((start_wait / 10)) s" "$home/log"
}

write_nginx_conf() {
  local port=$1 conf=$2 n servers="" forwarded
  for n in $(seq "$api_instances"); do
    servers+="    server 127.0.0.1:$(cat "$dir/api-$n/port") max_fails=1 fail_timeout=10s;"$'\n'
  done
  # proxy_set_header in a location replaces every one inherited: each
  # location says them all. (nginx's variables, not the shell's.)
  # shellcheck disable=SC2016
  forwarded='proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;'
  cat > "$conf" << EOF
# Written by scripts/scaled.sh: the load balancer in front of Chirp's API instances.
daemon off;
worker_processes auto;
pid $dir/nginx/pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 4096; }
http {
  log_format upstream '\$remote_addr [\$time_local] "\$request" \$status \$body_bytes_sent '
                      '\$request_time upstream \$upstream_addr \$upstream_status \$upstream_response_time';
  access_log $dir/nginx/access.log upstream;
  client_body_temp_path $dir/nginx/temp/client_body;
  proxy_temp_path $dir/nginx/temp/proxy;
  fastcgi_temp_path $dir/nginx/temp/fastcgi;
  uwsgi_temp_path $dir/nginx/temp/uwsgi;
  scgi_temp_path $dir/nginx/temp/scgi;
  # chirpd refuses bodies over its own limits with its own errors.
  client_max_body_size 100m;  # a video upload with its form (chirpd: 99 MiB)

  map \$http_upgrade \$connection_upgrade {
    default upgrade;
    ''      '';
  }

  # Round robin; passive health: an instance that fails a request (refused,
  # reset, timed out) is left out for fail_timeout, by every nginx worker
  # process (the zone shares what they learn).
  upstream chirp_api {
    zone chirp_api 64k;
$servers    keepalive 32;
  }

  server {
    listen 127.0.0.1:$port;
    proxy_http_version 1.1;
    proxy_connect_timeout 2s;
    # Tried on the other instance: requests that could not be sent, and
    # idempotent ones that failed. nginx never retries a POST once sent,
    # also not on a kept-alive connection that an instance's crash closed:
    # the POST is answered 502 and the client retries (with its
    # Idempotency-Key).
    proxy_next_upstream error timeout;
    proxy_next_upstream_tries 2;
    proxy_next_upstream_timeout 10s;
    # Which instance answered, for operators and tests.
    add_header X-Chirp-Upstream \$upstream_addr always;

    location / {
      proxy_pass http://chirp_api;
      $forwarded
      # Keep-alive to the instances: no Connection header passed on.
      proxy_set_header Connection "";
      # chirpd answers within its request timeout (30 s).
      proxy_read_timeout 60s;
    }

    # The streaming API: WebSocket upgrades and server-sent events, held
    # open for long.
    location /api/v1/streaming {
      proxy_pass http://chirp_api;
      $forwarded
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_buffering off;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
    }
  }
}
EOF
}

start_nginx() {
  local home="$dir/nginx" port pid
  command -v nginx > /dev/null || fail "nginx is not installed (scripts/setup.sh installs nginx-light)"
  mkdir -p "$home/temp"
  # The port chosen before the instances started (they write URLs with it).
  port=$(sed 's|.*:||' "$dir/url")
  write_nginx_conf "$port" "$home/nginx.conf"
  # -e: the error log before the configuration is read (not /var/log/nginx).
  setsid nginx -e "$home/error.log" -p "$home/" -c "$home/nginx.conf" \
    < /dev/null > "$home/stdout.log" 2>&1 &
  pid=$!
  record nginx "$pid"
  for _ in $(seq "$start_wait"); do
    if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/health"; then
      echo "$port" > "$home/port"
      return 0
    fi
    alive "$pid" || break
    sleep 0.1
  done
  alive "$pid" && fail "nginx does not answer" "$home/error.log" "$home/stdout.log"
  # Taken since it was chosen: rare; start again.
  fail "nginx did not start on port $port (taken since it was chosen? start again)" \
    "$home/error.log" "$home/stdout.log"
}

# Waits until GET /ready through the load balancer has answered 200 from
# every API instance (the instance named by X-Chirp-Upstream).
wait_ready() {
  local url=$1 seen=" " answer status upstream
  for _ in $(seq "$ready_wait"); do
    answer=$(curl -s -o /dev/null --max-time 2 -D - "$url/ready" | tr -d '\r' || true)
    status=$(echo "$answer" | awk 'NR == 1 { print $2 }')
    upstream=$(echo "$answer" | awk 'tolower($1) == "x-chirp-upstream:" { print $NF }')
    [ "$status" = 200 ] && [ -n "$upstream" ] && [[ "$seen" != *" $upstream "* ]] && seen+="$upstream "
    [ "$(wc -w <<< "$seen")" -ge "$api_instances" ] && return 0
    sleep 0.1
  done
  fail "the load balancer did not answer /ready with 200 through every API instance within $((ready_wait / 10)) s (answered by:$seen)" \
    "$dir/nginx/error.log" "$dir/api-1/log" "$dir/api-2/log"
}

# Stops everything under DIR and removes it; for `stop`, and for `start`
# when it fails.
stop_all() {
  # Best effort: one thing that does not stop must not keep the rest running.
  local -
  set +e
  [ -d "$dir" ] || { log "no deployment in $dir"; return 0; }
  if [ -f "$dir/watcher.pid" ]; then
    local watcher
    watcher=$(cat "$dir/watcher.pid")
    # The watcher runs this very `stop` when its owner has ended; a pid
    # reused since by another process is left alone.
    if [ "$watcher" != "$$" ] && [ "$watcher" != "$PPID" ] &&
      tr '\0' ' ' < "/proc/$watcher/cmdline" 2> /dev/null | grep -qF "scaled.sh $dir "; then
      kill "$watcher" 2> /dev/null || true
    fi
  fi
  local name pid pids=()
  if [ -f "$dir/pids" ]; then
    while read -r name pid; do
      [ -n "$pid" ] || continue
      if ours "$pid"; then
        kill -TERM "$pid" 2> /dev/null || true
        pids+=("$pid")
      fi
    done < "$dir/pids"
  fi
  # chirpd lets requests in flight finish (10 s at most); then SIGKILL.
  for _ in $(seq "$stop_wait"); do
    local running=""
    for pid in "${pids[@]}"; do alive "$pid" && running=1; done
    [ -z "$running" ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do
    if alive "$pid"; then
      log "process $pid did not end on SIGTERM: SIGKILL"
      kill -KILL "$pid" 2> /dev/null || true
    fi
  done
  if [ -d "$dir/redis" ]; then
    "$root/scripts/redis.sh" stop "$dir/redis" || log "scripts/redis.sh stop $dir/redis failed"
  fi
  # The replica first: else it keeps calling its primary while stopping.
  local server
  for server in postgres-replica postgres; do
    if [ -d "$dir/$server" ]; then
      "$root/scripts/postgres.sh" stop "$dir/$server" || log "scripts/postgres.sh stop $dir/$server failed"
    fi
  done
  rm -rf "$dir"
  [ -d "$dir" ] && { log "could not remove $dir"; return 1; }
  return 0
}

# status: one line per process: NAME PID alive|dead [ADDRESS].
show_status() {
  local dead=0 name pid state address pidfile
  line() {
    state=dead
    alive "$2" && state=alive
    [ "$state" = dead ] && dead=1
    printf '%-24s %-8s %-6s %s\n' "$1" "$2" "$state" "${3:-}"
  }
  port_of() { [ -f "$1/port" ] && echo "127.0.0.1:$(cat "$1/port")"; return 0; }
  [ -f "$dir/postgres/pid" ] && line postgres "$(cat "$dir/postgres/pid")" "$(port_of "$dir/postgres")"
  [ -f "$dir/postgres-replica/pid" ] &&
    line postgres-replica "$(cat "$dir/postgres-replica/pid")" "$(port_of "$dir/postgres-replica")"
  for pidfile in "$dir"/redis/node-*/pid; do
    [ -f "$pidfile" ] || continue
    name=$(basename "$(dirname "$pidfile")")
    line "redis-${name#node-}" "$(cat "$pidfile")" "127.0.0.1:${name#node-}"
  done
  if [ -f "$dir/pids" ]; then
    while read -r name pid; do
      address=""
      [ -d "$dir/$name" ] && address=$(port_of "$dir/$name")
      line "$name" "$pid" "$address"
    done < "$dir/pids"
  fi
  [ -f "$dir/watcher.pid" ] && line watcher "$(cat "$dir/watcher.pid")"
  return "$dead"
}

start() {
  local owner="" n url
  while [ $# -gt 0 ]; do
    case "$1" in
      --owner) owner=${2:?--owner needs a pid}; shift 2 ;;
      *) usage ;;
    esac
  done
  [ -x "$chirpd" ] || fail "no chirpd at $chirpd (build it, or set CHIRPD_BIN)"
  for tool in nginx redis-server curl python3; do
    command -v "$tool" > /dev/null || fail "$tool is not installed (scripts/setup.sh installs what Chirp needs)"
  done
  local made=""
  [ -e "$dir" ] || made=1
  mkdir -p "$dir"
  # Made here: open to the postgres user whatever the umask.
  [ -n "$made" ] && chmod 755 "$dir"
  dir=$(cd "$dir" && pwd -P)
  if [ -e "$dir/pids" ] || [ -e "$dir/postgres" ] || [ -e "$dir/redis" ]; then
    fail "$dir holds a deployment already: scripts/scaled.sh stop $dir first"
  fi
  # `stop` removes DIR whole: nothing else may be in it.
  [ -z "$(ls -A "$dir")" ] || fail "$dir is not empty: give a new or empty directory"
  if [ "$(id -u)" -eq 0 ] && ! setpriv --reuid=postgres --regid=postgres --init-groups -- test -x "$dir"; then
    [ -n "$made" ] && rmdir "$dir"
    fail "PostgreSQL runs as the postgres user, which cannot reach $dir: choose a directory it can (e.g. under /tmp), or let it in (chmod o+x on $dir and every directory above it)"
  fi
  # From here on, a failure stops what was started.
  trap 'status=$?; if [ "$status" -ne 0 ]; then log "start failed: stopping what was started"; stop_all; fi; exit "$status"' EXIT
  trap 'exit 1' INT TERM
  : > "$dir/pids"

  log "PostgreSQL primary and replica"
  # Each script shows its own log when it fails.
  url=$("$root/scripts/postgres.sh" start "$dir/postgres" | tail -1) || fail "PostgreSQL did not start"
  echo "$url" > "$dir/database-url"
  url=$("$root/scripts/postgres.sh" replica "$dir/postgres-replica" "$dir/postgres" | tail -1) ||
    fail "the PostgreSQL replica did not start"
  echo "$url" > "$dir/replica-url"

  log "Redis Cluster"
  url=$("$root/scripts/redis.sh" start "$dir/redis" | tail -1) || fail "the Redis Cluster did not start"
  echo "$url" > "$dir/redis-url"

  log "schema"
  chirpd_args migrate
  "${chirpd_argv[@]}" < /dev/null > "$dir/migrate.log" 2>&1 || fail "chirpd migrate failed" "$dir/migrate.log"

  # The load balancer's port, chosen now: the instances write their URLs
  # (statuses, profiles, streams) with it.
  echo "http://127.0.0.1:$(free_port)" > "$dir/url"
  for n in $(seq "$api_instances"); do
    log "API instance $n"
    start_chirpd serve "$n" "$dir/api-$n" 'chirpd listening on http://'
    sed -n 's|^chirpd listening on \(http://[^ ]*\).*|\1|p' "$dir/api-$n/log" | head -1 | sed 's|/*$||' \
      > "$dir/api-$n/url"
    sed 's|.*:||' "$dir/api-$n/url" > "$dir/api-$n/port"
  done
  for n in $(seq "$workers"); do
    log "worker $n"
    start_chirpd worker "$n" "$dir/worker-$n" 'chirpd worker [0-9]* running'
    sed -n 's|^chirpd worker [0-9]* metrics on \(http://[^ ]*\).*|\1|p' "$dir/worker-$n/log" |
      head -1 > "$dir/worker-$n/url"
  done

  log "load balancer"
  start_nginx
  wait_ready "$(cat "$dir/url")"

  if [ -n "$owner" ]; then
    # shellcheck disable=SC2016  # the watcher's own arguments
    setsid bash -c 'while kill -0 "$2" 2> /dev/null; do sleep 0.5; done; exec "$0" stop "$1"' \
      "$root/scripts/scaled.sh" "$dir" "$owner" < /dev/null > /dev/null 2>&1 &
    echo $! > "$dir/watcher.pid"
  fi
  trap - EXIT INT TERM
  log "ready: API instances $(cat "$dir"/api-*/url | tr '\n' ' ')behind $(cat "$dir/url") (scripts/scaled.sh status $dir)"
  cat "$dir/url"
}

dir=$1
shift
case "$command" in
  start) start "$@" ;;
  status)
    [ -d "$dir" ] || fail "no deployment in $dir"
    dir=$(cd "$dir" && pwd -P)
    show_status
    ;;
  url) cat "$dir/url" ;;
  stop)
    [ $# -eq 0 ] || usage
    if [ -d "$dir" ]; then dir=$(cd "$dir" && pwd -P); fi
    stop_all
    ;;
  *) usage ;;
esac
