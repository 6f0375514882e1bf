#include "redis/redis_cluster.h"

#include <gtest/gtest.h>

#include <set>

#include "redis/redis_slots.h"
#include "redis/redis_test_cluster.h"

namespace chirp {
namespace {

RedisCommand Cmd(std::vector<std::string> args) { return RedisCommand{std::move(args), "", nullptr}; }

std::unique_ptr<RedisCluster> ConnectShared() {
  auto client = RedisTestCluster::ConnectShared();
  EXPECT_TRUE(client) << client.error().message;
  return client ? std::move(client).value() : nullptr;
}

// The id of the node at `address`.
std::string IdOf(RedisCluster& client, const std::string& address) {
  auto reply = client.RunOnNode(address, Cmd({"CLUSTER", "MYID"}));
  return reply ? reply->str : "";
}

TEST(ParseRedisClusterUrl, ReadsASeedList) {
  auto options = ParseRedisClusterUrl("redis://127.0.0.1:7000,127.0.0.1:7001/");
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->seeds, (std::vector<std::string>{"127.0.0.1:7000", "127.0.0.1:7001"}));
  EXPECT_FALSE(ParseRedisClusterUrl("http://127.0.0.1:7000"));
  EXPECT_FALSE(ParseRedisClusterUrl("redis://"));
  EXPECT_FALSE(ParseRedisClusterUrl("redis://127.0.0.1"));
  EXPECT_FALSE(ParseRedisClusterUrl("redis://127.0.0.1:99999"));
  EXPECT_FALSE(ParseRedisClusterUrl("redis://127.0.0.1:7000,"));
}

TEST(RedisCluster, ConnectFailsClearlyWhenNoSeedAnswers) {
  RedisClusterOptions options;
  options.seeds = {"127.0.0.1:1"};
  auto client = RedisCluster::Connect(options);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(client.error().message.find("127.0.0.1:1"), std::string::npos);
}

TEST(RedisCluster, SpreadsKeysOverTheMastersOfTheirSlots) {
  auto client = ConnectShared();
  ASSERT_TRUE(client);
  EXPECT_EQ(client->Masters().size(), 3u);
  const std::string p = RedisTestCluster::Prefix();
  std::set<std::string> masters;
  for (int i = 0; i < 50; ++i) {
    const std::string key = p + "k" + std::to_string(i);
    auto set = client->Run(Cmd({"SET", key, std::to_string(i)}));
    ASSERT_TRUE(set) << set.error().message;
    EXPECT_EQ(set->str, "OK");
    masters.insert(client->MasterOf(RedisHashSlot(key)));
    // The node the map names holds the key itself: no redirection was needed.
    auto direct = client->RunOnNode(client->MasterOf(RedisHashSlot(key)), Cmd({"GET", key}));
    ASSERT_TRUE(direct);
    EXPECT_EQ(direct->str, std::to_string(i));
  }
  EXPECT_EQ(masters.size(), 3u);
  EXPECT_EQ(client->Stats().moved, 0u);
}

TEST(RedisCluster, PipelinesABatchAcrossNodesAndAnswersInOrder) {
  auto client = ConnectShared();
  ASSERT_TRUE(client);
  const std::string p = RedisTestCluster::Prefix();
  std::vector<RedisCommand> batch;
  for (int i = 0; i < 200; ++i) batch.push_back(Cmd({"SET", p + std::to_string(i), "v" + std::to_string(i)}));
  for (int i = 199; i >= 0; --i) batch.push_back(Cmd({"GET", p + std::to_string(i)}));
  batch.push_back(Cmd({"GET", p + "absent"}));
  const uint64_t connects_before = client->Stats().connects;
  auto replies = client->RunAll(batch);
  ASSERT_TRUE(replies) << replies.error().message;
  ASSERT_EQ(replies->size(), batch.size());
  for (int i = 0; i < 200; ++i) EXPECT_EQ((*replies)[i].str, "OK");
  for (int i = 0; i < 200; ++i) EXPECT_EQ((*replies)[200 + i].str, "v" + std::to_string(199 - i));
  EXPECT_TRUE(replies->back().is_nil());
  // One connection per master at most, written once each.
  EXPECT_LE(client->Stats().connects - connects_before, 3u);
}

TEST(RedisCluster, ACommandsOwnErrorIsAReplyNotAFailure) {
  auto client = ConnectShared();
  ASSERT_TRUE(client);
  const std::string key = RedisTestCluster::Prefix() + "text";
  ASSERT_TRUE(client->Run(Cmd({"SET", key, "not a number"})));
  auto reply = client->Run(Cmd({"INCR", key}));
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_TRUE(reply->is_error());
  EXPECT_NE(reply->str.find("not an integer"), std::string::npos);
}

TEST(RedisCluster, LoadsAScriptWhereItIsUnknownAndRunsItBySha) {
  auto client = ConnectShared();
  ASSERT_TRUE(client);
  const RedisScript add("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  EXPECT_EQ(add.sha1().size(), 40u);
  ASSERT_TRUE(client->RunOnMasters(Cmd({"SCRIPT", "FLUSH"})));
  const std::string p = RedisTestCluster::Prefix();
  std::vector<RedisCommand> batch;
  for (int i = 0; i < 30; ++i) batch.push_back(RedisCommand::Script(add, {p + std::to_string(i % 10)}, {"2"}));
  auto replies = client->RunAll(batch);
  ASSERT_TRUE(replies) << replies.error().message;
  for (int i = 0; i < 30; ++i) EXPECT_EQ((*replies)[i].integer, 2 * (i / 10 + 1)) << i;
  // Known everywhere now: the next run needs no loading.
  const uint64_t retries = client->Stats().retries;
  ASSERT_TRUE(client->RunAll(batch));
  EXPECT_EQ(client->Stats().retries, retries);
}

TEST(RedisCluster, AcknowledgesAReplicatedBatchOnceTheReplicasHaveIt) {
  auto client = ConnectShared();
  ASSERT_TRUE(client);
  const std::string p = RedisTestCluster::Prefix();
  std::vector<RedisCommand> batch;
  for (int i = 0; i < 30; ++i) batch.push_back(Cmd({"SET", p + std::to_string(i), "r"}));
  auto replies = client->RunAll(batch, {.replicas = 1, .replica_wait_ms = 5000});
  ASSERT_TRUE(replies) << replies.error().message;
  EXPECT_EQ(client->Stats().unreplicated, 0u);
  // Each key is on its master's replica the moment the batch is answered.
  for (int i = 0; i < 30; ++i) {
    const std::string key = p + std::to_string(i);
    const std::string master = client->MasterOf(RedisHashSlot(key));
    auto listed = client->RunOnNode(master, Cmd({"CLUSTER", "REPLICAS", IdOf(*client, master)}));
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->elements.size(), 1u);
    const std::string& line = listed->elements[0].str;  // "<id> host:port@bus slave ..."
    const size_t start = line.find(' ') + 1;
    const std::string replica = line.substr(start, line.find('@') - start);
    ASSERT_TRUE(client->RunOnNode(replica, Cmd({"READONLY"})));
    auto held = client->RunOnNode(replica, Cmd({"GET", key}));
    ASSERT_TRUE(held);
    EXPECT_EQ(held->str, "r") << key << " on " << replica;
  }
}

TEST(RedisCluster, FollowsASlotMigrationThroughAskAndThenMoved) {
  auto cluster = RedisTestCluster::Start();
  ASSERT_TRUE(cluster) << cluster.error().message;
  auto connected = (*cluster)->Connect();
  ASSERT_TRUE(connected) << connected.error().message;
  RedisCluster& client = **connected;
  const std::string old_key = "{moving}old", new_key = "{moving}new";
  const int slot = RedisHashSlot(old_key);
  ASSERT_TRUE(client.Run(Cmd({"SET", old_key, "before"})));
  const std::string source = client.MasterOf(slot);
  std::string target;
  for (const std::string& m : client.Masters()) {
    if (m != source) target = m;
  }
  const std::string source_id = IdOf(client, source), target_id = IdOf(client, target);
  const std::string slot_text = std::to_string(slot);
  ASSERT_EQ(client.RunOnNode(target, Cmd({"CLUSTER", "SETSLOT", slot_text, "IMPORTING", source_id}))->str, "OK");
  ASSERT_EQ(client.RunOnNode(source, Cmd({"CLUSTER", "SETSLOT", slot_text, "MIGRATING", target_id}))->str, "OK");

  // Mid-migration: a key the source no longer has is asked of the target.
  auto created = client.Run(Cmd({"SET", new_key, "during"}));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->str, "OK");
  EXPECT_GE(client.Stats().asked, 1u);
  auto old_value = client.Run(Cmd({"GET", old_key}));
  ASSERT_TRUE(old_value);
  EXPECT_EQ(old_value->str, "before");
  EXPECT_EQ(client.MasterOf(slot), source);  // an ASK changes no map

