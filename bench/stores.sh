#!/usr/bin/env bash
# The single-instance benchmarks on each store in turn: chirpd on the
# embedded store, then the same chirpd with its records in PostgreSQL
# (--database-url) on a server started here (scripts/postgres.sh, durable:
# every commit flushed, as the embedded store's --sync full), a fresh
# database for each run. Prints each benchmark's ratio to nginx on both,
# and the PostgreSQL one's as a share of the embedded one's, measured in
# the same run.
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
trap '"$root/scripts/postgres.sh" stop "$work/pg" > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
url=$("$root/scripts/postgres.sh" start "$work/pg" | tail -1)
server=${url%/*}

# run NAME STORE: the benchmark's JSON result line on STORE (sqlite or postgres).
run() {
  local name=$1 store=$2 results="$work/$1.$2.json"
  : > "$results"
  if [ "$store" = postgres ]; then
    local db="bench_${name}_$RANDOM"
    psql -X -q "$server/postgres" -c "CREATE DATABASE $db"
    CHIRP_DATABASE_URL="$server/$db" BENCH_RESULTS="$results" "$here/$name.sh" > "$work/$name.$store.out" 2>&1
  else
    env -u CHIRP_DATABASE_URL BENCH_RESULTS="$results" "$here/$name.sh" > "$work/$name.$store.out" 2>&1
  fi || { echo "$name on $store failed:" >&2; tail -20 "$work/$name.$store.out" >&2; exit 1; }
  tail -1 "$results"
}

printf '%-20s %12s %12s %10s\n' benchmark sqlite postgres share
for name in "${names[@]}"; do
  sqlite=$(run "$name" sqlite)
  postgres=$(run "$name" postgres)
  python3 - "$name" "$sqlite" "$postgres" <<'PY'
import json, os, sys
name, s, p = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
# Posting with fan-out reports its rate against its goal rather than nginx.
for r in (s, p):
    r.setdefault("ratio", r.get("goal_ratio", 0))
share = p["ratio"] / s["ratio"] if s["ratio"] else 0
print(f"{name:<20} {s['ratio']:12.3f} {p['ratio']:12.3f} {share:10.2f}   "
      f"({s['rps']:.0f} and {p['rps']:.0f} requests/s)")
out = os.environ.get("BENCH_RESULTS")
if out:
    with open(out, "a") as f:
        f.write(json.dumps({"benchmark": "stores_" + name, "sqlite_ratio": s["ratio"],
                            "postgres_ratio": p["ratio"], "postgres_share": share,
                            "sqlite_rps": s["rps"], "postgres_rps": p["rps"]}) + "\n")
PY
done
