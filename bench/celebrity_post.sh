#!/usr/bin/env bash
# What a post costs by followers: an account followed by FOLLOWERS accounts
# (default 1,000,000; a celebrity above --celebrity-threshold) against an
# account followed by 10, each posting under wrk in turn. Reports statuses
# per second of each and their ratio, the timeline entries pushed per status
# and the fan-out lag; a celebrity's statuses are merged at read time, so its
# posts should cost what the small account's do.
source "$(dirname "$0")/lib.sh"
followers=${FOLLOWERS:-1000000}
live=${LIVE:-1000}
python3 - "$followers" > "$bench_tmp/edges" <<'PY'
import sys
n = int(sys.argv[1])
for f in range(2, n + 2):
    print(f, 0)          # user0: the celebrity
for f in range(2, 12):
    print(f, 1)          # user1: ten followers
PY
"$bench_root/build/bin/chirpd" admin import-graph --data "$bench_tmp/data" --edges "$bench_tmp/edges" --one-way on >&2
seq 0 $((live + 1)) | sed 's/^/user/' > "$bench_tmp/usernames"
"$bench_root/build/bin/chirpd" admin token --data "$bench_tmp/data" --usernames "$bench_tmp/usernames" > "$bench_tmp/accounts"
start_chirpd --rate-limits off "$@"
# The followers' timelines live, as they are for active readers.
tail -n +3 "$bench_tmp/accounts" > "$bench_tmp/readers"
cp "$bench_tmp/accounts" "$bench_tmp/all" && cp "$bench_tmp/readers" "$bench_tmp/accounts" && warm_timelines
cp "$bench_tmp/all" "$bench_tmp/accounts"
lag_p99() {  # p99 of the fan-out lag since the snapshot in $1, in ms
  curl -sf "$CHIRP_URL/metrics" | grep '^chirp_events_lag_seconds_bucket' > "$bench_tmp/lag_now"
  python3 - "$1" "$bench_tmp/lag_now" <<'PY'
import re, sys
def load(p): return [(float('inf') if le == '+Inf' else float(le), int(c)) for le, c in
                     (re.match(r'.*le="([^"]+)"\} (\d+)', l).groups() for l in open(p))]
d = [(le, a - b) for (le, a), (_, b) in zip(load(sys.argv[2]), load(sys.argv[1]))]
print(next(le for le, c in d if c >= 0.99 * d[-1][1]) * 1000)
PY
}
run() {  # run ACCOUNT_LINE: prints "statuses/s pushes-per-status lag-p99-ms"
  export CHIRP_TOKEN=$(sed -n "$1p" "$bench_tmp/accounts" | awk '{print $3}')
  local pushes_before; pushes_before=$(metric chirp_fanout_pushes_total)
  curl -sf "$CHIRP_URL/metrics" | grep '^chirp_events_lag_seconds_bucket' > "$bench_tmp/lag_before"
  local rps posted pushes
  rps=$(WRK_SECONDS=${WRK_SECONDS:-8} wrk_run "$CHIRP_URL/api/v1/statuses" \
    -s "$(dirname "$0")/post_status.lua")
  wait_drained
  posted=$(awk '/requests in/ {print $1}' "$bench_tmp/wrk.out")
  pushes=$(( $(metric chirp_fanout_pushes_total) - pushes_before ))
  echo "$rps $(python3 -c "print(f'{$pushes / $posted:.1f}')") $(lag_p99 "$bench_tmp/lag_before")"
}
read -r celebrity_rps celebrity_pushes celebrity_lag < <(run 1)
read -r small_rps small_pushes small_lag < <(run 2)
ratio=$(python3 -c "print(f'{$celebrity_rps / $small_rps:.2f}')")
echo
echo "celebrity post: ${celebrity_rps} statuses/s by an account with ${followers} followers (${celebrity_pushes} entries pushed each, lag p99 <= ${celebrity_lag} ms); ${small_rps} statuses/s by an account with 10 (${small_pushes} pushed each, lag p99 <= ${small_lag} ms); ratio ${ratio}"
record celebrity_post celebrity_rps "$celebrity_rps" small_rps "$small_rps" ratio "$ratio" followers "$followers" celebrity_lag_p99_ms "$celebrity_lag" small_lag_p99_ms "$small_lag"
