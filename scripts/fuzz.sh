#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (in build-fuzz/) and runs each for
# a bounded time, starting from the seed corpus in tests/fuzz/corpus.
# FUZZ_SECONDS sets the time per target (default 12).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-12}
build="$root/build-fuzz"
# One cache for every checkout of the repository, wherever it lies.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
cmake -S "$root" -B "$build" -G Ninja -DCHIRP_FUZZ=ON -DCHIRP_TESTS=OFF \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$build.log" 2>&1 || { cat "$build.log"; exit 1; }
ninja -C "$build" >> "$build.log" 2>&1 || { tail -50 "$build.log"; exit 1; }
failed=0
for target in fuzz_json_body fuzz_form_body fuzz_multipart_body fuzz_query fuzz_request_parser \
    fuzz_request_differential fuzz_status_text fuzz_websocket_parser fuzz_search_query; do
  work=$(mktemp -d)
  cp "$root/tests/fuzz/corpus/$target/"* "$work/"
  if "$build/bin/$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=1024 \
      -artifact_prefix="$work/" "$work" > "$work/log" 2>&1; then
    echo "fuzz: $target ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/log" || tail -1 "$work/log"))"
  else
    echo "fuzz: $target FAILED"; tail -40 "$work/log"; failed=1
  fi
  rm -rf "$work"
done
exit $failed
