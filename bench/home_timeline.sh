#!/usr/bin/env bash
# GET /api/v1/timelines/home (20 statuses, full Mastodon JSON) under wrk,
# keep-alive on loopback, over the socfb-Reed98 graph (962 accounts, each
# friendship a follow both ways), every account with STATUSES statuses
# (default 100) over the past week loaded in bulk, read by READERS of them;
# against nginx serving a static file of the size of a median response in
# the same run.
source "$(dirname "$0")/lib.sh"
readers=${READERS:-64}
statuses=${STATUSES:-100}
graph="$bench_root/../shared/data/graphs/socfb-Reed98.edges"
"$bench_root/build/bin/chirpd" admin import-graph --data "$bench_tmp/data" --edges "$graph" >&2
"$bench_root/build/bin/chirp-bench" generate-statuses --edges "$graph" --per-account "$statuses" \
  --out "$bench_tmp/statuses.tsv" >&2
"$bench_root/build/bin/chirpd" admin import-statuses --data "$bench_tmp/data" --statuses "$bench_tmp/statuses.tsv" >&2
: > "$bench_tmp/tokens"
for n in $(seq 0 $((readers - 1))); do
  "$bench_root/build/bin/chirpd" admin token --data "$bench_tmp/data" --username "user$n" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' >> "$bench_tmp/tokens"
done
start_chirpd --rate-limits off "$@"
# The median response size, over every reader's first page.
while read -r token; do
  curl -sf "$CHIRP_URL/api/v1/timelines/home" -H "Authorization: Bearer $token" | wc -c
done < "$bench_tmp/tokens" | sort -n > "$bench_tmp/sizes"
median=$(awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' "$bench_tmp/sizes")
head -c "$median" /dev/zero | tr '\0' 'x' > "$bench_tmp/median.json"
start_nginx "$bench_tmp/median.json"
# ROUNDS (default 3) rounds of chirpd between nginx runs: each round's ratio
# is to the mean of the nginx runs around it, and the median round is
# reported, since the machine drifts within a run (nginx alone moves by a
# fifth from one run to the next).
export CHIRP_TOKENS="$bench_tmp/tokens"
rounds=${ROUNDS:-3}
nginx_runs=("$(wrk_rps "$NGINX_URL/static.json")")
cost_mark
: > "$bench_tmp/rounds"
for round in $(seq "$rounds"); do
  rps=$(wrk_run "$CHIRP_URL" -s "$(dirname "$0")/home_timeline.lua")
  p99_round=$(awk '/ 99%/ {print $2}' "$bench_tmp/wrk.out")
  nginx_runs+=("$(wrk_rps "$NGINX_URL/static.json")")
  echo "$rps $p99_round ${nginx_runs[-2]} ${nginx_runs[-1]}" >> "$bench_tmp/rounds"
done
# The median round by ratio: its rates, its p99.
read -r home_rps p99 nginx_rps ratio all_ratios < <(python3 - "$bench_tmp/rounds" <<'PY'
import sys
rounds = []
for line in open(sys.argv[1]):
    rps, p99, before, after = line.split()
    nginx = (float(before) + float(after)) / 2
    rounds.append((float(rps) / nginx, float(rps), p99, nginx))
rounds.sort()
ratio, rps, p99, nginx = rounds[len(rounds) // 2]
print(f"{rps:.0f} {p99} {nginx:.0f} {ratio:.3f} {','.join(f'{r[0]:.3f}' for r in rounds)}")
PY
)
read -ra costs < <(cost_fields)
hits=$(curl -sf "$CHIRP_URL/metrics" | awk '/^chirp_timeline_cache_hits_total/ {h=$2} /^chirp_timeline_cache_misses_total/ {m=$2} END {printf "%.3f", h/(h+m)}')
echo
echo "home timeline: ${home_rps} req/s, p99 ${p99}; nginx static ${median} bytes: ${nginx_rps} req/s; ratio ${ratio} (the median of ${rounds} rounds: ${all_ratios}); cache hit rate ${hits}"
record home_timeline rps "$home_rps" p99_ms "$p99" nginx_rps "$nginx_rps" ratio "$ratio" round_ratios "$all_ratios" bytes "$median" hit_rate "$hits" "${costs[@]}"
