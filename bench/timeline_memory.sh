#!/usr/bin/env bash
# Resident memory per cached home-timeline entry and per live timeline,
# measured on chirpd's timeline cache filled by fan-out pushes (see
# bench/memory/timeline_memory.cc). ACCOUNTS (default 100000) timelines of
# CAPACITY (default 800) entries.
set -euo pipefail
bench_root=$(cd "$(dirname "$0")/.." && pwd)
out=$("$bench_root/build/bin/chirp-timeline-memory" "${ACCOUNTS:-100000}" "${FOLLOWERS:-200}" "${CAPACITY:-800}")
echo "$out"
if [ -n "${BENCH_RESULTS:-}" ]; then
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["benchmark"]="timeline_memory"; print(json.dumps(d))' "$out" >> "$BENCH_RESULTS"
fi
