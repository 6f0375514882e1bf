#!/usr/bin/env bash
# Builds chirpd and serves on http://127.0.0.1:8080 with its data in ./data.
# Extra arguments go to `chirpd serve` (see build/bin/chirpd --help).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
exec "$root/build/bin/chirpd" serve --listen "${CHIRP_LISTEN:-127.0.0.1:8080}" --data "${CHIRP_DATA:-$root/data}" "$@"
