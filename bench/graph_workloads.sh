#!/usr/bin/env bash
# The suite's workloads on a generated social graph, driven by chirp-bench,
# with the baselines of the same run: nginx serving a file of the median
# home-timeline response's size (the HTTP ceiling) and, where PostgreSQL is
# installed, the design documents' fan-out-on-read timeline query on their
# own schema through pgbench, loaded with the same graph and statuses.
#
#   ACCOUNTS, STATUSES, READERS, DATASET: the graph (bench/graph_dataset.sh)
#   CONNECTIONS=64   keep-alive connections of each closed-loop run
#   DURATION=10      measured seconds of each run (after WARMUP=2)
#   OPEN_SHARE=0.5   the open-loop mix runs at this share of the closed-loop mix's rate
#
# Runs, in order: the home timeline, user timelines, the DeathStarBench mix
# (60% home, 30% user, 10% posts) closed and open loop, follows and
# unfollows, posts with fan-out; nginx before and after them. Every chirpd
# run also reports the timeline cache hit rate, fan-out lag and chirpd's
# resident memory from /metrics and /proc. Each result is a ratio to nginx
# (and the home timeline also to PostgreSQL). The load takes a few minutes
# at 100,000 accounts; chirp-bench's own JSON lines are kept beside the
# suite's results when BENCH_RESULTS is set.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/postgres/lib.sh"
source "$(dirname "$0")/graph_dataset.sh"
connections=${CONNECTIONS:-64}
duration=${DURATION:-10}
warmup=${WARMUP:-2}
open_share=${OPEN_SHARE:-0.5}
runs="$bench_tmp/runs.jsonl"
: > "$runs"

load_graph_dataset

start_chirpd --rate-limits off

