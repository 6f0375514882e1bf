#include "stream/stream_hub.h"

#include <gtest/gtest.h>

#include "core/snowflake.h"
#include "store/sqlite/temp_store.h"

namespace chirp {
namespace {

// A connection that records what it is sent.
class RecordingConnection final : public StreamConnection {
 public:
  using StreamConnection::StreamConnection;
  void Send(std::string_view stream, const StreamMessage& message,
            std::string_view payload_json) override {
    sent.push_back(std::string(stream) + " " + message.event + " " + std::string(payload_json));
  }
  void SendText(std::string_view text) override { sent.emplace_back(text); }
  void Heartbeat() override { ++heartbeats; }
  void Close(bool) override { closed = true; }

  std::vector<std::string> sent;
  int heartbeats = 0;
  bool closed = false;
};

TEST(StreamMessageTest, EncodingRoundTrips) {
  const StreamMessage m{"update", "{\"id\":\"1\"}\nsecond line", {3, 14, 15}};
  auto back = DecodeStreamMessage(EncodeStreamMessage(m));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->event, "update");
  EXPECT_EQ(back->payload, m.payload);
  EXPECT_EQ(back->accounts, m.accounts);
  auto none = DecodeStreamMessage(EncodeStreamMessage({"delete", "42", {}}));
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->accounts.empty());
  EXPECT_FALSE(DecodeStreamMessage("no newline").has_value());
  EXPECT_FALSE(DecodeStreamMessage("update\n1,x\n{}").has_value());
}

TEST(LocalPubSubTest, HandsMessagesToSubscribersUntilUnsubscribed) {
  LocalPubSub pubsub;
  EXPECT_FALSE(pubsub.HasSubscribers("timeline:public"));
  std::vector<std::string> heard;
  const uint64_t handle =
      pubsub.Subscribe("timeline:public",
                       [&](const std::string& c, const std::string& m) { heard.push_back(c + m); });
  EXPECT_TRUE(pubsub.HasSubscribers("timeline:public"));
  pubsub.Publish("timeline:public", "a");
  pubsub.Publish("timeline:other", "b");
  pubsub.Unsubscribe(handle);
  pubsub.Publish("timeline:public", "c");
  EXPECT_EQ(heard, std::vector<std::string>{"timeline:publica"});
  EXPECT_FALSE(pubsub.HasSubscribers("timeline:public"));
}

class StreamHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = std::make_unique<TempStore>(
        std::string("stream-hub-") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        4);
    ASSERT_TRUE(temp_->ok()) << temp_->error();
    viewers_ = std::make_unique<ViewerCache>(temp_->store(), clock_);
    hub_ = std::make_unique<StreamHub>(pubsub_, *viewers_, clock_);
  }
  void TearDown() override { hub_.reset(); }
  std::shared_ptr<RecordingConnection> Connect(int64_t account) {
    auto c = std::make_shared<RecordingConnection>(account);
    hub_->Add(c);
    return c;
  }
  void Publish(const std::string& channel, const StreamMessage& m) {
    pubsub_.Publish(channel, EncodeStreamMessage(m));
  }

  ManualClock clock_{SnowflakeGenerator::kEpochMillis + 1000};
  std::unique_ptr<TempStore> temp_;
  LocalPubSub pubsub_;
  std::unique_ptr<ViewerCache> viewers_;
  std::unique_ptr<StreamHub> hub_;
};

TEST_F(StreamHubTest, HeartbeatsEveryConnectionOnceTheIntervalPassedOnTheClock) {
  auto a = Connect(1);
  auto b = Connect(2);
  const int64_t interval = std::chrono::milliseconds(StreamHub::kHeartbeat).count();
  EXPECT_FALSE(hub_->BeatIfDue());
  clock_.Advance(interval - 1);
  EXPECT_FALSE(hub_->BeatIfDue());
  clock_.Advance(1);
  EXPECT_TRUE(hub_->BeatIfDue());
  EXPECT_EQ(a->heartbeats, 1);
  EXPECT_EQ(b->heartbeats, 1);
  EXPECT_FALSE(hub_->BeatIfDue());  // the next one is an interval away
  hub_->Remove(b.get());
  clock_.Advance(interval);
  EXPECT_TRUE(hub_->BeatIfDue());
  EXPECT_EQ(a->heartbeats, 2);
  EXPECT_EQ(b->heartbeats, 1);
}

TEST_F(StreamHubTest, RefusesConnectionsOfAnAccountBeyondItsLimit) {
  StreamHub hub(pubsub_, *viewers_, clock_, {.connections_per_account = 2});
  auto a = std::make_shared<RecordingConnection>(1);
  auto b = std::make_shared<RecordingConnection>(1);
  auto c = std::make_shared<RecordingConnection>(1);
  EXPECT_TRUE(hub.Add(a));
  EXPECT_TRUE(hub.Admits(1));
  EXPECT_TRUE(hub.Add(b));
  EXPECT_FALSE(hub.Admits(1));
  EXPECT_FALSE(hub.Add(c));
  EXPECT_EQ(hub.Subscribe(c.get(), "timeline:public", R"(["public"])"), SubscribeResult::kGone);
  EXPECT_TRUE(hub.Add(std::make_shared<RecordingConnection>(2)));  // another account's own
  hub.Remove(a.get());
  EXPECT_TRUE(hub.Admits(1));
  EXPECT_TRUE(hub.Add(c));
  EXPECT_EQ(hub.connections(), 3u);
}

