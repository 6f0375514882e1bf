#!/usr/bin/env bash
# The standard benchmark suite: every benchmark of bench/ in turn on this
# machine, each against its baseline of the same run. Writes one JSON line a
# result to bench/results/RUN.json (RUN: the date and time, or $RUN) and
# prints them as a table. Takes about 45 minutes on two cores.
#
#   bench/suite.sh                  # all of them
#   bench/suite.sh home_timeline    # some of them, by name
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
all=(verify_credentials home_timeline graph_workloads search steadiness post_status post_fanout celebrity_post timeline_memory streaming media)
chosen=("$@")
[ ${#chosen[@]} -gt 0 ] || chosen=("${all[@]}")
mkdir -p "$here/results"
run=${RUN:-$(date -u +%Y-%m-%dT%H%M%SZ)}
export BENCH_RESULTS="$here/results/$run.json"
: > "$BENCH_RESULTS"
RUN_NAME="$run" python3 -c 'import json, os, platform
print(json.dumps({"benchmark": "machine", "cores": os.cpu_count(), "system": platform.platform(), "run": os.environ["RUN_NAME"]}))' \
  >> "$BENCH_RESULTS"
for name in "${chosen[@]}"; do
  echo "== $name" >&2
  "$here/$name.sh" > "$here/results/$run.$name.log" 2>&1 || { echo "$name failed: see bench/results/$run.$name.log" >&2; exit 1; }
  tail -1 "$here/results/$run.$name.log" >&2
done
python3 - "$BENCH_RESULTS" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print()
for r in rows:
    name = r.pop("benchmark")
    print(f"{name:20} " + "  ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items()))
print(f"\nresults: {sys.argv[1]}")
PY
