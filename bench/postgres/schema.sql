-- The system-design document's data model (User, Tweet, UserFollow) in
-- PostgreSQL: the tables alone. Their keys and indexes are in indexes.sql,
-- run after the bulk load (bench/postgres/lib.sh: pg_load_graph), since
-- building them once over loaded tables is much faster than keeping them up
-- to date row by row. Together the two files are the design's schema:
--
--   users(id bigint PRIMARY KEY, username text NOT NULL UNIQUE, ...)
--   tweets(id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users(id), ...)
--   user_follows(follower_id, followee_id REFERENCES users(id),
--                PRIMARY KEY (follower_id, followee_id)), indexed both ways
--   tweets indexed on (user_id, created_at DESC)

CREATE TABLE users (
  id bigint NOT NULL,
  username text NOT NULL,
  email text NOT NULL,
  password_hash text NOT NULL DEFAULT '',
  date_of_birth date,
  created_at timestamptz NOT NULL,
  last_login timestamptz
);

CREATE TABLE tweets (
  id bigserial NOT NULL,
  user_id bigint NOT NULL,
  content text NOT NULL,
  created_at timestamptz NOT NULL,
  tweet_latitude double precision,
  tweet_longitude double precision,
  user_latitude double precision,
  user_longitude double precision,
  num_likes int NOT NULL DEFAULT 0,
  num_retweets int NOT NULL DEFAULT 0,
  num_replies int NOT NULL DEFAULT 0
);

CREATE TABLE user_follows (
  follower_id bigint NOT NULL,
  followee_id bigint NOT NULL,
  created_at timestamptz NOT NULL
);
