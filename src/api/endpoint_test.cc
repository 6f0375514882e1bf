// The endpoint pipeline and the execution rule of http/execution.h: what a
// handler on a network thread may do, and how a request moves to the pool.
#include "api/endpoint.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "api/api_test_support.h"
#include "api/routes.h"
#include "core/no_wait.h"

namespace chirp {
namespace {

class EndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitSecrets());
    api_ = std::make_unique<TestApi>(
        std::string("endpoint-") + ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        3);
    ASSERT_TRUE(api_->ok());
  }

  // Serves `request` as the server does for a route that may run on a
  // network thread: inside a NoWaitScope, then on "the pool" (here, this
  // thread outside the scope) when the answer says so. `moved` tells which.
  HttpResponse Serve(const Route& route, HttpRequest& request, bool* moved = nullptr) {
    HttpResponse response;
    {
      NoWaitScope network_thread;
      response = route.handler(request, {});
    }
    if (moved != nullptr) *moved = static_cast<bool>(response.finish_blocking);
    if (response.finish_blocking) response = response.finish_blocking();
    return response;
  }

  std::unique_ptr<TestApi> api_;
  Router router_;
};

TEST_F(EndpointTest, AHandlerRefusedOnTheNetworkThreadRunsAgainOnThePoolAndCountsOnce) {
  ApiRoutes routes(router_, api_->context().endpoint());
  int runs = 0;
  routes.Add({.method = "GET",
              .pattern = "/t",
              .auth = AuthRequirement::kUser,
              .execution = Execution::kMemoryFirst},
             [&](ApiRequest& r) -> Result<HttpResponse> {
               ++runs;
               auto account = api_->store().FindAccount(r.account_id());  // refused, then fine
               if (!account) return std::move(account).error();
               return JsonResponse(200, "{}");
             });
  const std::string token = api_->Token(1);
  const Route& route = *router_.routes().front();
  HttpRequest warm_up = MakeRequest("GET", "/t", token);
  bool moved = false;
  HttpResponse first = Serve(route, warm_up, &moved);
  EXPECT_TRUE(moved);
  EXPECT_EQ(first.status, 200);
  // The token's first look-up was refused: the whole request started over
  // on the pool before the handler ran, and took one rate-limit token.
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(HeaderOf(first, "X-RateLimit-Remaining"), "299");
  HttpRequest again = MakeRequest("GET", "/t", token);
  HttpResponse second = Serve(route, again, &moved);
  EXPECT_TRUE(moved);  // the handler reads the store every time
  EXPECT_EQ(runs, 3);  // refused on the network thread, then run on the pool
  EXPECT_EQ(HeaderOf(second, "X-RateLimit-Remaining"), "298");
}

TEST_F(EndpointTest, AnUnknownTokenOnTheNetworkThreadStartsTheRequestOverBeforeTheHandler) {
  ApiRoutes routes(router_, api_->context().endpoint());
  int runs = 0;
  routes.Add({.method = "GET", .pattern = "/t", .execution = Execution::kMemoryFirst},
             [&](ApiRequest&) -> Result<HttpResponse> {
               ++runs;
               return JsonResponse(200, "{}");
             });
  const Route& route = *router_.routes().front();
  HttpRequest request = MakeRequest("GET", "/t", "no-such-token");
  HttpResponse refused;
  {
    NoWaitScope network_thread;
    refused = route.handler(request, {});
  }
  ASSERT_TRUE(static_cast<bool>(refused.finish_blocking));
  EXPECT_EQ(runs, 0);
  HttpResponse answer = refused.finish_blocking();
  EXPECT_EQ(answer.status, 401);
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(HeaderOf(answer, "X-RateLimit-Remaining"), "299");
}

TEST_F(EndpointTest, ChecksParametersTokenRateScopesInThatOrder) {
  ApiRoutes routes(router_, api_->context().endpoint());
  routes.Add({.method = "POST",
              .pattern = "/t",
              .auth = AuthRequirement::kUser,
              .scopes = "write:statuses"},
             [](ApiRequest&) -> Result<HttpResponse> { return JsonResponse(200, "{}"); });
  const Route& route = *router_.routes().front();
  const auto status_of = [&](HttpRequest request) { return route.handler(request, {}).status; };
  HttpRequest bad_body = MakeRequest("POST", "/t", api_->Token(1));
  bad_body.headers.emplace_back("content-type", "application/json");
  bad_body.body = "{";
  EXPECT_EQ(status_of(bad_body), 400);
  EXPECT_EQ(status_of(MakeRequest("POST", "/t")), 401);
  EXPECT_EQ(status_of(MakeRequest("POST", "/t", "unknown")), 401);
  EXPECT_EQ(status_of(MakeRequest("POST", "/t", api_->Token(0))), 422);  // an app token
  EXPECT_EQ(status_of(MakeRequest("POST", "/t", api_->Token(1, "read"))), 403);
  EXPECT_EQ(status_of(MakeRequest("POST", "/t", api_->Token(1, "write"))), 200);
}

