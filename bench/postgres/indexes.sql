-- The keys and indexes of schema.sql's tables, built after the bulk load.
ALTER TABLE users ADD PRIMARY KEY (id);
ALTER TABLE users ADD UNIQUE (username);
ALTER TABLE tweets ADD PRIMARY KEY (id);
ALTER TABLE user_follows ADD PRIMARY KEY (follower_id, followee_id);
CREATE INDEX user_follows_followee ON user_follows (followee_id, follower_id);
CREATE INDEX tweets_user_created ON tweets (user_id, created_at DESC);
ALTER TABLE tweets ADD FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE user_follows ADD FOREIGN KEY (follower_id) REFERENCES users (id);
ALTER TABLE user_follows ADD FOREIGN KEY (followee_id) REFERENCES users (id);