  // The rest moves and the slot is handed over: the client follows MOVED.
  const std::string target_port = target.substr(target.rfind(':') + 1);
  auto migrated = client.RunOnNode(
      source, Cmd({"MIGRATE", "127.0.0.1", target_port, "", "0", "5000", "KEYS", old_key}));
  ASSERT_TRUE(migrated);
  ASSERT_EQ(migrated->str, "OK") << migrated->str;
  for (const std::string& m : client.Masters()) {
    ASSERT_EQ(client.RunOnNode(m, Cmd({"CLUSTER", "SETSLOT", slot_text, "NODE", target_id}))->str, "OK");
  }
  auto moved_value = client.Run(Cmd({"GET", old_key}));
  ASSERT_TRUE(moved_value) << moved_value.error().message;
  EXPECT_EQ(moved_value->str, "before");
  EXPECT_GE(client.Stats().moved, 1u);
  EXPECT_EQ(client.MasterOf(slot), target);
  auto new_value = client.Run(Cmd({"GET", new_key}));
  ASSERT_TRUE(new_value);
  EXPECT_EQ(new_value->str, "during");
}

TEST(RedisCluster, RidesOutAMasterFailover) {
  auto cluster = RedisTestCluster::Start();
  ASSERT_TRUE(cluster) << cluster.error().message;
  auto connected = (*cluster)->Connect(30000);
  ASSERT_TRUE(connected) << connected.error().message;
  RedisCluster& client = **connected;
  const std::string key = "{failing}key";
  // WAIT, on the write's own connection, until the replica has it.
  RedisCommand wait = Cmd({"WAIT", "1", "5000"});
  wait.route_key = key;
  auto written = client.RunAll(std::vector<RedisCommand>{Cmd({"SET", key, "kept"}), wait});
  ASSERT_TRUE(written) << written.error().message;
  ASSERT_EQ((*written)[1].integer, 1);
  const std::string dead = client.MasterOf(RedisHashSlot(key));
  ASSERT_TRUE((*cluster)->Kill(dead));

  auto value = client.Run(Cmd({"GET", key}));
  ASSERT_TRUE(value) << value.error().message;
  EXPECT_EQ(value->str, "kept");
  EXPECT_NE(client.MasterOf(RedisHashSlot(key)), dead);
  EXPECT_GE(client.Stats().retries, 1u);
  auto after = client.Run(Cmd({"SET", key, "after"}));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->str, "OK");
}

}  // namespace
}  // namespace chirp
