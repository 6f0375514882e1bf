// For the API's tests: every part a route family uses, wired as chirpd
// wires them, over a real SQLite store with accounts user1..userN and a
// clock that moves only when told.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "api/api_context.h"
#include "mastodon/mastodon_test_support.h"
#include "ratelimit/rate_limiter.h"
#include "timeline/public_timelines.h"

namespace chirp {

class TestApi : public TestReadSide {
 public:
  TestApi(const std::string& name, int accounts, ApiConfig config = {})
      : TestReadSide(name, accounts),
        config_(std::move(config)),
        account_service_(store(), clock(), ids(), this->accounts(), graph(), keeper()),
        status_reads_(store(), this->accounts(), statuses(), viewers()),
        public_timelines_(store()),
        user_timeline_(store(), this->accounts(), viewers(), home().author_posts()),
        notifications_(store(), clock()),
        oauth_(store(), clock(), ids(), auth()),
        context_{.config = config_,
                 .read = read(),
                 .clock = clock(),
                 .auth = auth(),
                 .accounts = this->accounts(),
                 .statuses = statuses(),
                 .viewers = viewers(),
                 .limiter = limiter_,
                 .posting = posting(),
                 .engagement = engagement(),
                 .graph = graph(),
                 .account_service = account_service_,
                 .status_reads = status_reads_,
                 .public_timelines = public_timelines_,
                 .user_timeline = user_timeline_,
                 .notifications = notifications_,
                 .oauth = oauth_,
                 .home = &home()} {}

  ApiContext& context() { return context_; }

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
    record.id = ids().Next();
    record.digest = TokenDigest(token);
    record.app_id = kAppId;
    record.account_id = account_id;
    record.scopes = scopes;
    EXPECT_TRUE(store().CreateToken(record).ok());
    return token;
  }

 private:
  static constexpr int64_t kAppId = 77;

  ApiConfig config_;
  InMemoryRateLimiter limiter_;
  AccountService account_service_;
  StatusReads status_reads_;
  PublicTimelines public_timelines_;
  UserTimeline user_timeline_;
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
