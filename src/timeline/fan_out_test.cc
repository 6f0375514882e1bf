// FanOut fed the events of the store's outbox: what it pushes, to whom,
// and what it purges.
#include "timeline/fan_out.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/no_wait.h"
#include "timeline/timeline_test_support.h"

namespace chirp {
namespace {

using Ids = std::vector<int64_t>;
using FanOutTest = TimelineTest;

Ids StatusIds(const std::optional<AuthorSlice>& slice) {
  Ids ids;
  if (slice) {
    for (const AuthorPost& p : slice->posts) ids.push_back(p.status_id);
  }
  return ids;
}

// A cache that, while `down`, reaches nothing, as a Redis Cluster past its
// retry window: pushes and removals count failures and keep nothing.
class UnreachableWhenDown final : public TimelineCache {
 public:
  explicit UnreachableWhenDown(TimelineCache& inner) : inner_(inner) {}
  bool down = false;

  bool Push(int64_t account, const TimelineEntry& e, int window) override {
    if (down) return Fail(1), false;
    return inner_.Push(account, e, window);
  }
  size_t PushMany(const std::vector<int64_t>& accounts, const TimelineEntry& e,
                  int window) override {
    if (down) return Fail(accounts.size()), 0;
    return inner_.PushMany(accounts, e, window);
  }
  bool PushEach(int64_t account, const std::vector<TimelineEntry>& entries, int window) override {
    if (down) return Fail(1), false;
    return inner_.PushEach(account, entries, window);
  }
  int64_t OldestIfFull(int64_t account) const override { return inner_.OldestIfFull(account); }
  void Remove(int64_t account, int64_t status) override {
    down ? Fail(1) : inner_.Remove(account, status);
  }
  void RemoveAuthor(int64_t account, int64_t author) override {
    down ? Fail(1) : inner_.RemoveAuthor(account, author);
  }
  std::optional<std::vector<TimelineEntry>> Read(int64_t account, const PageRequest& page,
                                                 int64_t now) override {
    return inner_.Read(account, page, now);
  }
  void Reserve(int64_t account, int64_t now) override { inner_.Reserve(account, now); }
  void Install(int64_t account, std::vector<TimelineEntry> entries, int64_t now) override {
    inner_.Install(account, std::move(entries), now);
  }
  bool IsLive(int64_t account) const override { return inner_.IsLive(account); }
  size_t DropIdle(int64_t cutoff) override { return inner_.DropIdle(cutoff); }
  size_t ShrinkTo(size_t bytes) override { return inner_.ShrinkTo(bytes); }
  TimelineCacheStats Stats() const override { return inner_.Stats(); }
  uint64_t failures() const override { return failures_; }

