#!/usr/bin/env bash
# Runs the black-box API test suite against a built chirpd.
#   tests/api/run.sh                 # uses build/bin/chirpd
#   CHIRPD_BIN=/path/to/chirpd tests/api/run.sh
#   tests/api/run.sh --test-name-pattern=oauth   # extra args go to node --test
# Each test starts its own chirpd on 127.0.0.1:0 with a temporary data dir.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node >/dev/null 2>&1; then
  echo "run.sh: node is not installed (Node.js 20.18+ is needed)" >&2
  exit 1
fi

# Install the client libraries (masto, megalodon) from the lock file when missing or stale.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

bin="${CHIRPD_BIN:-../../build/bin/chirpd}"
if [ ! -x "$bin" ]; then
  echo "run.sh: chirpd binary not found at $bin (build it first, or set CHIRPD_BIN)" >&2
  exit 1
fi
export CHIRPD_BIN="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

# CHIRP_API_STORE=postgres: the same suite with chirpd's records in a
# PostgreSQL server started here (scripts/postgres.sh), a database for each
# test's data directory (chirpd_on_postgres.sh). CHIRP_API_STORE=scaled:
# the same, and home timelines in a Redis Cluster started here
# (scripts/redis.sh), with a key prefix for each database.
store="${CHIRP_API_STORE:-sqlite}"
if [ "$store" = postgres ] || [ "$store" = scaled ]; then
  pg_dir=$(mktemp -d /tmp/chirp-api-pg-XXXXXX)
  redis_dir=""
  trap '../../scripts/postgres.sh stop "$pg_dir"; [ -z "$redis_dir" ] || ../../scripts/redis.sh stop "$redis_dir"' EXIT
  CHIRPD_POSTGRES_URL=$(../../scripts/postgres.sh start "$pg_dir" --no-durability | tail -1)
  export CHIRPD_POSTGRES_URL
  if [ "$store" = scaled ]; then
    redis_dir=$(mktemp -d /tmp/chirp-api-redis-XXXXXX)
    CHIRPD_REDIS_URL=$(../../scripts/redis.sh start "$redis_dir" --owner $$ | tail -1)
    export CHIRPD_REDIS_URL
  fi
  export CHIRPD_REAL_BIN="$CHIRPD_BIN"
  export CHIRPD_BIN="$PWD/chirpd_on_postgres.sh"
fi

# Two test files at a time (the machine has 2 cores).
set +e
# CHIRP_API_TESTS="streaming graph" runs those files alone (the TSan pass).
files=(./*.test.mjs)
if [ -n "${CHIRP_API_TESTS:-}" ]; then
  files=()
  for name in $CHIRP_API_TESTS; do files+=("./$name.test.mjs"); done
fi
# The timeout bounds each test and each file as a whole: on PostgreSQL a
# file of many tests runs about three times as long as on SQLite here
# (timelines.test.mjs passed 120 s on a loaded machine), so it gets more.
timeout_ms=120000
if [ "$store" != sqlite ]; then timeout_ms=300000; fi
node --test --test-concurrency=2 --test-timeout="${CHIRP_API_TEST_TIMEOUT_MS:-$timeout_ms}" "$@" "${files[@]}"
code=$?
set -e
exit "$code"
