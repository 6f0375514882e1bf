#!/usr/bin/env bash
# The single-instance benchmarks on each store in turn: chirpd on the
# embedded store; the same chirpd with its records in PostgreSQL
# (--database-url) on a server started here (scripts/postgres.sh, durable:
# every commit flushed, as the embedded store's --sync full), a fresh
# database for each run; and the same again with its home timelines in a
# Redis Cluster started here (--redis-url; scripts/redis.sh, three masters
# with a replica each). Prints each benchmark's ratio to nginx on each, the
# others' as a share of the embedded one's, measured in the same run, and
# what one request cost: chirpd's CPU, PostgreSQL's statements and rows,
# the cluster's commands (bench/request_costs.py).
#
#   bench/stores.sh                                   # post_status post_fanout verify_credentials home_timeline
#   bench/stores.sh post_status                       # or some of them
#
# With BENCH_RESULTS set, one JSON line a benchmark (stores_<name>).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(post_status post_fanout verify_credentials home_timeline)

work=$(mktemp -d /tmp/chirp-bench-stores-XXXXXX)
chmod 755 "$work"
trap '"$root/scripts/postgres.sh" stop "$work/pg" > /dev/null 2>&1 || true
      "$root/scripts/redis.sh" stop "$work/redis" > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
url=$("$root/scripts/postgres.sh" start "$work/pg" | tail -1)
server=${url%/*}
redis_url=$("$root/scripts/redis.sh" start "$work/redis" | tail -1)

# run NAME STORE: the benchmark's JSON result line on STORE (sqlite,
# postgres, or redis: PostgreSQL and the cluster).
run() {
  local name=$1 store=$2 results="$work/$1.$2.json"
  : > "$results"
  if [ "$store" = sqlite ]; then
    env -u CHIRP_DATABASE_URL -u CHIRP_REDIS_URL BENCH_RESULTS="$results" "$here/$name.sh" \
      > "$work/$name.$store.out" 2>&1
  else
    local db="bench_${name}_${store}_$RANDOM" redis=""
    psql -X -q "$server/postgres" -c "CREATE DATABASE $db"
    psql -X -q "$server/$db" -c "CREATE EXTENSION pg_stat_statements"
    [ "$store" = redis ] && redis=$redis_url
    env -u CHIRP_REDIS_URL ${redis:+CHIRP_REDIS_URL="$redis"} CHIRP_REDIS_PREFIX="$db:" \
      CHIRP_DATABASE_URL="$server/$db" BENCH_RESULTS="$results" "$here/$name.sh" > "$work/$name.$store.out" 2>&1
  fi || { echo "$name on $store failed:" >&2; tail -20 "$work/$name.$store.out" >&2; exit 1; }
  tail -1 "$results"
}

printf '%-20s %9s %9s %9s %7s %7s   %s\n' benchmark sqlite postgres redis share share "per request: CPU us, statements, rows, Redis commands"
for name in "${names[@]}"; do
  sqlite=$(run "$name" sqlite)
  postgres=$(run "$name" postgres)
  redis=$(run "$name" redis)
  python3 - "$name" "$sqlite" "$postgres" "$redis" <<'PY'
import json, os, sys
name = sys.argv[1]
s, p, r = (json.loads(a) for a in sys.argv[2:5])
# Posting with fan-out reports its rate against its goal rather than nginx.
for x in (s, p, r):
    x.setdefault("ratio", x.get("goal_ratio", 0))
share = lambda x: x["ratio"] / s["ratio"] if s["ratio"] else 0
def cost(x):
    keys = ("cpu_us_per_request", "pg_statements_per_request", "pg_rows_per_request",
            "redis_commands_per_request")
    return "/".join(f"{x[k]:g}" if k in x else "-" for k in keys)
print(f"{name:<20} {s['ratio']:9.3f} {p['ratio']:9.3f} {r['ratio']:9.3f} {share(p):7.2f} {share(r):7.2f}"
      f"   {cost(s)} | {cost(p)} | {cost(r)}   ({s['rps']:.0f}, {p['rps']:.0f}, {r['rps']:.0f} requests/s)")
out = os.environ.get("BENCH_RESULTS")
if out:
    result = {"benchmark": "stores_" + name, "postgres_share": share(p), "redis_share": share(r)}
    for label, x in (("sqlite", s), ("postgres", p), ("redis", r)):
        result[label + "_ratio"] = x["ratio"]
        result[label + "_rps"] = x["rps"]
        for k, v in x.items():
            if k.endswith("_per_request"):
                result[f"{label}_{k}"] = v
    with open(out, "a") as f:
        f.write(json.dumps(result) + "\n")
PY
done
