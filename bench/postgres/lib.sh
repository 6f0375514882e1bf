# The PostgreSQL baseline: the design documents' own fan-out-on-read home
# timeline (schema.sql and indexes.sql: their User, Tweet and UserFollow
# tables; home_timeline.sql: their query, the 20 newest tweets of the
# accounts a user follows joined to their authors), through pgbench on a
# throwaway PostgreSQL server on a loopback ephemeral port, loaded with the
# same follow graph and statuses as chirpd. Source it after bench/lib.sh; the
# server is stopped and its directory removed when the script exits. A user
# id in PostgreSQL is the input files' account number plus 1.
#
#   source "$(dirname "$0")/lib.sh"
#   source "$(dirname "$0")/postgres/lib.sh"
#   if postgres_available; then
#     start_postgres
#     pg_load_graph "$bench_tmp/graph.edges" "$bench_tmp/statuses.tsv"
#     read -r pg_tps pg_p50 pg_p90 pg_p99 pg_p999 < <(pg_home_timeline_bench)
#     record pg_home_timeline tps "$pg_tps" p50_ms "$pg_p50" p99_ms "$pg_p99"
#   fi
#
# PG_BIN (default: the newest /usr/lib/postgresql/*/bin) picks the server;
# PG_CLIENTS, PG_THREADS, PG_WARMUP_SECONDS and PG_SECONDS tune pgbench.
pg_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -1)}

# postgres_available: true when a PostgreSQL server, its tools and the
# postgres system user are here.
postgres_available() {
  local tool
  for tool in initdb postgres pg_isready psql pgbench; do
    [ -n "$PG_BIN" ] && [ -x "$PG_BIN/$tool" ] || return 1
  done
  id -u postgres > /dev/null 2>&1
}

# start_postgres: a fresh server in $bench_tmp/postgres (its log:
# $bench_tmp/postgres/server.log), run as the postgres user, on 127.0.0.1
# only, tuned to load fast and read from memory with no durability; sets
# PG_PORT, PG_DIR and PG_PID. Any local user may connect as the postgres
# role over 127.0.0.1 (trust), while it runs. The postmaster is a child of
# the script, in bench_pids: bench_cleanup's kill is a smart shutdown, quick
# since our psql and pgbench runs are over by then.
start_postgres() {
  postgres_available || {
    echo "PostgreSQL is not installed: no initdb, postgres, pg_isready, psql or pgbench in" \
      "'${PG_BIN:-/usr/lib/postgresql/*/bin}', or no postgres user" >&2
    exit 1
  }
  PG_DIR="$bench_tmp/postgres"
  PG_PORT=$(free_port)
  # The server runs as postgres: let it reach its directory.
  chmod 755 "$bench_tmp"
  mkdir -p "$PG_DIR/data"
  chown -R postgres: "$PG_DIR"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
    > "$PG_DIR/initdb.log" 2>&1 || { echo "initdb failed" >&2; cat "$PG_DIR/initdb.log" >&2; exit 1; }
  # setpriv execs the server, so $! is the postmaster (runuser and su stay
  # as its parent and SIGKILL it 2 s after forwarding a SIGTERM). No
  # durability, no checkpoints or autovacuum during the load; everything in
  # memory, so random reads cost about as much as sequential ones; no
  # parallel query, which with every core busy with clients only adds
  # workers (here a Gather over a seq scan of users: a quarter fewer tps).
  setpriv --reuid=postgres --regid=postgres --init-groups -- "$PG_BIN/postgres" -D "$PG_DIR/data" \
    -c listen_addresses=127.0.0.1 -c port="$PG_PORT" -c unix_socket_directories="$PG_DIR" \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
    -c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=16GB -c checkpoint_timeout=1h \
    -c shared_buffers=4GB -c maintenance_work_mem=1GB -c work_mem=64MB -c max_connections=200 \
    -c random_page_cost=1.1 -c effective_cache_size=8GB -c max_parallel_workers_per_gather=0 \
    -c autovacuum=off -c jit=off -c logging_collector=off \
    > "$PG_DIR/server.log" 2>&1 &
  PG_PID=$!
  bench_pids+=($!)
  for _ in $(seq 300); do
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && return 0
    kill -0 "$PG_PID" 2> /dev/null || break
    sleep 0.1
  done
  echo "postgres did not start" >&2; cat "$PG_DIR/server.log" >&2; exit 1
}

# pg_psql [PSQL ARGS...]: psql as the postgres role on 127.0.0.1:$PG_PORT,
# in database $PG_DB (set by pg_load_graph; before it, postgres), stopping
# at the first error.
pg_psql() {
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "${PG_DB:-postgres}" "$@"
}

