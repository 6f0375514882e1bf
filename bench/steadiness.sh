#!/usr/bin/env bash
# Whether chirpd holds steady under a long mixed load: the DeathStarBench
# mix (60% home, 30% user, 10% posts) in a closed loop on the generated
# graph, ROUNDS rounds of ROUND_SECONDS each against one chirpd, with its
# memory and caches read after every round. Passes when the last round's
# throughput is no more than 10% below the first's (the first fills the
# caches from cold, so it is usually the slowest) and resident memory grew,
# after the first round, by no more than what the bounded caches and the
# store's page caches took meanwhile (plus SLACK_MB).
#
#   ACCOUNTS, STATUSES, READERS, DATASET: the graph (bench/graph_dataset.sh)
#   ROUNDS=10 ROUND_SECONDS=60 CONNECTIONS=64 SLACK_MB=64
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/graph_dataset.sh"
rounds=${ROUNDS:-10}
round_seconds=${ROUND_SECONDS:-60}
connections=${CONNECTIONS:-64}
slack_mb=${SLACK_MB:-64}
bin="$bench_root/build/bin"
runs="$bench_tmp/runs.jsonl"
: > "$runs"

load_graph_dataset
start_chirpd --rate-limits off

# chirpd's metrics after each round (one JSON line each), for its memory
# and what each bounded or counted holder says it takes.
memory="$bench_tmp/memory.jsonl"
metrics_json > "$memory"
for round in $(seq "$rounds"); do
  "$bin/chirp-bench" run --url "$CHIRP_URL" --workload mix --tokens "$bench_tmp/tokens" \
    --connections "$connections" --duration "$round_seconds" --warmup 0 \
    --metrics-url "$CHIRP_URL/metrics" --pid "$CHIRP_PID" --json "$runs" --label "round$round" >&2
  metrics_json >> "$memory"
done

python3 - "$runs" "$memory" "$accounts" "$statuses" "$readers" "$round_seconds" "$slack_mb" \
  "${BENCH_RESULTS:-}" <<'PY'
import json, sys
runs_path, memory_path, accounts, statuses, readers, round_s, slack_mb, results = sys.argv[1:]
runs = [json.loads(l) for l in open(runs_path)]
mem = [json.loads(l) for l in open(memory_path)]
MB = 2**20
def cached(m):  # what the bounded and counted holders say they take
    g = lambda name: m.get(name, 0)
    return (g("chirp_status_cache_bytes") + g("chirp_reader_cache_bytes") + g("chirp_account_bytes") +
            g("chirp_author_posts_bytes") + g("chirp_store_memory_bytes") +
            g("chirp_timeline_entry_slots") * g("chirp_timeline_entry_bytes"))
print(f"steadiness: {accounts} accounts, {statuses} statuses each, {readers} readers; "
      f"{len(runs)} rounds of the mix, {round_s} s each")
print(f"{'round':>5} {'req/s':>9} {'p99 ms':>8} {'lag p99':>8} {'resident MB':>12} {'held MB':>8} "
      f"{'statuses':>9} {'timelines':>9}")
for i, r in enumerate(runs):
    m = mem[i + 1]
    server = r.get("server", {})
    lag = server.get("fanout_lag_p99_ms", "")
    print(f"{i + 1:5d} {r['throughput_rps']:9.0f} {r['latency_ms']['p99']:8.2f} {lag:>8} "
          f"{m['chirp_process_resident_bytes'] / MB:12.0f} {cached(m) / MB:8.0f} "
          f"{int(m['chirp_status_cache_entries']):9d} {int(m['chirp_timeline_live']):9d}")
first, last = runs[0]["throughput_rps"], runs[-1]["throughput_rps"]
later = [r["throughput_rps"] for r in runs[1:]] or [last]
# Growth from the end of the first round, when the caches have begun to fill.
grown = (mem[-1]["chirp_process_resident_bytes"] - mem[1]["chirp_process_resident_bytes"]) / MB
held = (cached(mem[-1]) - cached(mem[1])) / MB
unexplained = grown - held
ratio = last / first
# The first round fills the caches from cold: a last round above it is
# steadiness too; one below it by more than 10% is the decline looked for.
ok = ratio >= 0.90 and unexplained <= float(slack_mb)
print(f"last round / first: {ratio:.3f} (rounds after the first: {min(later):.0f} to {max(later):.0f} req/s); resident grew {grown:.0f} MB after the first round, "
      f"the caches {held:.0f} MB of it; unexplained {unexplained:.0f} MB (allowed {slack_mb}): "
      f"{'steady' if ok else 'NOT steady'}")
out = {"benchmark": "steadiness", "rounds": len(runs), "round_s": int(round_s),
       "first_rps": round(first), "last_rps": round(last), "last_over_first": round(ratio, 3),
       "later_min_rps": round(min(later)), "later_max_rps": round(max(later)),
       "resident_growth_mb": round(grown), "cache_growth_mb": round(held),
       "unexplained_mb": round(unexplained), "steady": ok}
if results:
    with open(results, "a") as f: f.write(json.dumps(out) + "\n")
print(json.dumps(out))
sys.exit(0 if ok else 1)
PY
