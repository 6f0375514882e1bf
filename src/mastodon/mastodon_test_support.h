// For tests of what reads and renders: a real SQLite store with accounts
// user1..userN, the read models over it kept by a cache keeper, and the
// domain services that write, wired as chirpd wires them, on a clock that
// moves only when told.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "auth/authenticator.h"
#include "core/clock.h"
#include "core/secrets.h"
#include "core/snowflake.h"
#include "mastodon/account_directory.h"
#include "mastodon/cache_keeper.h"
#include "mastodon/read_models.h"
#include "mastodon/status_directory.h"
#include "social/engagement.h"
#include "social/graph_service.h"
#include "social/posting.h"
#include "store/sqlite/temp_store.h"
#include "timeline/home_timeline.h"
#include "timeline/memory_timeline_cache.h"

namespace chirp {

class TestReadSide {
 public:
  static constexpr int64_t kStart = SnowflakeGenerator::kEpochMillis + 1000LL * 24 * 3600 * 1000;

  TestReadSide(const std::string& name, int accounts)
      : temp_(name, accounts),
        auth_(store()),
        accounts_(store()),
        statuses_(store(), accounts_, 1000),
        viewers_(store(), clock_),
        home_(store(), timelines_, {}, clock_),
        keeper_(accounts_, statuses_, viewers_, auth_, &home_.celebrities(), &home_.author_posts()),
        posting_(store(), clock_, ids_, accounts_, statuses_, viewers_, keeper_, {}),
        engagement_(store(), clock_, ids_, statuses_, viewers_, keeper_),
        graph_(store(), clock_, ids_, accounts_, keeper_),
        read_{.store = store(), .accounts = accounts_, .statuses = statuses_, .viewers = viewers_} {
  }

  bool ok() const { return temp_.ok(); }
  SqliteStore& store() { return temp_.store(); }
  ManualClock& clock() { return clock_; }
  SnowflakeGenerator& ids() { return ids_; }
  Authenticator& auth() { return auth_; }
  AccountDirectory& accounts() { return accounts_; }
  StatusDirectory& statuses() { return statuses_; }
  ViewerCache& viewers() { return viewers_; }
  HomeTimeline& home() { return home_; }
  CacheKeeper& keeper() { return keeper_; }
  Posting& posting() { return posting_; }
  Engagement& engagement() { return engagement_; }
  GraphService& graph() { return graph_; }
  ReadModels& read() { return read_; }

  // Posts `text` as `account_id` with `visibility`; returns the status's id.
  int64_t Post(int64_t account_id, const std::string& text,
               const std::string& visibility = "public") {
    auto posted = posting_.Post({.account_id = account_id,
                                 .text = text,
                                 .visibility = visibility,
                                 .base_url = "http://chirp.test"});
    EXPECT_TRUE(posted.ok()) << posted.error().message;
    return posted.ok() ? posted->created.id : 0;
  }

 private:
  TempStore temp_;
  ManualClock clock_{kStart};
  SnowflakeGenerator ids_{clock_, 1};
  Authenticator auth_;
  AccountDirectory accounts_;
  StatusDirectory statuses_;
  ViewerCache viewers_;
  MemoryTimelineCache timelines_;
  HomeTimeline home_;
  CacheKeeper keeper_;
  Posting posting_;
  Engagement engagement_;
  GraphService graph_;
  ReadModels read_;
};

}  // namespace chirp