# pg_literal TEXT: TEXT as an SQL string literal.
pg_literal() { printf "'%s'" "${1//"'"/"''"}"; }

# pg_load_graph EDGES STATUSES: creates the database 'timeline' with the
# design's schema and loads users 1..N (N: the highest account number of
# either file plus 1; account n is user n+1, 'user<n>'), the follows of
# EDGES ('FOLLOWER FOLLOWED' lines) and the tweets of STATUSES
# ('ACCOUNT<TAB>CREATED_AT_MS<TAB>TEXT' lines), each file after a '#' first
# line; then the keys and indexes, and VACUUM ANALYZE. Sets PG_DB=timeline
# and PG_ACCOUNTS (N); prints the time taken and the row counts to stderr.
pg_load_graph() {
  local start=$SECONDS
  [ -r "$1" ] && [ -r "$2" ] || { echo "pg_load_graph: cannot read $1 or $2" >&2; exit 1; }
  # The files' paths as SQL string literals, for psql.
  local edges statuses schema indexes
  edges=$(pg_literal "$1") statuses=$(pg_literal "$2")
  schema=$(pg_literal "$pg_here/schema.sql") indexes=$(pg_literal "$pg_here/indexes.sql")
  PG_DB=postgres PGOPTIONS='-c client_min_messages=warning' pg_psql -c "DROP DATABASE IF EXISTS timeline" -c "CREATE DATABASE timeline"
  PG_DB=timeline
  # One transaction: with wal_level minimal, tables created in it are
  # written without WAL. Raw lines go to staging tables first; the tweets
  # are then inserted in time order, as a live system would have appended
  # them, so their ids follow their times. That scatters each author's
  # tweets over the table, one heap page each: the query reads ~100 pages a
  # followee (tweets CLUSTERed by author read ~4 times faster).
  pg_psql <<SQL
BEGIN;
\i $schema
CREATE UNLOGGED TABLE edges_in (follower bigint, followed bigint);
CREATE UNLOGGED TABLE statuses_in (account bigint, created_ms bigint, text text);
\copy edges_in from $edges with (delimiter ' ', header true)
\copy statuses_in from $statuses with (header true)
INSERT INTO users (id, username, email, created_at)
  SELECT n + 1, 'user' || n, 'user' || n || '@import.invalid', now()
  FROM generate_series(0, (SELECT greatest((SELECT max(greatest(follower, followed)) FROM edges_in),
                                           (SELECT max(account) FROM statuses_in)))) AS n;
INSERT INTO user_follows (follower_id, followee_id, created_at)
  SELECT follower + 1, followed + 1, now() FROM edges_in;
INSERT INTO tweets (user_id, content, created_at)
  SELECT account + 1, text, to_timestamp(created_ms / 1000.0) FROM statuses_in ORDER BY created_ms;
DROP TABLE edges_in, statuses_in;
COMMIT;
\i $indexes
VACUUM ANALYZE;
SQL
  PG_ACCOUNTS=$(pg_psql -tA -c "SELECT count(*) FROM users")
  echo "postgres: loaded in $((SECONDS - start)) s: $(pg_psql -tA -c "SELECT
    (SELECT count(*) FROM users) || ' users, ' || (SELECT count(*) FROM user_follows) || ' follows, ' ||
    (SELECT count(*) FROM tweets) || ' tweets; ' || pg_size_pretty(pg_database_size(current_database()))")" >&2
}

# pg_home_timeline_bench: home_timeline.sql under pgbench (prepared
# statements, PG_CLIENTS clients, default 16, on PG_THREADS threads, default
# 2) for PG_WARMUP_SECONDS (default 5, discarded), then PG_SECONDS (default
# 10) with every transaction logged; the plan of one query (EXPLAIN
# ANALYZE) and pgbench's output on stderr. Prints 'TPS P50_MS P90_MS P99_MS
# P999_MS'.
pg_home_timeline_bench() {
  local accounts=${PG_ACCOUNTS:-$(pg_psql -tA -c "SELECT count(*) FROM users")}
  local log="$bench_tmp/pgbench" uid
  local args=(-n -f "$pg_here/home_timeline.sql" -D accounts="$accounts" -M prepared
    -c "${PG_CLIENTS:-16}" -j "${PG_THREADS:-2}" -h 127.0.0.1 -p "$PG_PORT" -U postgres "${PG_DB:-timeline}")
  uid=$(( (accounts + 1) / 2 ))
  echo "postgres: the plan for user $uid:" >&2
  sed -n 's/^\(SELECT .*\):uid\(.*\)$/EXPLAIN (ANALYZE, BUFFERS) \1'"$uid"'\2/p' "$pg_here/home_timeline.sql" | pg_psql >&2
  rm -rf "$log" && mkdir -p "$log"
  "$PG_BIN/pgbench" "${args[@]}" -T "${PG_WARMUP_SECONDS:-5}" > "$log/warmup" 2>&1 ||
    { cat "$log/warmup" >&2; echo "pgbench warm-up failed" >&2; exit 1; }
  "$PG_BIN/pgbench" "${args[@]}" -T "${PG_SECONDS:-10}" --log --log-prefix="$log/tx" > "$log/out" 2>&1 ||
    { cat "$log/out" >&2; echo "pgbench failed" >&2; exit 1; }
  cat "$log/out" >&2
  python3 - "$log" <<'PY'
import glob, math, re, sys
log = sys.argv[1]
tps = re.search(r"^tps = ([0-9.]+)", open(log + "/out").read(), re.M).group(1)
us = sorted(int(line.split()[2]) for f in glob.glob(log + "/tx.*") for line in open(f))
def pct(p):  # nearest rank
    return us[max(0, math.ceil(len(us) * p / 100) - 1)] / 1000
print(f"{float(tps):.1f} {pct(50):.2f} {pct(90):.2f} {pct(99):.2f} {pct(99.9):.2f}")
PY
}
