// For the timeline module's tests: a real SQLite store with accounts
// user1..userN (TempStore), a simulated clock, and the timeline parts wired
// as chirpd wires them (one MemoryTimelineCache, a HomeTimeline, and a
// FanOut that keeps the celebrities' author lists). Changes go through the
// store, so the outbox records their events; Drain() hands what committed
// since the last drain to fan-out, as the outbox drainer does, on the test's
// thread.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "social/visibility.h"
#include "store/sqlite/temp_store.h"
#include "timeline/fan_out.h"
#include "timeline/home_timeline.h"
#include "timeline/memory_timeline_cache.h"

namespace chirp {

class TimelineTest : public ::testing::Test {
 protected:
  static constexpr int kAccounts = 12;
  static constexpr int64_t kStartMs = 1'700'000'000'000;
  static constexpr int64_t kDayMs = 24LL * 3600 * 1000;
  // Small enough that a handful of followers makes a celebrity.
  static constexpr int64_t kCelebrityThreshold = 3;

  // The options the tests run with unless they Wire() others: a low
  // celebrity threshold, and rebuilds that read an author a few statuses at
  // a time and hold a few of each in memory, so that a rebuild goes back to
  // the store for more.
  static TimelineOptions Options() {
    TimelineOptions o;
    o.celebrity_threshold = kCelebrityThreshold;
    o.rebuild_per_author = 3;
    o.author_posts_depth = 3;
    o.rebuild_capacity = MemoryTimelineCache::kDefaultCapacity;
    o.live_window_ms = 7 * kDayMs;
    return o;
  }

  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    temp_ = std::make_unique<TempStore>(
        std::string("timeline-") + info->test_suite_name() + "-" + info->name(), kAccounts);
    ASSERT_TRUE(temp_->ok()) << temp_->error();
    store_ = &temp_->store();
    Wire(Options());
  }

  // Replaces the timeline parts with fresh ones (empty cache, celebrities
  // loaded from the store); the outbox position is kept. The cache holds
  // `options.rebuild_capacity` entries a timeline, as chirpd's
  // --timeline-size sets both.
  void Wire(const TimelineOptions& options) {
    options_ = options;
    fan_out_.reset();
    home_.reset();
    cache_ = std::make_unique<MemoryTimelineCache>(options.rebuild_capacity);
    home_ = std::make_unique<HomeTimeline>(*store_, *cache_, options_, clock_);
    ASSERT_TRUE(home_->celebrities().Load().ok());
    fan_out_ = std::make_unique<FanOut>(*store_, *cache_, options_, &home_->author_posts());
  }

  // Statuses, with increasing ids and the clock's time.
  int64_t Write(StatusRecord s) {
    s.id = next_status_id_++;
    s.text = "post";
    s.created_at_ms = clock_.NowMillis();
    auto created = store_->CreateStatus(s, "", 0);
    EXPECT_TRUE(created.ok()) << created.error().message;
    return s.id;
  }
  int64_t Post(int64_t author, Visibility visibility = Visibility::kPublic) {
    StatusRecord s;
    s.account_id = author;
    s.visibility = visibility;
    return Write(s);
  }
  int64_t Reply(int64_t author, int64_t parent_id, std::vector<int64_t> mentions = {}) {
    auto parent = store_->FindStatus(parent_id);
    EXPECT_TRUE(parent.ok());
    StatusRecord s;
    s.account_id = author;
    s.in_reply_to_id = parent_id;
    s.in_reply_to_account_id = parent.ok() ? parent->account_id : 0;
    s.mentioned_account_ids = std::move(mentions);
    return Write(s);
  }
  int64_t Reblog(int64_t account, int64_t status_id) {
    StatusRecord s;
    s.account_id = account;
    s.reblog_of_id = status_id;
    return Write(s);
  }
  int64_t Direct(int64_t author, std::vector<int64_t> mentions) {
    StatusRecord s;
    s.account_id = author;
    s.visibility = Visibility::kDirect;
    s.mentioned_account_ids = std::move(mentions);
    return Write(s);
  }
  void Delete(int64_t status_id) {
    EXPECT_TRUE(store_->DeleteStatus(status_id, clock_.NowMillis()).ok());
  }

