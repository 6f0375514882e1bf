#include "http/router.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

Handler Named(std::string name) {
  return [name](HttpRequest&, const PathParams&) {
    HttpResponse r;
    r.body = name;
    return r;
  };
}

TEST(Router, MatchesLiteralBeforeParameter) {
  Router router;
  router.Add({.method = "GET", .pattern = "/api/v1/accounts/lookup", .handler = Named("lookup")});
  router.Add({.method = "GET", .pattern = "/api/v1/accounts/:id", .handler = Named("show")});
  auto m = router.Match("GET", "/api/v1/accounts/lookup");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/accounts/lookup");
  m = router.Match("GET", "/api/v1/accounts/42");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.Get("id"), "42");
}

TEST(Router, DistinguishesMethodFromPath) {
  Router router;
  router.Add({.method = "POST", .pattern = "/api/v1/apps", .handler = Named("apps")});
  auto m = router.Match("GET", "/api/v1/apps");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_matched);
  m = router.Match("GET", "/nothing");
  EXPECT_FALSE(m.path_matched);
}

TEST(Router, IgnoresTrailingSlashAndServesHeadAsGet) {
  Router router;
  router.Add({.method = "GET", .pattern = "/health", .handler = Named("h")});
  EXPECT_NE(router.Match("GET", "/health/").route, nullptr);
  EXPECT_NE(router.Match("HEAD", "/health").route, nullptr);
  EXPECT_EQ(router.Match("GET", "/health/x").route, nullptr);
}

TEST(Router, AssignsDenseIndexes) {
  Router router;
  router.Add({.method = "GET", .pattern = "/a", .handler = Named("a")});
  router.Add({.method = "GET", .pattern = "/b", .handler = Named("b")});
  EXPECT_EQ(router.Match("GET", "/b").route->index, 1u);
}

}  // namespace
}  // namespace chirp
