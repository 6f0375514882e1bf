#!/usr/bin/env bash
# The trend evaluation (bench/trends/trend_eval.cc): a synthetic stream of
# hashtag uses over 7 simulated days learned and 7 evaluated, with planted
# pulses, ramps, level shifts and bursts of new tags, run through Chirp's
# tag detector and through Mastodon's day-over-day rule on the same stream.
# Figures: top-10 precision, recall of the planted events, median delay to
# a pulse of five times a tag's usual rate, and snapshots whose top 10 held
# a steadily popular tag; per seed and their mean.
#
#   SEEDS="1 2 3 4 5"; any further arguments go to chirp-trend-eval
#   (the detector's options: --window-minutes, --min-score, ...)
source "$(dirname "$0")/lib.sh"
seeds=${SEEDS:-1 2 3 4 5}
runs="$bench_tmp/trends.jsonl"
for seed in $seeds; do
  "$bench_root/build/bin/chirp-trend-eval" --seed "$seed" "$@" | tee -a "$runs"
done
python3 - "$runs" <<'PY' > "$bench_tmp/summary"
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
out = []
for who in ("chirp", "mastodon"):
    rows = [r[who] for r in runs]
    mean = lambda key: statistics.mean(x[key] for x in rows)
    delays = [x["pulse5_median_delay_min"] for x in rows if x["pulse5_median_delay_min"] >= 0]
    delay = statistics.median(delays) if delays else -1
    out += [f"{who}_precision", f"{mean('precision'):.3f}", f"{who}_recall", f"{mean('recall'):.3f}",
            f"{who}_pulse5_delay_min", f"{delay:.0f}", f"{who}_steady_snapshots", f"{sum(x['steady_snapshots'] for x in rows)}"]
print(" ".join(out))
PY
read -r -a summary < "$bench_tmp/summary"
echo "trends over $(wc -w <<< "$seeds") seeds: ${summary[*]}"
record trend_detection "${summary[@]}"