TEST_F(EndpointTest, ARateLimitWindowRefillsOnTheClock) {
  ApiConfig config;
  config.rate_limits.ip = {3, 60'000};
  api_ = std::make_unique<TestApi>("endpoint-window", 1, config);
  ApiRoutes routes(router_, api_->context().endpoint());
  routes.Add({.method = "GET", .pattern = "/t"},
             [](ApiRequest&) -> Result<HttpResponse> { return JsonResponse(200, "{}"); });
  const Route& route = *router_.routes().front();
  const auto get = [&] {
    HttpRequest request = MakeRequest("GET", "/t");
    return route.handler(request, {});
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(get().status, 200);
  HttpResponse refused = get();
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(HeaderOf(refused, "X-RateLimit-Remaining"), "0");
  api_->clock().Advance(60'000);
  EXPECT_EQ(get().status, 200);
}

TEST(PresentCommitted, TriesAgainWhileTheStoreIsBusyAndAnswersOnceItIsNot) {
  int attempts = 0;
  auto presented = PresentCommitted([&]() -> Result<HttpResponse> {
    if (++attempts < 3) return Error::Unavailable("database is locked");
    return JsonResponse(200, "{}");
  });
  ASSERT_TRUE(presented.ok());
  EXPECT_EQ(presented->status, 200);
  EXPECT_EQ(attempts, 3);
}

TEST(PresentCommitted, AnswersOtherErrorsAtOnceAndGivesUpOnABusyStoreInTheEnd) {
  int attempts = 0;
  auto gone = PresentCommitted([&]() -> Result<HttpResponse> {
    ++attempts;
    return Error::NotFound();
  });
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(attempts, 1);
  attempts = 0;
  auto busy = PresentCommitted([&]() -> Result<HttpResponse> {
    ++attempts;
    return Error::Unavailable("database is locked");
  });
  EXPECT_EQ(busy.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(attempts, 4);
}

TEST_F(EndpointTest, ErrorsBecomeMastodonErrorBodies) {
  ApiRoutes routes(router_, api_->context().endpoint());
  routes.Add({.method = "GET", .pattern = "/t"},
             [](ApiRequest&) -> Result<HttpResponse> { return Error::NotFound(); });
  HttpRequest request = MakeRequest("GET", "/t");
  HttpResponse r = router_.routes().front()->handler(request, {});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "{\"error\":\"Record not found\"}");
}

TEST_F(EndpointTest, ServerErrorsKeepTheirWordsForTheLogAndTellTheClientWhatToDo) {
  ApiRoutes routes(router_, api_->context().endpoint());
  routes.Add({.method = "GET", .pattern = "/busy"}, [](ApiRequest&) -> Result<HttpResponse> {
    return Error::Unavailable("sqlite: database is locked");
  });
  routes.Add({.method = "GET", .pattern = "/bug"}, [](ApiRequest&) -> Result<HttpResponse> {
    return Error::Internal("sqlite: disk I/O error");
  });
  HttpRequest busy = MakeRequest("GET", "/busy");
  busy.request_id = "r-1";
  HttpResponse r = router_.routes()[0]->handler(busy, {});
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "{\"error\":\"The service is busy, please try again\"}");
  EXPECT_NE(std::find(r.headers.begin(), r.headers.end(),
                      std::pair<std::string, std::string>{"Retry-After", "1"}),
            r.headers.end());
  HttpRequest bug = MakeRequest("GET", "/bug");
  bug.request_id = "r-2";
  r = router_.routes()[1]->handler(bug, {});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "{\"error\":\"Internal server error (request r-2)\"}");
}

// The rule of http/execution.h for every route marked kInline: on a process
// whose caches are all cold, it answers on the network thread.
TEST_F(EndpointTest, EveryInlineRouteAnswersWithoutWaitingOnAColdProcess) {
  AddAllRoutes(router_, api_->context());
  // Signed in with a token already known (its look-up is not the route's),
  // and anonymously.
  const std::string token = api_->Token(1);
  ASSERT_TRUE(api_->context().auth.Authenticate(token).ok());
  int checked = 0;
  for (const auto& route : router_.routes()) {
    if (route->execution != Execution::kInline) continue;
    for (const std::string& bearer : {token, std::string()}) {
      HttpRequest request = MakeRequest(route->method, route->pattern, bearer);
      HttpResponse response;
      {
        NoWaitScope network_thread;
        response = route->handler(request, {});
      }
      EXPECT_FALSE(static_cast<bool>(response.finish_blocking)) << route->pattern;
      EXPECT_LT(response.status, 500) << route->pattern;
    }
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

TEST_F(EndpointTest, AWarmHomeTimelineIsServedOnTheNetworkThread) {
  AddAllRoutes(router_, api_->context());
  const RouteMatch match = router_.Match("GET", "/api/v1/timelines/home");
  ASSERT_NE(match.route, nullptr);
  ASSERT_EQ(match.route->execution, Execution::kMemoryFirst);
  StatusDraft draft{.account_id = 1, .text = "hello", .base_url = "http://chirp.test"};
  ASSERT_TRUE(api_->posting().Post(draft).ok());
  const std::string token = api_->Token(1);
  bool moved = false;
  HttpRequest cold = MakeRequest("GET", "/api/v1/timelines/home", token);
  EXPECT_EQ(Serve(*match.route, cold, &moved).status, 200);
  EXPECT_TRUE(moved);  // the timeline was rebuilt from the store, on the pool
  HttpRequest warm = MakeRequest("GET", "/api/v1/timelines/home", token);
  HttpResponse answer = Serve(*match.route, warm, &moved);
  EXPECT_FALSE(moved);
  EXPECT_EQ(answer.status, 200);
  EXPECT_NE(answer.body.find("hello"), std::string::npos);
}

}  // namespace
}  // namespace chirp
