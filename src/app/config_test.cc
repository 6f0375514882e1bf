#include "app/config.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

EnvLookup Env(std::map<std::string, std::string> values) {
  return [values](const std::string& name) {
    auto it = values.find(name);
    return it == values.end() ? std::string() : it->second;
  };
}

TEST(Config, DefaultsMatchTheDocumentation) {
  auto c = ParseConfig({}, Env({}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->server.host, "127.0.0.1");
  EXPECT_EQ(c->server.port, 8080);
  EXPECT_EQ(c->data_dir, "data");
  EXPECT_EQ(c->api.max_characters, 280);
  EXPECT_TRUE(c->api.rate_limits.enabled);
  EXPECT_FALSE(c->api.password_grant);
  EXPECT_TRUE(c->api.rate_limits.exempt_networks.empty());
}

TEST(Config, FlagsOverrideEnvironment) {
  auto c = ParseConfig({"--listen", "0.0.0.0:9000", "--rate-limits=off"},
                       Env({{"CHIRP_LISTEN", "127.0.0.1:1"},
                            {"CHIRP_DATA", "/tmp/x"},
                            {"CHIRP_RATE_LIMITS", "on"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->server.port, 9000);
  EXPECT_EQ(c->data_dir, "/tmp/x");
  EXPECT_FALSE(c->api.rate_limits.enabled);
}

TEST(Config, RejectsUnknownOptionsAndBadValues) {
  EXPECT_FALSE(ParseConfig({"--nope"}, Env({})).ok());
  EXPECT_FALSE(ParseConfig({"--listen", "no-port"}, Env({})).ok());
  EXPECT_FALSE(ParseConfig({"--rate-limit-ip", "many"}, Env({})).ok());
  EXPECT_FALSE(ParseConfig({"--max-characters"}, Env({})).ok());
  EXPECT_FALSE(ParseConfig({}, Env({{"CHIRP_WORKER_ID", "5000"}})).ok());
}

TEST(Config, ParsesRateLimitRulesAndNetworks) {
  auto c =
      ParseConfig({"--rate-limit-ip", "3/60", "--rate-limit-exempt", "10.0.0.0/8,::1"}, Env({}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->api.rate_limits.ip.limit, 3);
  EXPECT_EQ(c->api.rate_limits.ip.period_ms, 60'000);
  EXPECT_EQ(c->api.rate_limits.exempt_networks.size(), 2u);
}

TEST(Config, EachReplicaGivenAddsOneAndGoesWithADatabase) {
  auto c = ParseConfig({"--database-url", "postgresql://p/chirp", "--database-replica-url",
                        "postgresql://r1/chirp", "--database-replica-url=postgresql://r2/chirp",
                        "--database-session-url", "postgresql://direct/chirp"},
                       Env({}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->database.replica_urls,
            (std::vector<std::string>{"postgresql://r1/chirp", "postgresql://r2/chirp"}));
  EXPECT_EQ(c->database.session_url, "postgresql://direct/chirp");
  EXPECT_FALSE(ParseConfig({"--database-replica-url", "postgresql://r1/chirp"}, Env({})).ok());
  EXPECT_FALSE(ParseConfig({"--database-session-url", "postgresql://d/chirp"}, Env({})).ok());
  EXPECT_FALSE(
      ParseConfig({"--database-url", "postgresql://p/chirp", "--database-replica-url="}, Env({}))
          .ok());
}

TEST(Config, CollectsCommandOptions) {
  std::map<std::string, std::string> extra;
  auto c =
      ParseConfig({"--username", "alice", "--data", "d"}, Env({}), nullptr, &extra, {"username"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(extra["username"], "alice");
}

}  // namespace
}  // namespace chirp