TEST_F(StreamHubTest, RefusesSubscriptionsOfAConnectionBeyondItsLimit) {
  StreamHub hub(pubsub_, *viewers_, clock_, {.subscriptions_per_connection = 2});
  auto c = std::make_shared<RecordingConnection>(1);
  ASSERT_TRUE(hub.Add(c));
  EXPECT_EQ(hub.Subscribe(c.get(), "timeline:hashtag:a", R"(["hashtag","a"])"),
            SubscribeResult::kSubscribed);
  EXPECT_EQ(hub.Subscribe(c.get(), "timeline:hashtag:b", R"(["hashtag","b"])"),
            SubscribeResult::kSubscribed);
  EXPECT_EQ(hub.Subscribe(c.get(), "timeline:hashtag:c", R"(["hashtag","c"])"),
            SubscribeResult::kTooMany);
  EXPECT_EQ(hub.Subscribe(c.get(), "timeline:hashtag:a", R"(["hashtag","a"])"),
            SubscribeResult::kAlready);
  hub.Unsubscribe(c.get(), "timeline:hashtag:a", R"(["hashtag","a"])");
  EXPECT_EQ(hub.Subscribe(c.get(), "timeline:hashtag:c", R"(["hashtag","c"])"),
            SubscribeResult::kSubscribed);
  pubsub_.Publish("timeline:hashtag:c", EncodeStreamMessage({"update", R"({"id":"7"})", {2}}));
  EXPECT_EQ(c->sent.size(), 1u);
}

TEST_F(StreamHubTest, DeliversUnderTheSubscribedStreamName) {
  auto c = Connect(1);
  ASSERT_EQ(hub_->Subscribe(c.get(), "timeline:hashtag:foo", R"(["hashtag","FoO"])"),
            SubscribeResult::kSubscribed);
  EXPECT_EQ(hub_->Subscribe(c.get(), "timeline:hashtag:foo", R"(["hashtag","FoO"])"),
            SubscribeResult::kAlready);
  Publish("timeline:hashtag:foo", {"update", R"({"id":"7"})", {2}});
  ASSERT_EQ(c->sent.size(), 1u);
  EXPECT_EQ(c->sent[0], R"(["hashtag","FoO"] update "{\"id\":\"7\"}")");
}

TEST_F(StreamHubTest, UnsubscribeAndRemoveStopDelivery) {
  auto a = Connect(1);
  auto b = Connect(2);
  hub_->Subscribe(a.get(), "timeline:public", R"(["public"])");
  hub_->Subscribe(b.get(), "timeline:public", R"(["public:local"])");
  hub_->Unsubscribe(a.get(), "timeline:public", R"(["public"])");
  Publish("timeline:public", {"delete", "9", {}});
  EXPECT_TRUE(a->sent.empty());
  ASSERT_EQ(b->sent.size(), 1u);
  EXPECT_EQ(b->sent[0], R"(["public:local"] delete "9")");
  hub_->Remove(b.get());
  EXPECT_FALSE(pubsub_.HasSubscribers("timeline:public"));
  EXPECT_EQ(hub_->connections(), 1u);
}

TEST_F(StreamHubTest, SharedChannelsLeaveOutBlockedAndMutedAccounts) {
  Store& store = temp_->store();
  ASSERT_TRUE(store.CreateBlock(100, 2, 3, clock_.NowMillis()).ok());  // 3 is blocked by 2
  ASSERT_TRUE(store.CreateMute({.id = 101, .account_id = 4, .target_account_id = 3}).ok());
  auto author = Connect(3);
  auto blocker = Connect(2);
  auto muter = Connect(4);
  auto other = Connect(1);
  for (auto* c : {author.get(), blocker.get(), muter.get(), other.get()}) {
    hub_->Subscribe(c, "timeline:public", R"(["public"])");
  }
  Publish("timeline:public", {"update", "{}", {3}});
  EXPECT_EQ(author->sent.size(), 1u);
  EXPECT_TRUE(blocker->sent.empty());
  EXPECT_TRUE(muter->sent.empty());
  EXPECT_EQ(other->sent.size(), 1u);
  // A mention of the blocked account is filtered the same way.
  Publish("timeline:public", {"update", "{}", {1, 3}});
  EXPECT_TRUE(blocker->sent.empty());
}

TEST_F(StreamHubTest, CloseAllClosesAndForgetsEveryConnection) {
  auto a = Connect(1);
  hub_->Subscribe(a.get(), "timeline:1", R"(["user"])");
  hub_->CloseAll();
  EXPECT_TRUE(a->closed);
  EXPECT_EQ(hub_->connections(), 0u);
  EXPECT_FALSE(pubsub_.HasSubscribers("timeline:1"));
  EXPECT_FALSE(hub_->Add(std::make_shared<RecordingConnection>(2)));  // refused once stopping
  EXPECT_EQ(hub_->connections(), 0u);
}

}  // namespace
}  // namespace chirp
