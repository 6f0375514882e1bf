// HomeTimeline against a real store: rebuilds, hits, the home rules as a
// rebuild applies them, celebrities merged at read, paging, filters, the
// size bound and idleness.
#include "timeline/home_timeline.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "timeline/timeline_test_support.h"

namespace chirp {
namespace {

using Ids = std::vector<int64_t>;

class HomeTimelineTest : public TimelineTest {
 protected:
  static std::vector<int64_t> NewestFirst(std::vector<int64_t> ids) {
    std::sort(ids.begin(), ids.end(), std::greater<>());
    return ids;
  }

  // The reader (1) follows 2, 3 with reblogs off, and 4; 5 and 6 are
  // strangers. Writes a status of every kind the home rules place and
  // returns those that belong in the reader's home, newest first.
  std::vector<int64_t> WriteStatusesOfEveryKind() {
    constexpr int64_t kReader = 1, kFriend = 2, kQuiet = 3, kOther = 4, kStranger = 5,
                      kStranger2 = 6;
    Follow(kReader, kFriend);
    Follow(kReader, kQuiet, /*show_reblogs=*/false);
    Follow(kReader, kOther);
    std::vector<int64_t> shown;
    const int64_t own = Post(kReader);
    shown.push_back(own);
    shown.push_back(Post(kFriend));
    const int64_t strangers = Post(kStranger);  // not followed
    const int64_t strangers2 = Post(kStranger2);
    shown.push_back(Post(kFriend, Visibility::kPrivate));  // to followers, the reader among them
    shown.push_back(Post(kFriend, Visibility::kUnlisted));
    const int64_t thread = Post(kFriend);
    shown.push_back(thread);
    shown.push_back(Reply(kFriend, thread));                 // a reply to oneself: a thread
    Reply(kFriend, strangers);                               // a reply to a stranger
    shown.push_back(Reply(kFriend, strangers2, {kReader}));  // ... that mentions the reader
    const int64_t others = Post(kOther);
    shown.push_back(others);
    shown.push_back(Reply(kFriend, others));  // a reply to another account followed
    shown.push_back(Reply(kFriend, own));     // a reply to the reader
    Reply(kStranger, own);                    // a stranger's reply to the reader
    shown.push_back(Reblog(kFriend, strangers));
    Reblog(kQuiet, strangers2);  // reblogs off for this follow
    shown.push_back(Post(kQuiet));
    Reblog(kOther, own);  // the reader's own status, reblogged
    shown.push_back(Direct(kFriend, {kReader}));
    Direct(kFriend, {kOther});                            // direct, to someone else
    Direct(kStranger, {kReader});                         // direct, from someone not followed
    shown.push_back(Post(kReader, Visibility::kDirect));  // one's own, whatever it is
    return NewestFirst(shown);
  }
};

TEST_F(HomeTimelineTest, FirstReadRebuildsFromTheStoreAndTheNextIsServedFromTheCache) {
  Follow(1, 2);
  const int64_t a = Post(2);
  const int64_t b = Post(1);
  EXPECT_FALSE(cache_->IsLive(1));
  EXPECT_EQ(Home(1), (std::vector<int64_t>{b, a}));
  EXPECT_EQ(home_->misses(), 1u);
  EXPECT_EQ(home_->hits(), 0u);
  EXPECT_TRUE(cache_->IsLive(1));
  EXPECT_EQ(Home(1), (std::vector<int64_t>{b, a}));
  EXPECT_EQ(home_->misses(), 1u);
  EXPECT_EQ(home_->hits(), 1u);
}

TEST_F(HomeTimelineTest, RebuildAppliesTheHomeRules) {
  const std::vector<int64_t> expected = WriteStatusesOfEveryKind();
  EXPECT_EQ(Home(1, {.limit = 40}), expected);
  EXPECT_EQ(home_->misses(), 1u);
}

// A rebuild must come out as fan-out would have built the timeline, or a
// reader's home changes when the cache forgets it.
TEST_F(HomeTimelineTest, RebuildEqualsWhatFanOutPushed) {
  for (int64_t reader = 1; reader <= 6; ++reader) GoLive(reader);
  const std::vector<int64_t> expected = WriteStatusesOfEveryKind();
  Follow(2, 1);  // more readers with follows of their own
  Follow(4, 2);
  Follow(5, 6, /*show_reblogs=*/false);
  Post(6);
  Reblog(6, expected.back());
  const int64_t reblogged_by_its_author = Post(6);
  Reblog(6, reblogged_by_its_author);
  Follow(3, 6);  // a backfill brings both
  Drain();
  EXPECT_EQ(Cached(1), expected);
  EXPECT_EQ(Home(1, {.limit = 40}), expected);
  for (int64_t reader = 1; reader <= 6; ++reader) {
    EXPECT_EQ(Home(reader, {.limit = 40}), Rebuilt(reader, {.limit = 40})) << "reader " << reader;
  }
}

TEST_F(HomeTimelineTest, RebuildLeavesOutAReblogOfAStatusShowingJustBefore) {
  Follow(1, 2);
  Follow(1, 3);
  const int64_t original = Post(2);
  Reblog(3, original);
  const int64_t later = Post(2);
  EXPECT_EQ(Home(1), (std::vector<int64_t>{later, original}));
}

// Rebuilds read each author a few statuses at a time (rebuild_per_author is
// 3 here) and merge them newest first up to the timeline's capacity.
TEST_F(HomeTimelineTest, RebuildMergesAuthorsNewestFirstUpToTheCapacity) {
  TimelineOptions options = Options();
  options.rebuild_capacity = 10;
  Wire(options);
  Follow(1, 2);
  Follow(1, 3);
  std::vector<int64_t> all;
  for (int i = 0; i < 8; ++i) all.push_back(Post(2));  // a run of one author
  for (int i = 0; i < 6; ++i) {
    all.push_back(Post(3));
    all.push_back(Post(i % 2 == 0 ? 2 : 1));
  }
  const std::vector<int64_t> newest = NewestFirst(all);
  EXPECT_EQ(Home(1, {.limit = 40}), std::vector<int64_t>(newest.begin(), newest.begin() + 10));
}

TEST_F(HomeTimelineTest, MergesCelebrityStatusesAtReadTimeInOrder) {
  constexpr int64_t kCelebrity = 7;
  Follow(1, 2);
  for (int64_t follower : {1, 8, 9}) Follow(follower, kCelebrity);
  ASSERT_TRUE(home_->celebrities().Refresh(kCelebrity).ok());
  ASSERT_TRUE(home_->celebrities().Contains(kCelebrity));
  GoLive(1);
  Drain();
  std::vector<int64_t> friends;
  std::vector<int64_t> all;
  for (int i = 0; i < 4; ++i) {
    friends.push_back(Post(2));
    all.push_back(friends.back());
    all.push_back(Post(kCelebrity));
    all.push_back(Post(kCelebrity));
  }
  Drain();
  EXPECT_EQ(Cached(1), NewestFirst(friends));  // nothing of the celebrity's pushed
  EXPECT_EQ(Home(1), NewestFirst(all));
  EXPECT_EQ(Rebuilt(1), NewestFirst(all));
}

TEST_F(HomeTimelineTest, PagesByMaxIdSinceIdMinIdAndLimit) {
  constexpr int64_t kCelebrity = 7;
  Follow(1, 2);
  for (int64_t follower : {1, 8, 9}) Follow(follower, kCelebrity);
  ASSERT_TRUE(home_->celebrities().Refresh(kCelebrity).ok());
  std::vector<int64_t> s;  // oldest first
  for (int i = 0; i < 12; ++i) s.push_back(Post(i % 3 == 0 ? kCelebrity : 2));
  EXPECT_EQ(Home(1, {.limit = 3}), (Ids{s[11], s[10], s[9]}));
  EXPECT_EQ(Home(1, {.max_id = s[7], .limit = 3}), (Ids{s[6], s[5], s[4]}));
  EXPECT_EQ(Home(1, {.since_id = s[8], .limit = 10}), (Ids{s[11], s[10], s[9]}));
  EXPECT_EQ(Home(1, {.since_id = s[2], .limit = 2}), (Ids{s[11], s[10]}));
  EXPECT_EQ(Home(1, {.min_id = s[2], .limit = 3}), (Ids{s[5], s[4], s[3]}));
  EXPECT_EQ(Home(1, {.max_id = s[9], .min_id = s[2], .limit = 20}),
            (Ids{s[8], s[7], s[6], s[5], s[4], s[3]}));
  EXPECT_EQ(Home(1, {.max_id = s[0], .limit = 5}), Ids{});

  // Following the pages either way gives every status once, in order.
  Ids down;
  for (PageRequest page{.limit = 5};;) {
    const Ids ids = Home(1, page);
    if (ids.empty()) break;
    down.insert(down.end(), ids.begin(), ids.end());
    page.max_id = ids.back();
  }
  EXPECT_EQ(down, NewestFirst(s));
  Ids up;
  for (PageRequest page{.min_id = 1, .limit = 5};;) {
    const Ids ids = Home(1, page);
    if (ids.empty()) break;
    up.insert(up.begin(), ids.begin(), ids.end());
    page.min_id = ids.front();
  }
  EXPECT_EQ(up, NewestFirst(s));
}

// A min_id page is the oldest statuses above min_id, however many a
// celebrity posted since: a client that pages forward from where it left
// off must not skip any.
TEST_F(HomeTimelineTest, MinIdPageStartsRightAboveMinIdAfterACelebrityPostedALot) {
  constexpr int64_t kCelebrity = 7;
  for (int64_t follower : {1, 8, 9}) Follow(follower, kCelebrity);
  ASSERT_TRUE(home_->celebrities().Refresh(kCelebrity).ok());
  const int64_t seen = Post(kCelebrity);
  std::vector<int64_t> since;
  for (int i = 0; i < HomeTimeline::kCelebrityFetch + 20; ++i) since.push_back(Post(kCelebrity));
  EXPECT_EQ(Home(1, {.min_id = seen, .limit = 3}),
            (std::vector<int64_t>{since[2], since[1], since[0]}));
}

TEST_F(HomeTimelineTest, LeavesOutMutedAndBlockedAuthors) {
  constexpr int64_t kCelebrity = 7;
  for (int64_t followed : Ids{2, 3, 4, kCelebrity}) Follow(1, followed);
  for (int64_t follower : {8, 9}) Follow(follower, kCelebrity);
  ASSERT_TRUE(home_->celebrities().Refresh(kCelebrity).ok());
  const int64_t kept = Post(2);
  const int64_t muted = Post(3);
  const int64_t blocked = Post(4);
  const int64_t celebrity = Post(kCelebrity);
  EXPECT_EQ(Home(1), (std::vector<int64_t>{celebrity, blocked, muted, kept}));
  // Filtered on read, before fan-out has seen the mutes and the block.
  Mute(1, 3);
  Mute(1, kCelebrity);
  Block(4, 1);
  EXPECT_EQ(Cached(1), (std::vector<int64_t>{blocked, muted, kept}));
  EXPECT_EQ(Home(1), std::vector<int64_t>{kept});
  Drain();
  EXPECT_EQ(Home(1), std::vector<int64_t>{kept});
  EXPECT_EQ(Rebuilt(1), std::vector<int64_t>{kept});
}

TEST_F(HomeTimelineTest, LeavesOutAccountsNoLongerFollowed) {
  Follow(1, 2);
  Follow(1, 3);
  const int64_t kept = Post(2);
  Post(3);
  GoLive(1);
  Unfollow(1, 3);  // fan-out has not seen it yet
  EXPECT_EQ(Home(1), std::vector<int64_t>{kept});
}

TEST_F(HomeTimelineTest, DeletedStatusesAreGone) {
  constexpr int64_t kCelebrity = 7;
  Follow(1, 2);
  for (int64_t follower : {1, 8, 9}) Follow(follower, kCelebrity);
  ASSERT_TRUE(home_->celebrities().Refresh(kCelebrity).ok());
  GoLive(1);
  Drain();
  const int64_t friends = Post(2);
  const int64_t kept = Post(2);
  const int64_t own = Post(1);
  const int64_t celebrity = Post(kCelebrity);
  const int64_t reblog = Reblog(2, Post(5));
  Drain();
  EXPECT_EQ(Home(1), (std::vector<int64_t>{reblog, celebrity, own, kept, friends}));
  Delete(friends);
  Delete(own);
  Delete(celebrity);
  Delete(reblog - 1);  // the reblogged status, and so the reblog
  Drain();
  EXPECT_EQ(Home(1), std::vector<int64_t>{kept});
  EXPECT_EQ(Rebuilt(1), std::vector<int64_t>{kept});
}

TEST_F(HomeTimelineTest, KeepsOnlyTheNewestTimelineSizeEntries) {
  TimelineOptions options = Options();
  options.rebuild_capacity = 5;  // chirpd's --timeline-size
  Wire(options);
  Follow(1, 2);
  std::vector<int64_t> s;
  for (int i = 0; i < 8; ++i) s.push_back(Post(2));
  EXPECT_EQ(Home(1), (Ids{s[7], s[6], s[5], s[4], s[3]}));  // rebuilt to the bound
  for (int i = 0; i < 2; ++i) s.push_back(Post(2));
  Drain();  // pushed: the oldest go
  EXPECT_EQ(Home(1), (Ids{s[9], s[8], s[7], s[6], s[5]}));
  EXPECT_EQ(cache_->Stats().entries, 5u);
  EXPECT_EQ(Home(1, {.max_id = s[5]}), Ids{});  // nothing kept below
}

TEST_F(HomeTimelineTest, TimelineNotReadWithinTheLiveWindowIsDroppedAndRebuiltOnRead) {
  Follow(1, 2);
  Follow(3, 2);
  const int64_t before = Post(2);
  GoLive(1);
  GoLive(3);
  EXPECT_EQ(home_->misses(), 2u);
  clock_.Advance(options_.live_window_ms - kDayMs);
  GoLive(3);  // read again within the window
  clock_.Advance(2 * kDayMs);
  EXPECT_EQ(cache_->DropIdle(clock_.NowMillis() - options_.live_window_ms), 1u);
  EXPECT_FALSE(cache_->IsLive(1));
  EXPECT_TRUE(cache_->IsLive(3));
  const int64_t after = Post(2);
  Drain();  // nothing pushed to a dropped timeline
  EXPECT_FALSE(cache_->IsLive(1));
  EXPECT_EQ(Home(1), (std::vector<int64_t>{after, before}));
  EXPECT_EQ(home_->misses(), 3u);
  EXPECT_EQ(Home(3), (std::vector<int64_t>{after, before}));
  EXPECT_EQ(home_->misses(), 3u);
}

TEST_F(HomeTimelineTest, TimelineReadExactlyAWindowAgoIsKept) {
  GoLive(1);
  clock_.Advance(options_.live_window_ms);
  EXPECT_EQ(cache_->DropIdle(clock_.NowMillis() - options_.live_window_ms), 0u);
  clock_.Advance(1);
  EXPECT_EQ(cache_->DropIdle(clock_.NowMillis() - options_.live_window_ms), 1u);
}

}  // namespace
}  // namespace chirp
