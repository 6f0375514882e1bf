-- pgbench script (bench/postgres/lib.sh: pg_home_timeline_bench): the
-- design's fan-out-on-read home timeline, the 20 newest tweets of the
-- accounts a random user follows with their authors' usernames.
-- pgbench -D accounts=N: the users are 1..N (account number + 1).
\set uid random(1, :accounts)
SELECT t.id, t.content, t.created_at, u.username FROM user_follows f JOIN tweets t ON t.user_id = f.followee_id JOIN users u ON u.id = t.user_id WHERE f.follower_id = :uid ORDER BY t.created_at DESC LIMIT 20;
