#!/usr/bin/env bash
# Builds Chirp and runs every test through CTest: the unit tests, the
# black-box API tests against a real chirpd (Node, with the masto and
# megalodon client libraries from npm), and the parser fuzzers.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
cd "$root/build"
ctest --output-on-failure --timeout 900 "$@"
