#!/usr/bin/env bash
# Installs what building and testing Chirp needs on Debian bookworm, when missing.
# Idempotent: packages already present are not fetched again.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libsodium-dev libjemalloc-dev
  libpq-dev postgresql-15 pgbouncer
  libhiredis-dev redis-server redis-tools
  libgtest-dev libgmock-dev libbenchmark-dev
  nettle-dev libicu-dev libvips-dev libvips-tools libimage-exiftool-perl ffmpeg
  clang libclang-rt-14-dev
  curl wrk nginx-light
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v node >/dev/null 2>&1; then
  echo "setup: installing nodejs and npm"
  DEBIAN_FRONTEND=noninteractive ${sudo_cmd:-} apt-get install -y -qq nodejs npm
fi
