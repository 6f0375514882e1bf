# Helpers for the benchmark scripts: a chirpd and an nginx on loopback
# ephemeral ports, stopped when the script exits.
set -euo pipefail
bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_tmp=$(mktemp -d)
bench_pids=()
bench_cleanup() {
  for pid in "${bench_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$bench_tmp"
}
trap bench_cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_chirpd ARGS...: sets CHIRP_URL and CHIRP_PID.
start_chirpd() {
  local out="$bench_tmp/chirpd.out"
  "$bench_root/build/bin/chirpd" serve --listen 127.0.0.1:0 --data "$bench_tmp/data" "$@" > "$out" 2> "$bench_tmp/chirpd.err" &
  CHIRP_PID=$!
  bench_pids+=($!)
  # Up to ten minutes: a start may first build the search index.
  for _ in $(seq 6000); do
    CHIRP_URL=$(sed -n 's/^chirpd listening on \(.*\)$/\1/p' "$out")
    [ -n "$CHIRP_URL" ] && return 0
    kill -0 "$CHIRP_PID" 2> /dev/null || break
    sleep 0.1
  done
  echo "chirpd did not start"; cat "$bench_tmp/chirpd.err"; exit 1
}

# start_nginx FILE: serves FILE at /static.json; sets NGINX_URL.
start_nginx() {
  local port; port=$(free_port)
  mkdir -p "$bench_tmp/nginx/www"
  cp "$1" "$bench_tmp/nginx/www/static.json"
  # nginx's workers drop root for www-data: let them read the file.
  chmod 755 "$bench_tmp" "$bench_tmp/nginx" "$bench_tmp/nginx/www"
  chmod 644 "$bench_tmp/nginx/www/static.json"
  cat > "$bench_tmp/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $bench_tmp/nginx/nginx.pid;
error_log $bench_tmp/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $bench_tmp/nginx;
  proxy_temp_path $bench_tmp/nginx;
  fastcgi_temp_path $bench_tmp/nginx;
  uwsgi_temp_path $bench_tmp/nginx;
  scgi_temp_path $bench_tmp/nginx;
  keepalive_requests 1000000;
  types { application/json json; }
  server { listen 127.0.0.1:$port; root $bench_tmp/nginx/www; }
}
CONF
  nginx -e "$bench_tmp/nginx/error.log" -c "$bench_tmp/nginx/nginx.conf" &
  bench_pids+=($!)
  NGINX_URL="http://127.0.0.1:$port"
  for _ in $(seq 100); do curl -sf "$NGINX_URL/static.json" > /dev/null && return 0; sleep 0.1; done
  echo "nginx did not start"; cat "$bench_tmp/nginx/error.log"; exit 1
}

