#!/usr/bin/env bash
# The streaming API (WebSockets on /api/v1/streaming) under chirp-bench
# stream, over a generated graph of ACCOUNTS accounts (default 10,000).
#
# Idle: IDLE_CONNECTIONS user streams (default 10,000, one per account) held
# open for IDLE_SECONDS (default 35: two of chirpd's 15 s heartbeats, after
# which a connection that did not answer its ping is closed). Reports the
# connections opened, failed and dropped, and chirpd's resident memory per
# connection (its growth while they opened, over their number).
#
# Latency: POSTERS accounts (default 4, the least followed) each followed by
# the same FOLLOWERS accounts (default 200), each with a user stream open;
# POST_RATE statuses/s (default 200) for LATENCY_SECONDS (default 20), while
# the followers read their home timelines beside it under chirp-bench run
# --workload home (as bench/home_timeline.sh reads, closed loop). Reports
# p50 and p99 of post answered -> update event received on a follower's
# socket, and the goal ratio 50 ms / p99 (at least 1 meets the goal).
source "$(dirname "$0")/lib.sh"
accounts=${ACCOUNTS:-10000}
idle_connections=${IDLE_CONNECTIONS:-$accounts}
idle_seconds=${IDLE_SECONDS:-35}
posters=${POSTERS:-4}
followers=${FOLLOWERS:-200}
post_rate=${POST_RATE:-200}
latency_seconds=${LATENCY_SECONDS:-20}
bench="$bench_root/build/bin/chirp-bench"

# Each WebSocket is a descriptor in chirpd and one in chirp-bench.
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $((idle_connections + 1000)) ]; then
  echo "open files are limited to $(ulimit -n); $idle_connections connections need more (ulimit -Hn)" >&2
  exit 1
fi

# The graph: generated, plus every follower following every poster.
"$bench" generate-graph --accounts "$accounts" --seed 1 --out "$bench_tmp/edges" >&2
python3 - "$bench_tmp/edges" "$posters" "$followers" "$bench_tmp/posters.n" "$bench_tmp/followers.n" \
  >> "$bench_tmp/edges.extra" <<'PY'
import collections, random, sys
path, n_posters, n_followers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
followed_by = collections.defaultdict(set)
accounts = set()
for line in open(path):
    if line.startswith('#'): continue
    a, b = map(int, line.split())
    accounts.update((a, b))
    followed_by[b].add(a)
# The least followed accounts post, so the fan-out to timelines is the
# followers' own rather than a popular account's.
posters = sorted(accounts, key=lambda a: (len(followed_by[a]), a))[:n_posters]
rest = sorted(accounts - set(posters))
followers = sorted(random.Random(7).sample(rest, n_followers))
for f in followers:
    for p in posters:
        if f not in followed_by[p]: print(f, p)
open(sys.argv[4], 'w').write(''.join(f'user{p}\n' for p in posters))
open(sys.argv[5], 'w').write(''.join(f'user{f}\n' for f in followers))
PY
cat "$bench_tmp/edges.extra" >> "$bench_tmp/edges"
"$bench_root/build/bin/chirpd" admin import-graph --data "$bench_tmp/data" --edges "$bench_tmp/edges" --one-way on >&2
seq 0 $((accounts - 1)) | sed 's/^/user/' > "$bench_tmp/usernames"
"$bench_root/build/bin/chirpd" admin token --data "$bench_tmp/data" --usernames "$bench_tmp/usernames" > "$bench_tmp/accounts"
tokens_of() { awk 'NR == FNR {want[$1] = 1; next} ($2 in want)' "$1" "$bench_tmp/accounts"; }
tokens_of "$bench_tmp/posters.n" > "$bench_tmp/posters"
tokens_of "$bench_tmp/followers.n" > "$bench_tmp/followers"

start_chirpd --rate-limits off "$@"

echo "== idle: $idle_connections WebSockets held for $idle_seconds s" >&2
"$bench" stream --url "$CHIRP_URL" --tokens "$bench_tmp/accounts" --idle \
  --connections "$idle_connections" --duration "$idle_seconds" \
  --pid "$CHIRP_PID" --metrics-url "$CHIRP_URL/metrics" --json "$bench_tmp/idle.json" --label idle
read -r opened failed dropped pings per_connection delta_mb server_connections < <(python3 - "$bench_tmp/idle.json" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
s = r["server"]
print(r["connections_opened"], r["connections_failed"], r["connections_dropped"], r["pings_answered"],
      f'{s["bytes_per_connection"]:.0f}', f'{s["resident_delta_bytes"] / 2**20:.1f}',
      f'{s["stream_connections_end"]:.0f}')
PY
)

echo "== latency: $post_rate posts/s by $posters posters to $followers followers' streams, home reads beside" >&2
# The readers run from before the streams open until after the drain.
"$bench" run --url "$CHIRP_URL" --workload home --tokens "$bench_tmp/followers" --warmup 1 \
  --duration $((latency_seconds + 4)) --json "$bench_tmp/home.json" --label home-beside \
  > "$bench_tmp/home.out" &
home_pid=$!
bench_pids+=("$home_pid")
sleep 1
"$bench" stream --url "$CHIRP_URL" --tokens "$bench_tmp/followers" --connections "$followers" \
  --post-rate "$post_rate" --poster-tokens "$bench_tmp/posters" --duration "$latency_seconds" \
  --pid "$CHIRP_PID" --metrics-url "$CHIRP_URL/metrics" --json "$bench_tmp/latency.json" --label latency
wait "$home_pid"
cat "$bench_tmp/home.out"
read -r p50 p99 goal_ratio events expected missing early home_rps < <(python3 - "$bench_tmp/latency.json" "$bench_tmp/home.json" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
home = json.loads(open(sys.argv[2]).read().splitlines()[-1])
d = r["delivery"]
lat = d["latency_ms"]
print(f'{lat["p50"]:.2f} {lat["p99"]:.2f} {50 / max(lat["p99"], 0.001):.2f}', d["events"], d["expected"],
      d["missing"], d["early"], f'{home["throughput_rps"]:.0f}')
PY
)

echo
echo "streaming idle: ${opened} of ${idle_connections} WebSockets open (${failed} failed, ${dropped} dropped over ${idle_seconds} s, ${pings} pings answered, chirpd counts ${server_connections}); ${per_connection} bytes per connection (+${delta_mb} MB resident)"
echo "streaming latency: post answered -> update event p50 ${p50} ms, p99 ${p99} ms (goal ratio ${goal_ratio}: 50 ms / p99) over ${events} of ${expected} events (${missing} missing, ${early} before the answer), ${post_rate} posts/s beside ${home_rps} home reads/s"
record streaming_idle connections "$opened" failed "$failed" dropped "$dropped" bytes_per_connection "$per_connection" resident_delta_mb "$delta_mb"
record streaming_latency p50_ms "$p50" p99_ms "$p99" goal_ratio "$goal_ratio" events "$events" missing "$missing" early "$early" post_rate "$post_rate" home_rps "$home_rps"
