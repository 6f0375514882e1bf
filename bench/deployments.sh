#!/usr/bin/env bash
# The suite's workloads (bench/graph_workloads.sh: home timelines, user
# timelines, the DeathStarBench mix closed and open loop, follows, posts
# with fan-out) on both deployments in one run: the embedded one, then
# chirpd with its records in PostgreSQL (scripts/postgres.sh, durable) and
# its home timelines and rate limits in a Redis Cluster (scripts/redis.sh,
# three masters with a replica each), started here. One chirpd serves in
# both, so what differs is where the state lives. Prints each workload's
# rate and p99 on both and the scaled-out one's rate as a share of the
# embedded one's.
#
#   ACCOUNTS=5000 bench/deployments.sh     # the graph's size (default 5,000)
#   LANE_PARTITIONS=4 bench/deployments.sh  # and a third run: the scaled-out one
#                                           # with fan-out in 4 partitions (--lane-partitions)
#
# With BENCH_RESULTS set, one JSON line a workload (deployments_<name>).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export ACCOUNTS=${ACCOUNTS:-5000}

work=$(mktemp -d /tmp/chirp-bench-deployments-XXXXXX)
chmod 755 "$work"
trap '"$root/scripts/postgres.sh" stop "$work/pg" > /dev/null 2>&1 || true
      "$root/scripts/redis.sh" stop "$work/redis" > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
url=$("$root/scripts/postgres.sh" start "$work/pg" | tail -1)
redis_url=$("$root/scripts/redis.sh" start "$work/redis" | tail -1)
psql -X -q "$url" -c "CREATE EXTENSION pg_stat_statements"

# run NAME [ENV...]: graph_workloads.sh with ENV, its results in $work/NAME.json.
run() {
  local name=$1
  shift
  : > "$work/$name.json"
  env -u CHIRP_DATABASE_URL -u CHIRP_REDIS_URL "$@" BENCH_RESULTS="$work/$name.json" \
    "$here/graph_workloads.sh" > "$work/$name.out" 2>&1 ||
    { echo "graph_workloads.sh on $name failed:" >&2; tail -30 "$work/$name.out" >&2; exit 1; }
  grep -A12 '^run ' "$work/$name.out" >&2 || true
}
run embedded
run scaled CHIRP_DATABASE_URL="$url" CHIRP_REDIS_URL="$redis_url"
partitions=${LANE_PARTITIONS:-1}
if [ "$partitions" -gt 1 ]; then
  # A database and a key prefix of its own.
  psql -X -q "$url" -c "CREATE DATABASE chirp_partitioned"
  psql -X -q "${url%/*}/chirp_partitioned" -c "CREATE EXTENSION pg_stat_statements"
  run partitioned CHIRP_DATABASE_URL="${url%/*}/chirp_partitioned" CHIRP_REDIS_URL="$redis_url" \
    CHIRP_REDIS_PREFIX="chirp_partitioned:" CHIRP_LANE_PARTITIONS="$partitions"
fi

python3 - "$work/embedded.json" "$work/scaled.json" "$work/partitioned.json" <<'PY'
import json, os, sys
def load(path):
    if not os.path.exists(path):
        return {}
    return {r["benchmark"]: r for r in map(json.loads, open(path)) if r["benchmark"].startswith("graph_")}
embedded, scaled, partitioned = load(sys.argv[1]), load(sys.argv[2]), load(sys.argv[3])
out = os.environ.get("BENCH_RESULTS")
lag = lambda r: "" if r.get("lag_p99_ms") is None else f"{r['lag_p99_ms']}"
head = f"{'workload':12} {'embedded /s':>12} {'p99 ms':>8} {'scaled /s':>10} {'p99 ms':>8} {'share':>6} {'lag p99':>8}"
if partitioned:
    head += f" {'partitioned /s':>15} {'p99 ms':>8} {'share':>6} {'lag p99':>8}"
print(head)
for name in ["home_cold", "home", "user", "mix", "mix_open", "follow", "post"]:
    e, s = embedded.get("graph_" + name), scaled.get("graph_" + name)
    if not e or not s:
        continue
    share = s["rps"] / e["rps"] if e["rps"] else 0
    line = f"{name:12} {e['rps']:12.0f} {e['p99_ms']:8.2f} {s['rps']:10.0f} {s['p99_ms']:8.2f} {share:6.2f} {lag(s):>8}"
    record = {"benchmark": "deployments_" + name, "embedded_rps": e["rps"],
              "embedded_p99_ms": e["p99_ms"], "scaled_rps": s["rps"],
              "scaled_p99_ms": s["p99_ms"], "scaled_share": round(share, 3)}
    p = partitioned.get("graph_" + name)
    if p:
        pshare = p["rps"] / e["rps"] if e["rps"] else 0
        line += f" {p['rps']:15.0f} {p['p99_ms']:8.2f} {pshare:6.2f} {lag(p):>8}"
        record.update({"partitioned_rps": p["rps"], "partitioned_p99_ms": p["p99_ms"],
                       "partitioned_share": round(pshare, 3)})
    print(line)
    if out:
        with open(out, "a") as f:
            f.write(json.dumps(record) + "\n")
PY