 private:
  void Fail(size_t n) { failures_ += n; }
  TimelineCache& inner_;
  uint64_t failures_ = 0;
};

TEST_F(FanOutTest, AnEventWhosePushesDidNotReachTheCacheIsHandedOutAgain) {
  Follow(1, 2);
  GoLive(1);
  Drain();
  UnreachableWhenDown cache(*cache_);
  FanOut fan_out(*store_, cache, options_);
  const int64_t s = Post(2);
  const std::vector<OutboxEvent> events = NewEvents();
  cache.down = true;
  for (const OutboxEvent& e : events) {
    const Status handled = fan_out.Handle(e);
    ASSERT_FALSE(handled.ok());
    EXPECT_EQ(handled.error().code, ErrorCode::kUnavailable);
  }
  EXPECT_EQ(Cached(1), Ids{});
  cache.down = false;  // handed out again, once it can be reached
  for (const OutboxEvent& e : events) Handle(fan_out, e);
  EXPECT_EQ(Cached(1), Ids{s});
}

TEST_F(FanOutTest, PushesANewStatusToFollowersWithALiveTimelineOnly) {
  Follow(1, 2);
  Follow(3, 2);
  GoLive(1);
  const int64_t s = Post(2);
  Drain();
  EXPECT_EQ(Cached(1), Ids{s});
  EXPECT_FALSE(cache_->IsLive(3));  // nothing kept for it
  EXPECT_FALSE(cache_->IsLive(2));
  EXPECT_EQ(fan_out_->pushes(), 1u);
  EXPECT_EQ(Home(3), Ids{s});  // rebuilt on demand instead
  EXPECT_EQ(home_->misses(), 2u);
}

TEST_F(FanOutTest, PushesToTheAuthorsOwnLiveTimeline) {
  GoLive(2);
  const int64_t s = Post(2);
  Drain();
  EXPECT_EQ(Cached(2), Ids{s});
}

TEST_F(FanOutTest, PushesAReplyOnlyToFollowersOfTheAccountRepliedTo) {
  TimelineOptions options = Options();
  options.celebrity_threshold = 10;  // three followers make no celebrity here
  Wire(options);
  for (int64_t follower : {1, 3, 4}) {
    Follow(follower, 2);
    GoLive(follower);
  }
  Follow(3, 5);
  const int64_t strangers = Post(5);
  const int64_t readers = Post(4);
  Drain();
  const int64_t to_stranger = Reply(2, strangers);
  const int64_t to_follower = Reply(2, readers);
  const int64_t mentioning = Reply(2, strangers, {1});
  Drain();
  EXPECT_EQ(Cached(1), Ids{mentioning});
  EXPECT_EQ(Cached(3), (Ids{mentioning, to_stranger, strangers}));  // 3 follows 5
  EXPECT_EQ(Cached(4), (Ids{to_follower, readers}));                // the reply is to 4
}

TEST_F(FanOutTest, PushesNoReblogsFromAFollowWithReblogsOff) {
  Follow(1, 2, /*show_reblogs=*/false);
  Follow(3, 2);
  GoLive(1);
  GoLive(3);
  const int64_t original = Post(5);
  const int64_t reblog = Reblog(2, original);
  const int64_t own = Post(2);
  Drain();
  EXPECT_EQ(Cached(1), Ids{own});
  EXPECT_EQ(Cached(3), (Ids{own, reblog}));
}

TEST_F(FanOutTest, PushesNoReblogOfTheReadersOwnStatus) {
  Follow(1, 2);
  GoLive(1);
  const int64_t own = Post(1);
  Reblog(2, own);
  Drain();
  EXPECT_EQ(Cached(1), Ids{own});
}

TEST_F(FanOutTest, PushesADirectStatusOnlyToTheMentionedFollowers) {
  for (int64_t follower : {1, 3}) {
    Follow(follower, 2);
    GoLive(follower);
  }
  GoLive(4);  // mentioned, but no follower
  const int64_t direct = Direct(2, {1, 4});
  Drain();
  EXPECT_EQ(Cached(1), Ids{direct});
  EXPECT_EQ(Cached(3), Ids{});
  EXPECT_EQ(Cached(4), Ids{});
}

TEST_F(FanOutTest, CelebrityStatusesAreNotPushedButLandInTheAuthorsList) {
  constexpr int64_t kCelebrity = 7;
  for (int64_t follower : {1, 8, 9}) Follow(follower, kCelebrity);
  ASSERT_TRUE(home_->celebrities().Refresh(kCelebrity).ok());
  Drain();
  // Reader 1's first read holds the celebrity's (empty) list in memory;
  // from then on only fan-out adds to it.
  for (int64_t reader : Ids{1, 8, 9, kCelebrity}) GoLive(reader);
  const auto held = [&] {
    NoWaitScope memory_only;
    auto recent = home_->author_posts().Recent(kCelebrity, 10, 0);
    EXPECT_TRUE(recent.ok());
    return recent.ok() ? StatusIds(*recent) : Ids{};
  };
  EXPECT_EQ(held(), Ids{});
  const uint64_t pushes = fan_out_->pushes();
  const int64_t s = Post(kCelebrity);
  EXPECT_EQ(held(), Ids{});
  Drain();
  EXPECT_EQ(held(), Ids{s});
  EXPECT_EQ(fan_out_->pushes(), pushes + 1);  // the author's own timeline only
  EXPECT_EQ(Cached(kCelebrity), Ids{s});
  for (int64_t follower : {1, 8, 9}) EXPECT_EQ(Cached(follower), Ids{}) << follower;
  EXPECT_EQ(Home(1), Ids{s});  // merged at read
}

TEST_F(FanOutTest, DirectStatusOfACelebrityIsPushedToTheMentionedFollowers) {
  constexpr int64_t kCelebrity = 7;
  for (int64_t follower : {1, 8, 9}) Follow(follower, kCelebrity);
  Drain();
  for (int64_t follower : {1, 8, 9}) GoLive(follower);
  const int64_t direct = Direct(kCelebrity, {1});
  Drain();
  EXPECT_EQ(Cached(1), Ids{direct});
  EXPECT_EQ(Cached(8), Ids{});
}

TEST_F(FanOutTest, DeletedStatusIsPurgedFromTimelinesAndTheAuthorsList) {
  constexpr int64_t kCelebrity = 7;
  for (int64_t follower : {1, 8, 9}) Follow(follower, kCelebrity);
  Follow(1, 2);
  Follow(3, 2);
  Follow(1, 4);
  Drain();
  for (int64_t reader : {1, 2, 3, 4}) GoLive(reader);
  const int64_t friends = Post(2);
  const int64_t kept = Post(2);
  const int64_t original = Post(5);
  const int64_t reblog = Reblog(4, original);
  const int64_t celebrity = Post(kCelebrity);
  ASSERT_TRUE(home_->author_posts().Recent(kCelebrity, 10, 0).ok());  // held in memory
  Drain();
  EXPECT_EQ(Cached(1), (Ids{reblog, kept, friends}));
  Delete(friends);
  Delete(original);  // and with it the reblog
  Delete(celebrity);
  Drain();
  EXPECT_EQ(Cached(1), Ids{kept});
  EXPECT_EQ(Cached(2), Ids{kept});
  EXPECT_EQ(Cached(3), Ids{kept});
  EXPECT_EQ(Cached(4), Ids{});
  auto held = home_->author_posts().Recent(kCelebrity, 10, 0);
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(StatusIds(*held), Ids{});
}

TEST_F(FanOutTest, FollowBackfillsTheFollowedAccountsRecentStatuses) {
  GoLive(1);
  const int64_t a = Post(2);
  const int64_t b = Post(2);
  Reply(2, Post(5));  // a reply to a stranger: not for the reader
  Drain();
  EXPECT_EQ(Cached(1), Ids{});
  Follow(1, 2);
  Drain();
  EXPECT_EQ(Cached(1), (Ids{b, a}));
}

// A full timeline keeps nothing older than its oldest entry: the backfill
// stops there rather than pushing what would fall out at once.
TEST_F(FanOutTest, FollowBackfillsNothingOlderThanAFullTimelineKeeps) {
  TimelineOptions options = Options();
  options.rebuild_capacity = 3;
  Wire(options);
  (void)Post(2);  // older than the timeline keeps once full
  Follow(1, 3);
  Drain();
  Ids kept;
  for (int i = 0; i < 3; ++i) kept.insert(kept.begin(), Post(3));
  GoLive(1);
  const int64_t newer = Post(2);
  Drain();
  Follow(1, 2);
  Drain();
  EXPECT_EQ(Cached(1), (Ids{newer, kept[0], kept[1]}));
}

// The followed account's list in memory holds its newest statuses; a
// backfill reaches below it, into the store, as far as a rebuild would.
TEST_F(FanOutTest, FollowBackfillsBelowWhatTheAuthorsListHolds) {
  TimelineOptions options = Options();
  options.author_posts_depth = 2;
  Wire(options);
  Ids all;
  for (int i = 0; i < 5; ++i) all.insert(all.begin(), Post(2));
  GoLive(1);
  ASSERT_TRUE(home_->author_posts().Recent(2, 2, 0).ok());  // the list: the newest two
  Follow(1, 2);
  Drain();
  EXPECT_EQ(Cached(1), all);
}

// A celebrity's statuses are merged at read, so a follow of one pushes none
// of them: they would take the places of older statuses that a rebuild
// keeps.
TEST_F(FanOutTest, FollowOfACelebrityBackfillsNothing) {
  constexpr int64_t kCelebrity = 7;
  TimelineOptions options = Options();
  options.rebuild_capacity = 4;
  Wire(options);
  for (int64_t follower : {8, 9}) Follow(follower, kCelebrity);
  Follow(1, 2);
  Drain();
  Ids all;
  for (int i = 0; i < 4; ++i) all.insert(all.begin(), Post(2));
  GoLive(1);
  for (int i = 0; i < 4; ++i) all.insert(all.begin(), Post(kCelebrity));
  Follow(1, kCelebrity);  // its third follower
  ASSERT_TRUE(home_->celebrities().Refresh(kCelebrity).ok());
  Drain();
  EXPECT_EQ(Cached(1), Ids(all.begin() + 4, all.end()));
  EXPECT_EQ(Home(1), all);
  EXPECT_EQ(Rebuilt(1), all);
}

TEST_F(FanOutTest, UnfollowRemovesTheAuthorsEntries) {
  Follow(1, 2);
  Follow(1, 3);
  GoLive(1);
  Post(2);
  const int64_t kept = Post(3);
  Post(2);
  Drain();
  Unfollow(1, 2);
  Drain();
  EXPECT_EQ(Cached(1), Ids{kept});
  Post(2);  // and pushes no more
  Drain();
  EXPECT_EQ(Cached(1), Ids{kept});
}

TEST_F(FanOutTest, BlockRemovesEntriesBothWays) {
  Follow(1, 2);
  Follow(2, 1);
  Follow(1, 3);
  Follow(2, 3);
  GoLive(1);
  GoLive(2);
  Post(1);
  Post(2);
  const int64_t third = Post(3);
  Drain();
  Block(1, 2);
  Drain();
  EXPECT_EQ(Cached(1), (Ids{third, third - 2}));  // its own and 3's
  EXPECT_EQ(Cached(2), (Ids{third, third - 1}));
}

TEST_F(FanOutTest, MuteRemovesTheMutedAuthorsEntries) {
  Follow(1, 2);
  Follow(1, 3);
  Follow(4, 2);
  GoLive(1);
  GoLive(4);
  const int64_t muted = Post(2);
  const int64_t kept = Post(3);
  Drain();
  Mute(1, 2);
  Drain();
  EXPECT_EQ(Cached(1), Ids{kept});
  EXPECT_EQ(Cached(4), Ids{muted});  // someone else's mute
}

// The outbox hands events out at least once: handling one twice must
// leave every timeline as handling it once does.
TEST_F(FanOutTest, HandlingTheSameEventTwiceChangesNothing) {
  constexpr int64_t kCelebrity = 7;
  MemoryTimelineCache twice_cache(options_.rebuild_capacity);
  FanOut twice(*store_, twice_cache, options_);
  constexpr int64_t kReaders = 9;
  for (int64_t reader = 1; reader <= kReaders; ++reader) {
    GoLive(reader);
    twice_cache.Install(reader, {}, clock_.NowMillis());
  }
  std::vector<OutboxEvent> all;
  const auto step = [&](const std::function<void()>& change) {
    change();
    for (const OutboxEvent& e : NewEvents()) {
      Handle(*fan_out_, e);
      Handle(twice, e);
      Handle(twice, e);
      all.push_back(e);
    }
  };
  int64_t first = 0;
  int64_t reblogged = 0;
  step([&] {
    for (int64_t follower : {1, 8, 9}) Follow(follower, kCelebrity);
    Follow(1, 2);
    Follow(1, 3, /*show_reblogs=*/false);
    Follow(4, 2);
    Follow(4, 1);
    ASSERT_TRUE(home_->celebrities().Refresh(kCelebrity).ok());
  });
  step([&] { first = Post(2); });
  step([&] { reblogged = Post(5); });
  step([&] { Reblog(2, reblogged); });
  step([&] { Reblog(3, reblogged); });
  step([&] { Reblog(4, first); });
  step([&] { Reply(2, reblogged); });
  step([&] { Reply(2, first); });
  step([&] { Direct(2, {1}); });
  step([&] { Post(kCelebrity); });
  step([&] { Post(1); });
  step([&] { Follow(1, 5); });
  step([&] { Post(5); });
  step([&] { Unfollow(1, 3); });
  step([&] { Mute(4, 2); });
  step([&] { Delete(first); });
  step([&] { Block(1, 2); });
  step([&] { Post(2); });
  const auto contents = [&](TimelineCache& cache, int64_t reader) {
    Ids ids;
    const auto entries = cache.Read(reader, {.limit = 100}, clock_.NowMillis());
    for (const TimelineEntry& e : entries.value()) ids.push_back(e.status_id);
    return ids;
  };
  for (int64_t reader = 1; reader <= kReaders; ++reader) {
    EXPECT_EQ(contents(twice_cache, reader), contents(*cache_, reader)) << "reader " << reader;
  }
  // All of it again, as after a crash before the acknowledgement: the
  // pages read the same.
  HomeTimeline twice_home(*store_, twice_cache, options_, clock_);
  ASSERT_TRUE(twice_home.celebrities().Load().ok());
  for (const OutboxEvent& e : all) Handle(twice, e);
  for (int64_t reader = 1; reader <= kReaders; ++reader) {
    EXPECT_EQ(PageOf(twice_home, reader, {.limit = 40}), Home(reader, {.limit = 40}))
        << "reader " << reader;
  }
}

}  // namespace
}  // namespace chirp
