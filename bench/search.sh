#!/usr/bin/env bash
# Search on the suite's generated graph (bench/graph_dataset.sh: 100,000
# accounts and 10 million statuses by default), driven by chirp-bench at 64
# connections, with nginx baselines of the same run:
#
#   search-word      a word most statuses hold
#   search-rare      a number of a link: a word a few statuses hold
#   search-phrase    two words as a phrase
#   search-from      from:USERNAME
#   search-tag       the hashtag a fifth of the statuses carry
#   search-accounts  /api/v1/accounts/search for 7 characters of a username
#
# The status searches are ratios to nginx serving a file of their median
# response's size, the account search to one of its own. Then posting with
# fan-out in a closed loop (16 connections) with the indexer on, its index
# lag from /metrics, and the same run with chirpd started with --search off:
# the indexer's cost as a ratio. Last, the index's bytes per status.
#
#   ACCOUNTS, STATUSES, READERS, DATASET: the graph (bench/graph_dataset.sh)
#   CONNECTIONS=64, DURATION=10, WARMUP=2
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/graph_dataset.sh"
connections=${CONNECTIONS:-64}
duration=${DURATION:-10}
warmup=${WARMUP:-2}
runs="$bench_tmp/runs.jsonl"
: > "$runs"

load_graph_dataset
start_chirpd --rate-limits off

# median_bytes PATH_AND_QUERY...: the median size of the answers to the
# requests given, each made by the next reader.
median_bytes() {
  python3 - "$CHIRP_URL" "$bench_tmp/tokens" "$@" <<'PY'
import http.client, sys, urllib.parse
url = urllib.parse.urlparse(sys.argv[1])
tokens = [line.split()[2] for line in open(sys.argv[2])]
conn = http.client.HTTPConnection(url.hostname, url.port)
sizes = []
for i, target in enumerate(sys.argv[3:]):
    conn.request("GET", target, headers={"Authorization": "Bearer " + tokens[i % len(tokens)]})
    r = conn.getresponse()
    sizes.append(len(r.read()))
    if r.status != 200: sys.exit(f"{target}: {r.status}")
print(sorted(sizes)[len(sizes) // 2])
PY
}
# The search index's lag histogram as "count sum_seconds le1:count ...".
lag_histogram() {
  curl -sf "$CHIRP_URL/metrics" | awk '/^chirp_search_index_lag_seconds/ {print $1, $2}'
}

words=(the timeline coffee servers caches weekend)
targets=()
for w in "${words[@]}"; do targets+=("/api/v2/search?type=statuses&q=$w"); done
targets+=("/api/v2/search?type=statuses&q=%22the%20coffee%22" "/api/v2/search?type=statuses&q=%23chirpbench")
status_median=$(median_bytes "${targets[@]}")
account_targets=()
for i in $(seq 100 120); do account_targets+=("/api/v1/accounts/search?q=user$i"); done
account_median=$(median_bytes "${account_targets[@]}")

head -c "$status_median" /dev/zero | tr '\0' 'x' > "$bench_tmp/status_median.json"
start_nginx "$bench_tmp/status_median.json"
nginx_run nginx_statuses
for kind in word rare phrase from tag; do bench "search_$kind" "search-$kind" "$connections" "$warmup"; done
# The same nginx, now serving a file of the account search's median size.
head -c "$account_median" /dev/zero | tr '\0' 'x' > "$bench_tmp/nginx/www/static.json"
nginx_run nginx_accounts
bench search_accounts search-accounts "$connections" "$warmup"

lag_before=$(lag_histogram)
bench post_indexed post 16 "$warmup"
wait_drained
lag_after=$(lag_histogram)
index_bytes=$(metric chirp_search_index_bytes)
kill "$CHIRP_PID" 2> /dev/null || true
wait "$CHIRP_PID" 2> /dev/null || true
start_chirpd --rate-limits off --search off
bench post_unindexed post 16 "$warmup"
wait_drained
head -c "$status_median" /dev/zero | tr '\0' 'x' > "$bench_tmp/nginx/www/static.json"
nginx_run nginx_after

python3 - "$runs" "$status_median" "$account_median" "$accounts" "$statuses" "$index_bytes" \
  "$lag_before" "$lag_after" "${BENCH_RESULTS:-}" <<'PY'
import json, sys
(runs_path, status_median, account_median, accounts, statuses, index_bytes, lag_before, lag_after,
 results) = sys.argv[1:]
runs = {r["label"]: r for r in map(json.loads, open(runs_path))}
nginx_statuses = (runs["nginx_statuses"]["throughput_rps"] + runs["nginx_after"]["throughput_rps"]) / 2
nginx_accounts = runs["nginx_accounts"]["throughput_rps"]
print(f"graph: {accounts} accounts, {statuses} statuses each; median answers: statuses "
      f"{status_median} bytes, accounts {account_median} bytes")
print(f"nginx static: {nginx_statuses:.0f} req/s (statuses' size), {nginx_accounts:.0f} (accounts')")
print(f"{'run':16} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9} {'errors':>6} {'/ base':>8}")
lines = []
def row(label, base):
    r = runs[label]
    lat = r["latency_ms"]
    ratio = r["throughput_rps"] / base
    print(f"{label:16} {r['throughput_rps']:9.0f} {lat['p50']:8.2f} {lat['p99']:8.2f} {lat['p99_9']:9.2f} "
          f"{r['errors']:6d} {ratio:8.3f}")
    lines.append({"benchmark": label, "rps": round(r["throughput_rps"]), "p50_ms": lat["p50"],
                  "p99_ms": lat["p99"], "p99_9_ms": lat["p99_9"], "errors": r["errors"],
                  "ratio": round(ratio, 3)})
for kind in ["word", "rare", "phrase", "from", "tag"]:
    row(f"search_{kind}", nginx_statuses)
row("search_accounts", nginx_accounts)
row("post_indexed", runs["post_unindexed"]["throughput_rps"])
row("post_unindexed", runs["post_unindexed"]["throughput_rps"])
# The index lag over the indexed posting run: the histogram's difference.
def parse(text):
    buckets, count = {}, 0
    for line in text.splitlines():
        name, value = line.split()
        if name.endswith("_count"): count = float(value)
        elif "le=" in name: buckets[name.split('le="')[1].rstrip('"}')] = float(value)
    return buckets, count
b0, c0 = parse(lag_before)
b1, c1 = parse(lag_after)
events = c1 - c0
p99 = None
if events > 0:
    for le in sorted((k for k in b1 if k != "+Inf"), key=float):
        if b1[le] - b0.get(le, 0) >= 0.99 * events:
            p99 = float(le) * 1000
            break
total = int(accounts) * int(statuses)
per_status = int(float(index_bytes)) / total if total else 0
print(f"index lag while posting: p99 at most {p99} ms over {events:.0f} events; "
      f"index {int(float(index_bytes)) / 2**20:.0f} MiB, {per_status:.0f} bytes a status")
lines.append({"benchmark": "search_index", "lag_p99_ms": p99, "bytes_per_status": round(per_status)})
if results:
    with open(results, "a") as f:
        for l in lines: f.write(json.dumps(l) + "\n")
PY