  // The social graph.
  void Follow(int64_t follower, int64_t followed, bool show_reblogs = true) {
    chirp::Follow f;
    f.id = next_relation_id_++;
    f.account_id = follower;
    f.target_account_id = followed;
    f.show_reblogs = show_reblogs;
    f.created_at_ms = clock_.NowMillis();
    EXPECT_TRUE(store_->CreateFollow(f).ok());
  }
  void Unfollow(int64_t follower, int64_t followed) {
    EXPECT_TRUE(store_->DeleteFollow(follower, followed).ok());
  }
  void Block(int64_t blocker, int64_t blocked) {
    EXPECT_TRUE(
        store_->CreateBlock(next_relation_id_++, blocker, blocked, clock_.NowMillis()).ok());
  }
  void Mute(int64_t muter, int64_t muted) {
    EXPECT_TRUE(store_
                    ->CreateMute({.id = next_relation_id_++,
                                  .account_id = muter,
                                  .target_account_id = muted,
                                  .created_at_ms = clock_.NowMillis()})
                    .ok());
  }

  // The events committed since the last call, oldest first.
  std::vector<OutboxEvent> NewEvents() {
    auto events = store_->ReadOutbox(outbox_position_, 10'000);
    EXPECT_TRUE(events.ok());
    if (!events.ok()) return {};
    if (!events->empty()) outbox_position_ = events->back().id;
    return std::move(events).value();
  }
  // Hands the events committed since the last drain to fan-out, in order.
  void Drain() {
    for (const OutboxEvent& e : NewEvents()) Handle(*fan_out_, e);
  }
  static void Handle(FanOut& fan_out, const OutboxEvent& e) {
    const Status handled = fan_out.Handle(e);
    EXPECT_TRUE(handled.ok()) << "event " << e.id << ": " << handled.error().message;
  }

  // One page of the reader's home timeline, as the API asks for it (the
  // reader's relations loaded from the store now).
  std::vector<int64_t> Home(int64_t reader, const PageRequest& page = {}) {
    return PageOf(*home_, reader, page);
  }
  std::vector<int64_t> PageOf(HomeTimeline& home, int64_t reader, const PageRequest& page) {
    auto visibility = ViewerVisibility::Load(*store_, reader, clock_.NowMillis());
    EXPECT_TRUE(visibility.ok());
    if (!visibility.ok()) return {};
    auto ids = home.Page(*visibility, page);
    EXPECT_TRUE(ids.ok()) << ids.error().message;
    return ids.ok() ? std::move(ids).value() : std::vector<int64_t>();
  }
  // The reader's home as a rebuild from the store makes it: a fresh cache
  // and HomeTimeline with the same options, read once.
  std::vector<int64_t> Rebuilt(int64_t reader, const PageRequest& page = {}) {
    MemoryTimelineCache cache(options_.rebuild_capacity);
    HomeTimeline home(*store_, cache, options_, clock_);
    EXPECT_TRUE(home.celebrities().Load().ok());
    std::vector<int64_t> ids = PageOf(home, reader, page);
    EXPECT_EQ(home.misses(), 1u);
    return ids;
  }
  // The status ids of the reader's cached timeline, newest first (what
  // fan-out pushed, before any read-time merge or filter); nullopt when it
  // is not live. Marks the timeline read now, as any read does.
  std::optional<std::vector<int64_t>> Cached(int64_t reader) {
    auto entries = cache_->Read(reader, {.limit = static_cast<int>(options_.rebuild_capacity)},
                                clock_.NowMillis());
    if (!entries) return std::nullopt;
    std::vector<int64_t> ids;
    for (const TimelineEntry& e : *entries) ids.push_back(e.status_id);
    return ids;
  }
  // Gives the reader a live timeline by reading it once.
  void GoLive(int64_t reader) { (void)Home(reader); }

  std::unique_ptr<TempStore> temp_;
  SqliteStore* store_ = nullptr;
  ManualClock clock_{kStartMs};
  TimelineOptions options_;
  std::unique_ptr<MemoryTimelineCache> cache_;
  std::unique_ptr<HomeTimeline> home_;
  std::unique_ptr<FanOut> fan_out_;

 private:
  int64_t next_status_id_ = 1000;
  int64_t next_relation_id_ = 1;
  int64_t outbox_position_ = 0;
};

}  // namespace chirp