# sign_up USERNAME: registers an account on the chirpd started (through an
# app of its own) and prints its access token.
sign_up() {
  local app id secret app_token
  app=$(curl -sf -X POST "$CHIRP_URL/api/v1/apps" -d client_name=bench -d redirect_uris=urn:ietf:wg:oauth:2.0:oob -d 'scopes=read write')
  id=$(echo "$app" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])')
  secret=$(echo "$app" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])')
  app_token=$(curl -sf -X POST "$CHIRP_URL/oauth/token" -d grant_type=client_credentials -d client_id="$id" -d client_secret="$secret" -d 'scope=write' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  curl -sf -X POST "$CHIRP_URL/api/v1/accounts" -H "Authorization: Bearer $app_token" \
    -d username="$1" -d email="$1@example.com" -d password=benchmark-password -d agreement=true |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# wrk_run URL [WRK ARGS...]: one wrk run (WRK_THREADS, WRK_CONNECTIONS,
# WRK_SECONDS) with its output in $bench_tmp/wrk.out and on stderr; fails on
# any non-2xx answer; prints the requests per second.
wrk_run() {
  local url=$1
  shift
  wrk -t "${WRK_THREADS:-2}" -c "${WRK_CONNECTIONS:-64}" -d "${WRK_SECONDS:-10}s" --latency "$@" \
    "$url" > "$bench_tmp/wrk.out"
  cat "$bench_tmp/wrk.out" >&2
  grep -E '^Non-2xx' "$bench_tmp/wrk.out" && { echo "non-2xx answers" >&2; exit 1; }
  awk '/Requests\/sec/ {print $2}' "$bench_tmp/wrk.out"
}

# wrk_rps URL [HEADER]: requests per second over one run.
wrk_rps() {
  if [ -n "${2:-}" ]; then wrk_run "$1" -H "$2"; else wrk_run "$1"; fi
}

# follower_graph ACCOUNTS FOLLOWERS: imports ACCOUNTS accounts (user0...),
# each followed by FOLLOWERS others chosen at random with a fixed seed, and
# issues a token for each into $bench_tmp/accounts ('id username token').
follower_graph() {
  local accounts=$1 followers=$2
  python3 - "$accounts" "$followers" > "$bench_tmp/edges" <<'PY'
import random, sys
n, k = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(7)
for author in range(n):
    chosen = set()
    while len(chosen) < k:
        f = rng.randrange(n)
        if f != author: chosen.add(f)
    for follower in sorted(chosen):
        print(follower, author)
PY
  "$bench_root/build/bin/chirpd" admin import-graph --data "$bench_tmp/data" --edges "$bench_tmp/edges" --one-way on >&2
  seq 0 $((accounts - 1)) | sed 's/^/user/' > "$bench_tmp/usernames"
  "$bench_root/build/bin/chirpd" admin token --data "$bench_tmp/data" --usernames "$bench_tmp/usernames" > "$bench_tmp/accounts"
}

# warm_timelines: one home read for every account of $bench_tmp/accounts, so
# that every home timeline is live (each read rebuilds one from the store).
warm_timelines() {
  python3 - "$CHIRP_URL" "$bench_tmp/accounts" <<'PY'
import http.client, sys, urllib.parse
url = urllib.parse.urlparse(sys.argv[1])
conn = http.client.HTTPConnection(url.hostname, url.port)
for line in open(sys.argv[2]):
    token = line.split()[2]
    conn.request("GET", "/api/v1/timelines/home?limit=1", headers={"Authorization": "Bearer " + token})
    r = conn.getresponse(); r.read()
    if r.status != 200: sys.exit(f"home read failed: {r.status}")
PY
}

# metric NAME: the value of one metric of the running chirpd.
metric() { curl -sf "$CHIRP_URL/metrics" | awk -v m="$1" '$1 == m {print $2}'; }

# metrics_json: the running chirpd's metrics without labels, as one line of
# JSON ({"name": value, ...}).
metrics_json() {
  curl -sf "$CHIRP_URL/metrics" | python3 -c 'import json, sys
m = {}
for line in sys.stdin:
    if line and not line.startswith("#"):
        name, _, value = line.partition(" ")
        try: m[name] = float(value)
        except ValueError: pass
print(json.dumps(m))'
}

# wait_drained: until chirpd's consumers have handled every event.
wait_drained() {
  local a b
  for _ in $(seq 600); do
    a=$(metric chirp_events_handled_total); sleep 0.2; b=$(metric chirp_events_handled_total)
    [ "$a" = "$b" ] && return 0
  done
}

# cost_mark, then cost_fields after the measured run: what one request
# answered in between cost chirpd (CPU), PostgreSQL (statements, rows) and
# the Redis Cluster (commands), as record's KEY VALUE pairs
# (bench/request_costs.py).
cost_mark() {
  python3 "$bench_root/bench/request_costs.py" snapshot "$CHIRP_PID" "$CHIRP_URL" > "$bench_tmp/costs_before.json"
}
cost_fields() {
  python3 "$bench_root/bench/request_costs.py" since "$bench_tmp/costs_before.json" "$CHIRP_PID" "$CHIRP_URL"
}

# record NAME KEY VALUE [KEY VALUE...]: one result as a JSON line appended
# to $BENCH_RESULTS when it is set (bench/suite.sh sets it).
record() {
  [ -n "${BENCH_RESULTS:-}" ] || return 0
  python3 - "$@" >> "$BENCH_RESULTS" <<'PY'
import json, sys
name, rest = sys.argv[1], sys.argv[2:]
out = {"benchmark": name}
for key, value in zip(rest[::2], rest[1::2]):
    try:
        out[key] = float(value.rstrip("ms")) if value.endswith("ms") else float(value)
    except ValueError:
        out[key] = value
print(json.dumps(out))
PY
}
