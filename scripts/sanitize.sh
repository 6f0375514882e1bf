#!/usr/bin/env bash
# Builds Chirp with sanitizers and runs its tests under them.
#   scripts/sanitize.sh address   # ASan + UBSan in build-asan/: every unit test and the black-box suite
#   scripts/sanitize.sh thread    # TSan in build-tsan/: the unit tests and the concurrency-heavy black-box tests
# Extra arguments go to ctest. Each sanitizer writes its reports to files in
# a directory of the run (log_path), not only to the stderr of the process
# that met the finding: a chirpd started by a black-box test, or killed by
# one on purpose, would otherwise hide them. The pass fails when a test
# fails or when any report was written.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:?usage: scripts/sanitize.sh address|thread [ctest args]}
shift

case "$mode" in
  address)
    build="$root/build-asan"
    sanitizers="address,undefined"
    # All of them but the deployment's (scripts/scaled.sh) and the suite
    # with Redis (label scaled: the PostgreSQL suite's code, and the Redis
    # side's unit tests, run here).
    tests=(-LE 'deployment|scaled')
    ;;
  thread)
    build="$root/build-tsan"
    sanitizers="thread"
    # The unit tests, and the black-box files whose requests race each other
    # inside chirpd: streaming, follows against blocks, fan-out under posting
    # (on the embedded store: the PostgreSQL store's races are the store
    # tests', which run here). Never the deployment's (label deployment)
    # nor the suite with Redis (label scaled), nor media_test: libvips
    # processes an image on worker threads that synchronise through GLib's
    # futexes, which TSan cannot see, so it reports races in libvips and its
    # codecs by the hundred and, suppressed, takes minutes an image; Chirp's
    # side of it runs on one thread (ASan checks it).
    tests=(-E 'api_black_box_postgres|media_test' -LE 'deployment|scaled')
    export CHIRP_API_TESTS="streaming timelines graph social_clients durability limits"
    ;;
  *) echo "sanitize: unknown mode '$mode' (address or thread)" >&2; exit 2 ;;
esac

export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
# -O1 keeps the instrumented binaries quick to build and to run; -g1 is
# enough for the reports' stack traces; assertions stay on.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Sanitize \
  -DCMAKE_CXX_FLAGS_SANITIZE="-O1 -g1" \
  -DCHIRP_SANITIZE="$sanitizers" > "$build.log" 2>&1 || { cat "$build.log"; exit 1; }
# The benchmark tools are not tested here.
ninja -C "$build" tested >> "$build.log" 2>&1 || { tail -60 "$build.log"; exit 1; }

reports="$build/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=1:second_deadlock_stack=1"

# Instrumented code runs several times slower: longer test deadlines. Tests
# that weigh chirpd's memory leave the sanitizers' own out of it.
export CHIRP_API_TEST_TIMEOUT_MS=360000
export CHIRP_SANITIZER="$mode"
status=0
(cd "$build" && ctest --output-on-failure --timeout 1800 "${tests[@]}" "$@") || status=1
if compgen -G "$reports/*" > /dev/null; then
  echo "sanitize: $mode reports:"
  for f in "$reports"/*; do echo "== $f"; head -80 "$f"; done
  status=1
fi
[ "$status" -eq 0 ] && echo "sanitize: $mode clean"
exit "$status"
