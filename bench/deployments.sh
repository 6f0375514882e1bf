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
#   GRAPH=off SEARCH=on bench/deployments.sh  # only the search runs
#   SEARCH=on bench/deployments.sh          # and bench/search.sh on both (STATUSES a
#                                           # account, 100 by default: the index in SQLite
#                                           # against the one in PostgreSQL)
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

# run NAME SCRIPT [ENV...]: SCRIPT with ENV, its results in $work/NAME.json.
run() {
  local name=$1 script=$2
  shift 2
  : > "$work/$name.json"
  env -u CHIRP_DATABASE_URL -u CHIRP_REDIS_URL "$@" BENCH_RESULTS="$work/$name.json" \
    "$here/$script" > "$work/$name.out" 2>&1 ||
    { echo "$script on $name failed:" >&2; tail -30 "$work/$name.out" >&2; exit 1; }
  grep -A12 '^run ' "$work/$name.out" >&2 || true
}
graph=${GRAPH:-on}
if [ "$graph" = on ]; then
  run embedded graph_workloads.sh
  run scaled graph_workloads.sh CHIRP_DATABASE_URL="$url" CHIRP_REDIS_URL="$redis_url"
fi
partitions=${LANE_PARTITIONS:-1}
if [ "$graph" = on ] && [ "$partitions" -gt 1 ]; then
  # A database and a key prefix of its own.
  psql -X -q "$url" -c "CREATE DATABASE chirp_partitioned"
  psql -X -q "${url%/*}/chirp_partitioned" -c "CREATE EXTENSION pg_stat_statements"
  run partitioned graph_workloads.sh CHIRP_DATABASE_URL="${url%/*}/chirp_partitioned" \
    CHIRP_REDIS_URL="$redis_url" CHIRP_REDIS_PREFIX="chirp_partitioned:" \
    CHIRP_LANE_PARTITIONS="$partitions"
fi
if [ "${SEARCH:-off}" = on ]; then
  export STATUSES=${STATUSES:-100}
  psql -X -q "$url" -c "CREATE DATABASE chirp_search"
  run search_embedded search.sh
  cat "$work/search_embedded.out" | sed -n '/^graph:/,$p' >&2
  run search_scaled search.sh CHIRP_DATABASE_URL="${url%/*}/chirp_search" \
    CHIRP_REDIS_URL="$redis_url" CHIRP_REDIS_PREFIX="chirp_search:"
  cat "$work/search_scaled.out" | sed -n '/^graph:/,$p' >&2
fi

python3 - "$work/embedded.json" "$work/scaled.json" "$work/partitioned.json" \
  "$work/search_embedded.json" "$work/search_scaled.json" <<'PY'
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
# Search: each run's ratio to its own baseline (nginx, or posting without
# the indexer), and the scaled-out rate as a share of the embedded one.
def runs_of(path):
    if not os.path.exists(path):
        return {}
    return {r["benchmark"]: r for r in map(json.loads, open(path))}
se, ss = runs_of(sys.argv[4]), runs_of(sys.argv[5])
if se and ss:
    print(f"{'search':16} {'embedded /s':>12} {'p99 ms':>8} {'ratio':>6} {'scaled /s':>10} {'p99 ms':>8} {'ratio':>6} {'share':>6}")
    for name in ["search_word", "search_rare", "search_phrase", "search_from", "search_tag",
                 "search_accounts", "post_indexed"]:
        e, s = se.get(name), ss.get(name)
        if not e or not s:
            continue
        share = s["rps"] / e["rps"] if e["rps"] else 0
        print(f"{name:16} {e['rps']:12.0f} {e['p99_ms']:8.2f} {e['ratio']:6.3f} {s['rps']:10.0f} "
              f"{s['p99_ms']:8.2f} {s['ratio']:6.3f} {share:6.2f}")
        if out:
            with open(out, "a") as f:
                f.write(json.dumps({"benchmark": "deployments_" + name, "embedded_rps": e["rps"],
                                    "embedded_p99_ms": e["p99_ms"], "scaled_rps": s["rps"],
                                    "scaled_p99_ms": s["p99_ms"], "scaled_share": round(share, 3)}) + "\n")
    ie, is_ = se.get("search_index", {}), ss.get("search_index", {})
    print(f"index: embedded {ie.get('bytes_per_status')} bytes a status, lag p99 {ie.get('lag_p99_ms')} ms; "
          f"scaled {is_.get('bytes_per_status')} bytes a status, lag p99 {is_.get('lag_p99_ms')} ms")
PY
