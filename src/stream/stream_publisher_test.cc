#include "stream/stream_publisher.h"

#include <gtest/gtest.h>

#include "mastodon/mastodon_test_support.h"
#include "stream/pubsub.h"
#include "stream/stream_hub.h"
#include "timeline/fan_out.h"
#include "timeline/memory_timeline_cache.h"

namespace chirp {
namespace {

// A connection that keeps what it is sent, as "event payload" lines.
class Listener final : public StreamConnection {
 public:
  using StreamConnection::StreamConnection;
  void Send(std::string_view, const StreamMessage& message, std::string_view) override {
    events.push_back(message.event + " " + message.payload);
  }
  void SendText(std::string_view) override {}
  void Heartbeat() override {}
  void Close(bool) override {}
  bool Got(const std::string& event, int64_t status_id) const {
    for (const std::string& e : events) {
      if (e.starts_with(event + " ") && e.find(std::to_string(status_id)) != std::string::npos) {
        return true;
      }
    }
    return false;
  }
  std::vector<std::string> events;
};

class StreamPublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitSecrets());
    side_ = std::make_unique<TestReadSide>(
        std::string("publisher-") + ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        4);
    ASSERT_TRUE(side_->ok());
    hub_ = std::make_unique<StreamHub>(pubsub_, side_->viewers(), side_->clock());
    fan_out_ = std::make_unique<FanOut>(side_->store(), timelines_, TimelineOptions{});
    publisher_ = std::make_unique<StreamPublisher>(side_->read(), pubsub_, *hub_, *fan_out_);
    publisher_->SetBaseUrl("http://chirp.test");
  }
  void TearDown() override { hub_.reset(); }

  // A connection of `account` listening to `channel` (its user stream is
  // "timeline:<account>").
  std::shared_ptr<Listener> Listen(int64_t account, const std::string& channel) {
    auto c = std::make_shared<Listener>(account);
    hub_->Add(c);
    hub_->Subscribe(c.get(), channel, "[\"stream\"]");
    return c;
  }
  std::shared_ptr<Listener> UserStream(int64_t account) {
    return Listen(account, "timeline:" + std::to_string(account));
  }
  // Hands the publisher every event not yet handed, as its lane would.
  void Deliver() {
    auto events = side_->store().ReadOutbox(delivered_, 1000);
    ASSERT_TRUE(events.ok());
    for (const OutboxEvent& e : *events) {
      ASSERT_TRUE(publisher_->Handle(e).ok());
      delivered_ = e.id;
    }
  }

  std::unique_ptr<TestReadSide> side_;
  LocalPubSub pubsub_;
  MemoryTimelineCache timelines_;
  std::unique_ptr<StreamHub> hub_;
  std::unique_ptr<FanOut> fan_out_;
  std::unique_ptr<StreamPublisher> publisher_;
  int64_t delivered_ = 0;
};

TEST_F(StreamPublisherTest, AStatusReachesTheUserStreamsOfConnectedFollowersOnly) {
  ASSERT_TRUE(side_->graph().Follow(2, 1, {}).ok());
  auto follower = UserStream(2);
  auto stranger = UserStream(3);
  auto author = UserStream(1);
  const int64_t id = side_->Post(1, "hello followers");
  Deliver();
  EXPECT_TRUE(follower->Got("update", id));
  EXPECT_TRUE(author->Got("update", id));  // one's own statuses come home too
  EXPECT_TRUE(stranger->events.empty());
}

TEST_F(StreamPublisherTest, PublicStreamsCarryPublicStatusesAndTheirTags) {
  auto everyone = Listen(3, "timeline:public");
  auto tagged = Listen(3, "timeline:hashtag:news");
  const int64_t open = side_->Post(1, "open #news");
  const int64_t followers_only = side_->Post(1, "closed #news", "private");
  const int64_t unlisted = side_->Post(1, "quiet", "unlisted");
  Deliver();
  EXPECT_TRUE(everyone->Got("update", open));
  EXPECT_TRUE(tagged->Got("update", open));
  EXPECT_FALSE(everyone->Got("update", followers_only));
  EXPECT_FALSE(tagged->Got("update", followers_only));
  EXPECT_FALSE(everyone->Got("update", unlisted));
}

TEST_F(StreamPublisherTest, AFollowersOnlyStatusReachesFollowersButNoMutersOrStrangers) {
  ASSERT_TRUE(side_->graph().Follow(2, 1, {}).ok());
  ASSERT_TRUE(side_->graph().Follow(4, 1, {}).ok());
  ASSERT_TRUE(side_->graph().Mute(4, 1, {}).ok());
  auto follower = UserStream(2);
  auto muter = UserStream(4);
  auto stranger = UserStream(3);
  const int64_t id = side_->Post(1, "for followers", "private");
  Deliver();
  EXPECT_TRUE(follower->Got("update", id));
  EXPECT_FALSE(muter->Got("update", id));
  EXPECT_FALSE(stranger->Got("update", id));
}

TEST_F(StreamPublisherTest, ADeleteGoesWhereTheStatusWent) {
  ASSERT_TRUE(side_->graph().Follow(2, 1, {}).ok());
  auto follower = UserStream(2);
  auto everyone = Listen(3, "timeline:public");
  const int64_t id = side_->Post(1, "soon gone");
  ASSERT_TRUE(side_->posting().Delete(1, id).ok());
  Deliver();
  EXPECT_TRUE(follower->Got("delete", id));
  EXPECT_TRUE(everyone->Got("delete", id));
}

TEST_F(StreamPublisherTest, ADirectStatusIsAConversationForEachListeningParticipant) {
  auto mentioned = Listen(2, "timeline:direct:2");
  auto other = Listen(3, "timeline:direct:3");
  const int64_t id = side_->Post(1, "@user2 between us", "direct");
  Deliver();
  ASSERT_EQ(mentioned->events.size(), 1u);
  EXPECT_TRUE(mentioned->Got("conversation", id));
  EXPECT_NE(mentioned->events[0].find("\"unread\":true"), std::string::npos);
  EXPECT_TRUE(other->events.empty());
}

TEST_F(StreamPublisherTest, NothingIsRenderedWhileNobodyListens) {
  side_->Post(1, "into the void");
  Deliver();
  EXPECT_EQ(publisher_->published(), 0u);
}

}  // namespace
}  // namespace chirp
