#include "api/pagination.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

PageRequest Parse(const std::string& query, int default_limit = kDefaultPageLimit,
                  int max_limit = kMaxPageLimit) {
  auto params = Params::FromRequest(query, "", "");
  EXPECT_TRUE(params.ok());
  auto page = ParsePage(*params, default_limit, max_limit);
  EXPECT_TRUE(page.ok()) << query;
  return page.ok() ? *page : PageRequest{};
}

ErrorCode Refusal(const std::string& query) {
  auto params = Params::FromRequest(query, "", "");
  EXPECT_TRUE(params.ok());
  auto page = ParsePage(*params);
  EXPECT_FALSE(page.ok()) << query;
  return page.ok() ? ErrorCode::kInternal : page.error().code;
}

TEST(ParsePage, TakesCursorsAndDefaultsTheLimit) {
  const PageRequest page = Parse("max_id=30&since_id=10&min_id=20");
  EXPECT_EQ(page.max_id, 30);
  EXPECT_EQ(page.since_id, 10);
  EXPECT_EQ(page.min_id, 20);
  EXPECT_EQ(page.limit, kDefaultPageLimit);
  EXPECT_EQ(Parse("", kDefaultAccountPageLimit, kMaxAccountPageLimit).limit, 40);
  EXPECT_EQ(Parse("max_id=&limit=").limit, kDefaultPageLimit);  // empty counts as absent
}

TEST(ParsePage, ClampsTheLimitAsMastodonDoes) {
  EXPECT_EQ(Parse("limit=5").limit, 5);
  EXPECT_EQ(Parse("limit=400").limit, kMaxPageLimit);
  EXPECT_EQ(Parse("limit=0").limit, 1);
  EXPECT_EQ(Parse("limit=-7").limit, 7);                                // the absolute value
  EXPECT_EQ(Parse("limit=-9223372036854775808").limit, kMaxPageLimit);  // no overflow
  EXPECT_EQ(Parse("limit=9223372036854775807").limit, kMaxPageLimit);
  EXPECT_EQ(Parse("limit=99999999999999999999").limit, kMaxPageLimit);  // past 64 bits
}

TEST(ParsePage, ZeroIsACursorBelowEveryId) {
  EXPECT_EQ(Parse("min_id=0").min_id, 1);  // the oldest page
  EXPECT_EQ(Parse("max_id=0").max_id, 1);  // nothing below it
  EXPECT_EQ(Parse("since_id=0").since_id, 0);
}

TEST(ParsePage, RefusesWhatIsNoId) {
  EXPECT_EQ(Refusal("max_id=abc"), ErrorCode::kBadRequest);
  EXPECT_EQ(Refusal("min_id=-5"), ErrorCode::kBadRequest);
  EXPECT_EQ(Refusal("limit=ten"), ErrorCode::kBadRequest);
}

TEST(AddLinkHeader, PointsNextBelowTheOldestAndPrevAboveTheNewestKeepingOtherParameters) {
  HttpRequest http;
  http.path = "/api/v1/timelines/tag/x";
  http.query = "max_id=99&only_media=true&any[]=a%2Cb";
  PathParams path;
  ApiRequest request{http,         path,        Params::FromRequest(http.query, "", "").value(),
                     std::nullopt, "127.0.0.1", "https://chirp.example"};
  HttpResponse response;
  AddLinkHeader(request, 90, 70, response);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Link");
  const std::string base =
      "https://chirp.example/api/v1/timelines/tag/x?only_media=true&any%5B%5D=a%2Cb&";
  EXPECT_EQ(response.headers[0].second,
            "<" + base + "max_id=70>; rel=\"next\", <" + base + "min_id=90>; rel=\"prev\"");
  HttpResponse none;
  AddLinkHeader(request, std::vector<Paged<int64_t>>{}, none);
  EXPECT_TRUE(none.headers.empty());  // an empty page has no links
}

}  // namespace
}  // namespace chirp
