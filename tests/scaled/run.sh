#!/usr/bin/env bash
# Runs the test of the scaled-out deployment (scripts/scaled.sh) against a
# built chirpd: PostgreSQL with a replica, a Redis Cluster, two API
# instances, two workers and nginx, all started by the script under /tmp.
#   tests/scaled/run.sh                 # uses build/bin/chirpd
#   CHIRPD_BIN=/path/to/chirpd tests/scaled/run.sh
# Extra arguments go to node --test. It reuses tests/api's helpers and npm
# packages (installed there when missing). CTest runs it as
# scaled_deployment, outside the sanitizer passes.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node > /dev/null 2>&1; then
  echo "run.sh: node is not installed (Node.js 20.18+ is needed)" >&2
  exit 1
fi

# tests/api's client libraries (ws), from its lock file when missing or stale.
if [ ! -d ../api/node_modules ] || [ ../api/package-lock.json -nt ../api/node_modules/.package-lock.json ]; then
  (cd ../api && npm ci --no-audit --no-fund --loglevel=error)
fi

bin="${CHIRPD_BIN:-../../build/bin/chirpd}"
if [ ! -x "$bin" ]; then
  echo "run.sh: chirpd binary not found at $bin (build it first, or set CHIRPD_BIN)" >&2
  exit 1
fi
CHIRPD_BIN="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
export CHIRPD_BIN

# One file; every wait in it is bounded, and the whole run takes well under
# 3 minutes (most of it starting and stopping the deployment).
exec node --test --test-timeout=170000 "$@" ./scaled.test.mjs
