#!/usr/bin/env bash
# chirpd with its records in PostgreSQL, for running the black-box suite
# against that store unchanged (run.sh with CHIRP_API_STORE=postgres).
# Each data directory a test gives chirpd (--data DIR) gets a database of
# its own on the server at CHIRPD_POSTGRES_URL, named after the
# directory, so a test's server, its restarts and its admin commands share
# their records as they would in the directory. A CHIRP_DATABASE_URL already
# set (a test's servers sharing one database, as several instances of a
# scaled-out deployment do) is left alone. With CHIRPD_REDIS_URL set, chirpd
# keeps home timelines in that Redis Cluster, under a key prefix of the
# database's own. Everything else passes through to the chirpd at
# CHIRPD_REAL_BIN.
set -euo pipefail
data=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --data) data=${args[i + 1]:-} ;;
    --data=*) data=${args[i]#--data=} ;;
  esac
done
if [ -n "$data" ] && [ -z "${CHIRP_DATABASE_URL:-}" ]; then
  db="chirp_$(realpath -m "$data" | md5sum | cut -c1-20)"
  server=${CHIRPD_POSTGRES_URL%/*}
  # Created once; two commands on one directory may race to it, and the
  # loser's "already exists" is fine.
  if [ "$(psql -X -tA "$server/postgres" -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
    psql -X -q "$server/postgres" -c "CREATE DATABASE $db" > /dev/null 2>&1 || true
  fi
  export CHIRP_DATABASE_URL="$server/$db"
fi
if [ -n "${CHIRPD_REDIS_URL:-}" ] && [ -n "${CHIRP_DATABASE_URL:-}" ]; then
  export CHIRP_REDIS_URL="$CHIRPD_REDIS_URL"
  export CHIRP_REDIS_PREFIX="chirp:$(echo -n "$CHIRP_DATABASE_URL" | md5sum | cut -c1-12):"
fi
exec "$CHIRPD_REAL_BIN" "$@"
