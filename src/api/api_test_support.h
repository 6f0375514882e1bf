// For the API's tests: every part a route family uses, wired as chirpd
// wires them, over a real SQLite store with accounts user1..userN and a
// clock that moves only when told.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "api/account_directory.h"
#include "api/api_context.h"
#include "api/authenticator.h"
#include "api/cache_keeper.h"
#include "api/status_directory.h"
#include "core/clock.h"
#include "core/secrets.h"
#include "core/snowflake.h"
#include "http/router.h"
#include "ratelimit/rate_limiter.h"
#include "store/sqlite/temp_store.h"
#include "timeline/home_timeline.h"
#include "timeline/memory_timeline_cache.h"

namespace chirp {

class TestApi {
 public:
  static constexpr int64_t kStart = SnowflakeGenerator::kEpochMillis + 1000LL * 24 * 3600 * 1000;

  TestApi(const std::string& name, int accounts, ApiConfig config = {})
      : temp_(name, accounts),
        config_(std::move(config)),
        auth_(store()),
        accounts_(store()),
        statuses_(store(), accounts_, 1000),
        viewers_(store(), clock_),
        home_(store(), timelines_, {}, clock_),
        keeper_(accounts_, statuses_, viewers_, auth_, &home_.celebrities()),
        posting_(store(), clock_, ids_, accounts_, statuses_, viewers_, keeper_, {}),
        engagement_(store(), clock_, ids_, statuses_, viewers_, keeper_),
        graph_(store(), clock_, ids_, accounts_, keeper_),
        account_service_(store(), clock_, ids_, accounts_, graph_, keeper_),
        status_reads_(store(), accounts_, statuses_, viewers_),
        public_timelines_(store()),
        notifications_(store(), clock_),
        oauth_(store(), clock_, ids_, auth_),
        context_{.config = config_,
                 .store = store(),
                 .clock = clock_,
                 .ids = ids_,
                 .auth = auth_,
                 .accounts = accounts_,
                 .statuses = statuses_,
                 .viewers = viewers_,
                 .limiter = limiter_,
                 .posting = posting_,
                 .engagement = engagement_,
                 .graph = graph_,
                 .account_service = account_service_,
                 .status_reads = status_reads_,
                 .public_timelines = public_timelines_,
                 .notifications = notifications_,
                 .oauth = oauth_,
                 .home = &home_} {}

  bool ok() const { return temp_.ok(); }
  SqliteStore& store() { return temp_.store(); }
  ApiContext& context() { return context_; }
  ManualClock& clock() { return clock_; }
  SnowflakeGenerator& ids() { return ids_; }
  Posting& posting() { return posting_; }
  Engagement& engagement() { return engagement_; }
  GraphService& graph() { return graph_; }

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

  // A bearer token of `account_id` (0: an app token) with `scopes`.
  std::string Token(int64_t account_id, const std::string& scopes = "read write follow") {
    if (!app_created_) {
      App app;
      app.id = kAppId;
      app.name = "test";
      app.client_id = "client";
      app.scopes = "read write follow push";
      EXPECT_TRUE(store().CreateApp(app).ok());
      app_created_ = true;
    }
    std::string token = RandomToken();
    AccessToken record;
    record.id = ids_.Next();
    record.digest = TokenDigest(token);
    record.app_id = kAppId;
    record.account_id = account_id;
    record.scopes = scopes;
    EXPECT_TRUE(store().CreateToken(record).ok());
    return token;
  }

 private:
  static constexpr int64_t kAppId = 77;

  TempStore temp_;
  ManualClock clock_{kStart};
  SnowflakeGenerator ids_{clock_, 1};
  ApiConfig config_;
  Authenticator auth_;
  AccountDirectory accounts_;
  StatusDirectory statuses_;
  ViewerCache viewers_;
  InMemoryRateLimiter limiter_;
  MemoryTimelineCache timelines_;
  HomeTimeline home_;
  CacheKeeper keeper_;
  Posting posting_;
  Engagement engagement_;
  GraphService graph_;
  AccountService account_service_;
  StatusReads status_reads_;
  PublicTimelines public_timelines_;
  NotificationService notifications_;
  OAuthService oauth_;
  ApiContext context_;
  bool app_created_ = false;
};

// A request as the server hands it to a route.
inline HttpRequest MakeRequest(std::string method, std::string target, std::string token = "") {
  HttpRequest r;
  r.method = std::move(method);
  r.target = target;
  const size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  r.remote_address = "127.0.0.1";
  r.headers.emplace_back("host", "chirp.test");
  if (!token.empty()) r.headers.emplace_back("authorization", "Bearer " + token);
  return r;
}

inline std::string_view HeaderOf(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace chirp
