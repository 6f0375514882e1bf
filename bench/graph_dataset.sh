# The generated social graph of the suite's graph workloads, loaded in bulk
# into $bench_tmp/data with tokens for its readers in $bench_tmp/tokens.
# Sourced after lib.sh; reads (all optional):
#
#   ACCOUNTS=100000  accounts of the generated graph (chirp-bench generate-graph, seed SEED=1)
#   STATUSES=100     statuses of each account over the past DAYS=7 days, loaded in bulk
#   READERS=10000    accounts with a token, who read, post and follow (user0..)
#   DATASET=         a directory to keep the loaded dataset in and reuse: the first run
#                    with it loads and keeps it there; later runs with the same sizes
#                    start from a copy (the load's figures are those of the first run)
#
# Sets accounts, statuses, readers, graph_seconds and statuses_seconds.
accounts=${ACCOUNTS:-100000}
statuses=${STATUSES:-100}
days=${DAYS:-7}
seed=${SEED:-1}
readers=${READERS:-10000}
[ "$readers" -le "$accounts" ] || readers=$accounts

# seconds_since START: elapsed seconds, one decimal.
# bench LABEL WORKLOAD CONNECTIONS WARMUP [ARGS...]: one chirp-bench run
# against chirpd as the dataset's readers, its JSON appended to $runs
# (each run lasts $duration seconds).
bench() {
  local label=$1 workload=$2 conns=$3 warm=$4
  shift 4
  "$bench_root/build/bin/chirp-bench" run --url "$CHIRP_URL" --workload "$workload" \
    --tokens "$bench_tmp/tokens" --connections "$conns" --duration "$duration" --warmup "$warm" \
    --metrics-url "$CHIRP_URL/metrics" --pid "$CHIRP_PID" --json "$runs" --label "$label" "$@" >&2
}
# nginx_run LABEL: the static baseline, the same way ($connections,
# $warmup).
nginx_run() {
  "$bench_root/build/bin/chirp-bench" run --url "$NGINX_URL/static.json" --workload static \
    --connections "$connections" --duration "$duration" --warmup "$warmup" --json "$runs" \
    --label "$1" >&2
}

seconds_since() { python3 -c "import time, sys; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$1"; }

load_graph_dataset() {
  local bin="$bench_root/build/bin" start
  local dataset=${DATASET:-}
  local dataset_key="accounts=$accounts statuses=$statuses days=$days seed=$seed readers=$readers search=1"
  if [ -n "$dataset" ] && [ "$(cat "$dataset/key" 2>/dev/null)" = "$dataset_key" ]; then
    cp -r "$dataset/data" "$dataset/graph.edges" "$dataset/statuses.tsv" "$dataset/tokens" "$bench_tmp/"
    sync  # the copy's gigabytes written back before the runs, not during them
    read -r graph_seconds statuses_seconds < "$dataset/seconds"
    echo "dataset copied from $dataset (loaded in ${graph_seconds} s and ${statuses_seconds} s)" >&2
    return 0
  fi
  "$bin/chirp-bench" generate-graph --accounts "$accounts" --seed "$seed" --out "$bench_tmp/graph.edges" >&2
  "$bin/chirp-bench" generate-statuses --edges "$bench_tmp/graph.edges" --per-account "$statuses" \
    --days "$days" --seed "$seed" --out "$bench_tmp/statuses.tsv" >&2
  start=$(date +%s.%N)
  "$bin/chirpd" admin import-graph --data "$bench_tmp/data" --edges "$bench_tmp/graph.edges" --one-way on >&2
  graph_seconds=$(seconds_since "$start")
  start=$(date +%s.%N)
  "$bin/chirpd" admin import-statuses --data "$bench_tmp/data" --statuses "$bench_tmp/statuses.tsv" >&2
  statuses_seconds=$(seconds_since "$start")
  # Imports write no events: the search index is built from the store.
  start=$(date +%s.%N)
  # The server then finds the index current (on PostgreSQL too: the index
  # and its position are in the database).
  "$bin/chirpd" admin reindex --data "$bench_tmp/data" --worker-id 0 >&2
  echo "search index built in $(seconds_since "$start") s" >&2
  seq 0 $((readers - 1)) | sed 's/^/user/' > "$bench_tmp/readers"
  "$bin/chirpd" admin token --data "$bench_tmp/data" --usernames "$bench_tmp/readers" > "$bench_tmp/tokens"
  echo "loaded: graph in ${graph_seconds} s, statuses in ${statuses_seconds} s" >&2
  if [ -n "$dataset" ]; then
    rm -rf "$dataset" && mkdir -p "$dataset"
    cp -r "$bench_tmp/data" "$bench_tmp/graph.edges" "$bench_tmp/statuses.tsv" "$bench_tmp/tokens" "$dataset/"
    echo "$graph_seconds $statuses_seconds" > "$dataset/seconds"
    echo "$dataset_key" > "$dataset/key"
  fi
}
