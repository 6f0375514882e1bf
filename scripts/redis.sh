#!/usr/bin/env bash
# A Redis Cluster of this machine's Redis (Debian's redis-server 7.0) for
# Chirp, on 127.0.0.1 and free ports, with everything in DIR.
#
#   scripts/redis.sh start DIR [--masters N] [--replicas R] [--maxmemory BYTES] [--owner PID]
#       starts N masters (3) with R replicas each (1), each node holding
#       at most BYTES (e.g. 512mb; default: no bound), waits until the
#       cluster is ready, and prints its seed list as its last line:
#       redis://127.0.0.1:PORT,127.0.0.1:PORT,...  (every node)
#   scripts/redis.sh url DIR      the seed list again
#   scripts/redis.sh stop DIR     stops every node and removes DIR
#
# With --owner PID, the cluster is stopped and DIR removed once that
# process ends (tests pass their own process id, so that a test killed
# midway leaves nothing running).
#
# Each node lives in DIR/node-PORT (redis.conf, nodes.conf, pid, log).
# Persistence is off: the cluster is a cache, and Chirp rebuilds what it
# loses from the system of record. Past maxmemory, a node evicts the keys
# used longest ago among those with an expiry (every key Chirp writes has
# one): a timeline evicted is rebuilt when next read. A node's port is in DIR/ports, in the
# order started (masters first).
set -euo pipefail

usage() {
  echo "usage: $0 start DIR [--masters N] [--replicas R] [--maxmemory BYTES] [--owner PID] | url DIR | stop DIR" >&2
  exit 2
}
[ $# -ge 2 ] || usage
command=$1 dir=$2
shift 2

free_port() {
  # A cluster node also listens on PORT + 10000 for its bus: both must be free.
  python3 - << 'EOF'
import socket
while True:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    if port + 10000 > 65535:
        s.close(); continue
    b = socket.socket()
    try:
        b.bind(("127.0.0.1", port + 10000))
    except OSError:
        s.close(); continue
    b.close(); s.close(); print(port); break
EOF
}

url_of() {
  local seeds=()
  while read -r port; do seeds+=("127.0.0.1:$port"); done < "$1/ports"
  local IFS=,
  echo "redis://${seeds[*]}"
}

stop_all() {
  local d=$1
  [ -d "$d" ] || return 0
  for pidfile in "$d"/node-*/pid; do
    [ -f "$pidfile" ] && kill -TERM "$(cat "$pidfile")" 2> /dev/null || true
  done
  for pidfile in "$d"/node-*/pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2> /dev/null || true
  done
  [ -f "$d/watcher.pid" ] && kill "$(cat "$d/watcher.pid")" 2> /dev/null || true
  rm -rf "$d"
}

cluster_ok() {
  redis-cli -h 127.0.0.1 -p "$1" cluster info 2> /dev/null | grep -q '^cluster_state:ok'
}

case "$command" in
  start)
    masters=3 replicas=1 owner="" maxmemory=0
    while [ $# -gt 0 ]; do
      case "$1" in
        --masters) masters=$2; shift 2 ;;
        --replicas) replicas=$2; shift 2 ;;
        --owner) owner=$2; shift 2 ;;
        --maxmemory) maxmemory=$2; shift 2 ;;
        *) usage ;;
      esac
    done
    command -v redis-server > /dev/null || {
      echo "$0: Redis is not installed (scripts/setup.sh installs redis-server)" >&2; exit 1; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ -e "$dir/ports" ] && { echo "$0: $dir holds a cluster: stop it first" >&2; exit 1; }
    : > "$dir/ports"
    total=$((masters * (1 + replicas)))
    for _ in $(seq "$total"); do
      started=""
      for _ in 1 2 3; do
        port=$(free_port)
        node="$dir/node-$port"
        mkdir -p "$node"
        cat > "$node/redis.conf" << EOF
bind 127.0.0.1
port $port
dir $node
cluster-enabled yes
cluster-config-file nodes.conf
cluster-node-timeout 2000
cluster-replica-validity-factor 0
cluster-allow-reads-when-down no
save ""
appendonly no
maxmemory $maxmemory
maxmemory-policy volatile-lru
daemonize no
logfile $node/log
EOF
        setsid redis-server "$node/redis.conf" < /dev/null > /dev/null 2>&1 &
        echo $! > "$node/pid"
        for _ in $(seq 100); do
          redis-cli -h 127.0.0.1 -p "$port" ping > /dev/null 2>&1 && { started=1; break; }
          kill -0 "$(cat "$node/pid")" 2> /dev/null || break
          sleep 0.05
        done
        [ -n "$started" ] && break
        rm -rf "$node"
      done
      [ -n "$started" ] || { echo "$0: a Redis node did not start" >&2; stop_all "$dir"; exit 1; }
      echo "$port" >> "$dir/ports"
    done
    nodes=()
    while read -r port; do nodes+=("127.0.0.1:$port"); done < "$dir/ports"
    if ! redis-cli --cluster create "${nodes[@]}" --cluster-replicas "$replicas" --cluster-yes \
      > "$dir/create.log" 2>&1; then
      cat "$dir/create.log" >&2
      stop_all "$dir"
      exit 1
    fi
    # Ready once every node agrees that all slots are served, every replica
    # has found its master, each replica's link to it is up (its first
    # copy of the master done), and every node's CLUSTER SLOTS lists each
    # replica beside its master: Redis leaves a replica out of it until the
    # others have heard of its first copy, a second or more after the link
    # is up, and clients that read the map before then (WAIT for the
    # replicas the map lists) would not know it.
    want_replicas=$((masters * replicas))
    want_listed=$((masters * (replicas + 1)))
    for _ in $(seq 600); do
      ready=1
      while read -r port; do
        cluster_ok "$port" || { ready=""; break; }
        have=$(redis-cli -h 127.0.0.1 -p "$port" cluster nodes 2> /dev/null | awk '$3 ~ /slave/' | wc -l)
        [ "$have" -eq "$want_replicas" ] || { ready=""; break; }
        listed=$(redis-cli -h 127.0.0.1 -p "$port" cluster slots 2> /dev/null | grep -c '^127\.0\.0\.1$' || true)
        [ "$listed" -eq "$want_listed" ] || { ready=""; break; }
        replication=$(redis-cli -h 127.0.0.1 -p "$port" info replication 2> /dev/null | tr -d '\r')
        if grep -q '^role:slave' <<< "$replication"; then
          grep -q '^master_link_status:up' <<< "$replication" || { ready=""; break; }
        fi
      done < "$dir/ports"
      [ -n "$ready" ] && break
      sleep 0.1
    done
    [ -n "$ready" ] || { echo "$0: the cluster did not become ready" >&2; stop_all "$dir"; exit 1; }
    if [ -n "$owner" ]; then
      script=$(realpath "$0")
      setsid bash -c 'while kill -0 '"$owner"' 2> /dev/null; do sleep 0.5; done; "$0" stop "$1"' \
        "$script" "$dir" < /dev/null > /dev/null 2>&1 &
      echo $! > "$dir/watcher.pid"
    fi
    url_of "$dir"
    ;;
  url)
    url_of "$dir"
    ;;
  stop)
    stop_all "$dir"
    ;;
  *) usage ;;
esac