# last FIELD: a field of the last run's JSON (dots for nesting).
last() { python3 -c 'import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
for key in sys.argv[2].split("."): r = r[key]
print(r)' "$runs" "$1"; }

# The first reads, timed apart: most rebuild a reader's timeline from the
# store (the timelines of the graph's accounts are not live after a load).
rebuild_before="$(metric chirp_timeline_rebuilds_total) $(metric chirp_timeline_rebuild_cpu_microseconds_total)"
bench home_cold home "$connections" 0
rebuild_after="$(metric chirp_timeline_rebuilds_total) $(metric chirp_timeline_rebuild_cpu_microseconds_total)"

# The median home response: one page each of 101 readers.
python3 - "$CHIRP_URL" "$bench_tmp/tokens" > "$bench_tmp/median_bytes" <<'PY'
import http.client, sys, urllib.parse
url = urllib.parse.urlparse(sys.argv[1])
conn = http.client.HTTPConnection(url.hostname, url.port)
sizes = []
for line in list(open(sys.argv[2]))[:101]:
    conn.request("GET", "/api/v1/timelines/home", headers={"Authorization": "Bearer " + line.split()[2]})
    r = conn.getresponse()
    sizes.append(len(r.read()))
    if r.status != 200: sys.exit(f"home read failed: {r.status}")
print(sorted(sizes)[len(sizes) // 2])
PY
median=$(cat "$bench_tmp/median_bytes")
head -c "$median" /dev/zero | tr '\0' 'x' > "$bench_tmp/median.json"
start_nginx "$bench_tmp/median.json"

nginx_run nginx_before
bench home home "$connections" "$warmup"
bench user user "$connections" "$warmup"
bench mix mix "$connections" "$warmup"
mix_rate=$(python3 -c "import sys; print(max(1, int(float(sys.argv[1]) * float(sys.argv[2]))))" \
  "$(last throughput_rps)" "$open_share")
bench mix_open mix "$connections" "$warmup" --rate "$mix_rate"
bench follow follow 16 "$warmup"
bench post post 16 "$warmup"
wait_drained
nginx_run nginx_after
resident=$(awk '/VmRSS/ {print $2 * 1024}' "/proc/$CHIRP_PID/status")
metrics_json > "$bench_tmp/metrics_after.json"

pg="none"
if postgres_available; then
  kill "$CHIRP_PID" 2> /dev/null || true  # its memory and cores, for PostgreSQL's run
  start_postgres
  pg_load_graph "$bench_tmp/graph.edges" "$bench_tmp/statuses.tsv"
  pg=$(pg_home_timeline_bench)
else
  echo "PostgreSQL is not installed: no fan-out-on-read baseline" >&2
fi

[ -z "${BENCH_RESULTS:-}" ] || cp "$runs" "${BENCH_RESULTS%.json}.graph_workloads.runs.jsonl"
python3 - "$runs" "$pg" "$median" "$accounts" "$statuses" "$readers" "$graph_seconds" \
  "$statuses_seconds" "$resident" "$bench_tmp/metrics_after.json" "$rebuild_before" "$rebuild_after" \
  "${BENCH_RESULTS:-}" <<'PY'
import json, sys
(runs_path, pg, median, accounts, statuses, readers, graph_s, statuses_s, resident, metrics_path,
 rebuild_before, rebuild_after, results) = sys.argv[1:]
runs = {r["label"]: r for r in map(json.loads, open(runs_path))}
nginx = (runs["nginx_before"]["throughput_rps"] + runs["nginx_after"]["throughput_rps"]) / 2
pg_fields = pg.split() if pg != "none" else None
lines = []
print(f"graph: {accounts} accounts, {statuses} statuses each, {readers} readers; "
      f"loaded in {graph_s} s (graph) and {statuses_s} s (statuses); median home response {median} bytes")
print(f"nginx static: {nginx:.0f} req/s (before {runs['nginx_before']['throughput_rps']:.0f}, "
      f"after {runs['nginx_after']['throughput_rps']:.0f})")
print(f"{'run':10} {'mode':6} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9} "
      f"{'errors':>6} {'hit rate':>8} {'lag p99':>8} {'/ nginx':>8}")
for label in ["home_cold", "home", "user", "mix", "mix_open", "follow", "post"]:
    r = runs[label]
    lat = r["latency_ms"]
    server = r.get("server", {})
    hit = server.get("timeline_cache_hit_rate")
    lag = server.get("fanout_lag_p99_ms") if server.get("fanout_lag_events") else None
    ratio = r["throughput_rps"] / nginx
    print(f"{label:10} {r['mode']:6} {r['throughput_rps']:9.0f} {lat['p50']:8.2f} {lat['p90']:8.2f} "
          f"{lat['p99']:8.2f} {lat['p99_9']:9.2f} {r['errors']:6d} "
          f"{'' if hit is None else f'{hit:.3f}':>8} {'' if lag is None else lag:>8} {ratio:8.3f}")
    out = {"benchmark": f"graph_{label}", "mode": r["mode"], "rps": round(r["throughput_rps"]),
           "p50_ms": lat["p50"], "p90_ms": lat["p90"], "p99_ms": lat["p99"], "p99_9_ms": lat["p99_9"],
           "errors": r["errors"], "nginx_rps": round(nginx), "ratio": round(ratio, 3)}
    if r["mode"] == "open": out["rate_rps"] = r["rate_rps"]
    if hit is not None: out["hit_rate"] = round(hit, 3)
    if lag is not None: out["lag_p99_ms"] = lag
    lines.append(out)
# CPU per rebuild over the first reads (from chirpd's own count of it).
before, after = rebuild_before.split(), rebuild_after.split()
if len(before) == 2 and len(after) == 2:
    rebuilds = float(after[0]) - float(before[0])
    cpu_us = float(after[1]) - float(before[1])
    if rebuilds > 0:
        print(f"home_cold rebuilt {rebuilds:.0f} timelines at {cpu_us / rebuilds / 1000:.2f} ms of CPU each")
        lines.append({"benchmark": "graph_rebuild", "rebuilds": int(rebuilds),
                      "cpu_ms_each": round(cpu_us / rebuilds / 1000, 3)})
home = runs["home"]
if pg_fields:
    tps, p50, p90, p99, p999 = map(float, pg_fields)
    ratio = home["throughput_rps"] / tps
    print(f"postgres fan-out-on-read: {tps:.1f} queries/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms; "
          f"chirpd's home timeline is {ratio:.0f} times its rate")
    lines.append({"benchmark": "graph_home_vs_postgres", "rps": round(home["throughput_rps"]),
                  "pg_tps": tps, "pg_p50_ms": p50, "pg_p99_ms": p99, "ratio": round(ratio, 1)})
lines.append({"benchmark": "graph_load", "accounts": int(accounts), "statuses": int(accounts) * int(statuses),
              "graph_s": float(graph_s), "statuses_s": float(statuses_s),
              "resident_mb": round(int(resident) / 2**20)})
# Where chirpd's memory went after the runs, per thing held (its own estimates).
m = json.load(open(metrics_path))
def each(total, count): return round(m.get(total, 0) / m[count]) if m.get(count) else 0
timeline_bytes = m.get("chirp_timeline_entry_slots", 0) * m.get("chirp_timeline_entry_bytes", 0)
memory = {"benchmark": "graph_memory", "resident_mb": round(m.get("chirp_process_resident_bytes", 0) / 2**20),
          "accounts": int(m.get("chirp_accounts_held", 0)),
          "bytes_per_account": each("chirp_account_bytes", "chirp_accounts_held"),
          "live_timelines": int(m.get("chirp_timeline_live", 0)),
          "bytes_per_live_timeline": round(timeline_bytes / m["chirp_timeline_live"]) if m.get("chirp_timeline_live") else 0,
          "cached_statuses": int(m.get("chirp_status_cache_entries", 0)),
          "bytes_per_cached_status": each("chirp_status_cache_bytes", "chirp_status_cache_entries"),
          "readers": int(m.get("chirp_reader_cache_entries", 0)),
          "bytes_per_reader": each("chirp_reader_cache_bytes", "chirp_reader_cache_entries"),
          "author_posts_mb": round(m.get("chirp_author_posts_bytes", 0) / 2**20)}
print(f"memory: resident {memory['resident_mb']} MB; {memory['accounts']} accounts at "
      f"{memory['bytes_per_account']} B, {memory['live_timelines']} live timelines at "
      f"{memory['bytes_per_live_timeline']} B, {memory['cached_statuses']} cached statuses at "
      f"{memory['bytes_per_cached_status']} B, {memory['readers']} readers at "
      f"{memory['bytes_per_reader']} B, authors' lists {memory['author_posts_mb']} MB")
lines.append(memory)
if results:
    with open(results, "a") as f:
        for line in lines: f.write(json.dumps(line) + "\n")
for line in lines[-2:]: print(json.dumps(line))
PY
