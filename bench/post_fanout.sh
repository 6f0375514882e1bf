#!/usr/bin/env bash
# POST /api/v1/statuses with fan-out: ACCOUNTS accounts (default 2000), each
# followed by FOLLOWERS others (default 200) chosen at random with a fixed
# seed, every home timeline live (read once before the run); POSTERS of them
# (default 64) post under wrk. Reports statuses per second against the goal
# of 12,000, the fan-out lag (commit to handled by every consumer) at p50 and
# p99 from chirpd's histogram, and the entries pushed per status.
source "$(dirname "$0")/lib.sh"
accounts=${ACCOUNTS:-2000}
followers=${FOLLOWERS:-200}
posters=${POSTERS:-64}
follower_graph "$accounts" "$followers"
head -n "$posters" "$bench_tmp/accounts" | awk '{print $3}' > "$bench_tmp/tokens"
start_chirpd --rate-limits off "$@"
warm_timelines
pushes_before=$(metric chirp_fanout_pushes_total)
curl -sf "$CHIRP_URL/metrics" | grep '^chirp_events_lag_seconds_bucket' > "$bench_tmp/lag_before"
export CHIRP_TOKENS="$bench_tmp/tokens"
cost_mark
post_rps=$(wrk_run "$CHIRP_URL" -s "$(dirname "$0")/post_fanout.lua")
posted=$(awk '/requests in/ {print $1}' "$bench_tmp/wrk.out")
wait_drained
read -ra costs < <(cost_fields)
pushes=$(( $(metric chirp_fanout_pushes_total) - pushes_before ))
curl -sf "$CHIRP_URL/metrics" | grep '^chirp_events_lag_seconds_bucket' > "$bench_tmp/lag_after"
read -r rps goal_ratio per_status lag_p50 lag_p99 events < <(python3 - "$bench_tmp/lag_before" "$bench_tmp/lag_after" "$post_rps" "$posted" "$pushes" <<'PY'
import re, sys
def load(path):
    out = []
    for line in open(path):
        le, count = re.match(r'.*le="([^"]+)"\} (\d+)', line).groups()
        out.append((float('inf') if le == '+Inf' else float(le), int(count)))
    return out
before, after = load(sys.argv[1]), load(sys.argv[2])
cumulative = [(le, a - b) for (le, a), (_, b) in zip(after, before)]
total = cumulative[-1][1]
def pct(p):
    for le, c in cumulative:
        if c >= p * total: return le
rps, posted, pushes = float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print(f"{rps:.0f} {rps / 12000:.2f} {pushes / max(posted, 1):.0f} {pct(0.5) * 1000:g} {pct(0.99) * 1000:g} {total}")
PY
)
echo
echo "POST with fan-out: ${rps} statuses/s (${goal_ratio} of the 12,000 goal); ${per_status} timeline entries pushed per status; fan-out lag p50 <= ${lag_p50} ms, p99 <= ${lag_p99} ms over ${events} events"
record post_fanout rps "$rps" goal_ratio "$goal_ratio" pushes_per_status "$per_status" lag_p50_ms "$lag_p50" lag_p99_ms "$lag_p99" "${costs[@]}"
