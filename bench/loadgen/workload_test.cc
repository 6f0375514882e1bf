#include "workload.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <map>
#include <set>

namespace chirp::loadgen {
namespace {

std::vector<BenchAccount> ThreeAccounts() {
  return {{101, "alice", "tok-a"}, {102, "bob", "tok-b"}, {103, "carol", "tok-c"}};
}

std::unique_ptr<Workload> Make(std::string_view name, IdRange targets = {}) {
  auto w = MakeWorkload(name, {.host = "127.0.0.1:8080",
                               .path = "/static.json",
                               .accounts = ThreeAccounts(),
                               .targets = targets});
  EXPECT_TRUE(w.ok()) << w.error().message;
  return std::move(*w);
}

// A request split into its parts, with its framing checked.
struct Request {
  std::string line;  // "METHOD TARGET"
  std::map<std::string, std::string> headers;
  std::string body;
};

Request Split(const std::string& raw) {
  Request r;
  const size_t head_end = raw.find("\r\n\r\n");
  EXPECT_NE(head_end, std::string::npos) << raw;
  std::string_view head = std::string_view(raw).substr(0, head_end);
  r.body = raw.substr(head_end + 4);
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  EXPECT_TRUE(line.ends_with(" HTTP/1.1")) << line;
  r.line = std::string(line.substr(0, line.size() - 9));
  while (eol != std::string_view::npos) {
    head.remove_prefix(eol + 2);
    eol = head.find("\r\n");
    const std::string_view header = head.substr(0, eol);
    const size_t colon = header.find(": ");
    r.headers[std::string(header.substr(0, colon))] = std::string(header.substr(colon + 2));
  }
  EXPECT_EQ(r.headers["Host"], "127.0.0.1:8080");
  if (!r.body.empty() || r.headers.contains("Content-Length")) {
    EXPECT_EQ(r.headers["Content-Length"], std::to_string(r.body.size()));
  }
  return r;
}

TEST(Workload, StaticGetsThePathWithoutCredentials) {
  auto workload = Make("static");
  auto source = workload->NewSource(1);
  std::string raw;
  EXPECT_EQ(source->Next(raw), RequestKind::kStatic);
  EXPECT_EQ(raw, "GET /static.json HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
}

TEST(Workload, HomeReadsAsEveryAccount) {
  auto workload = Make("home");
  auto source = workload->NewSource(1);
  std::set<std::string> tokens;
  std::string raw;
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(source->Next(raw), RequestKind::kHome);
    Request r = Split(raw);
    EXPECT_EQ(r.line, "GET /api/v1/timelines/home");
    tokens.insert(r.headers["Authorization"]);
  }
  EXPECT_EQ(tokens, (std::set<std::string>{"Bearer tok-a", "Bearer tok-b", "Bearer tok-c"}));
}

TEST(Workload, UserReadsTargetsFromTheAccountsOrTheRange) {
  std::string raw;
  auto accounts = Make("user");
  auto from_accounts = accounts->NewSource(1);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(from_accounts->Next(raw), RequestKind::kUser);
    const std::string line = Split(raw).line;
    EXPECT_TRUE(line == "GET /api/v1/accounts/101/statuses" ||
                line == "GET /api/v1/accounts/102/statuses" ||
                line == "GET /api/v1/accounts/103/statuses")
        << line;
  }
  auto ranged = Make("user", {.first = 7, .last = 7});
  auto from_range = ranged->NewSource(1);
  from_range->Next(raw);
  EXPECT_EQ(Split(raw).line, "GET /api/v1/accounts/7/statuses");
}

TEST(Workload, PostSendsPublicStatusesAsJson) {
  auto workload = Make("post");
  auto source = workload->NewSource(3);
  std::string raw;
  int mentions = 0;
  int links = 0;
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ(source->Next(raw), RequestKind::kPost);
    Request r = Split(raw);
    EXPECT_EQ(r.line, "POST /api/v1/statuses");
    EXPECT_EQ(r.headers["Content-Type"], "application/json");
    const boost::json::object body = boost::json::parse(r.body).as_object();
    EXPECT_EQ(body.at("visibility").as_string(), "public");
    const std::string_view text = body.at("status").as_string();
    EXPECT_GE(text.size(), 1u);
    EXPECT_LE(text.size(), kMaxStatusChars);
    if (text.find('@') != std::string_view::npos) ++mentions;
    if (text.find("https://") != std::string_view::npos) ++links;
  }
  EXPECT_GT(mentions, 50);
  EXPECT_GT(links, 50);
}

TEST(Workload, FollowThenUnfollowTheSameAccount) {
  auto workload = Make("follow");
  auto source = workload->NewSource(5);
  std::string raw;
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(source->Next(raw), RequestKind::kFollow);
    const Request follow = Split(raw);
    ASSERT_EQ(source->Next(raw), RequestKind::kUnfollow);
    const Request unfollow = Split(raw);
    ASSERT_TRUE(follow.line.ends_with("/follow"));
    EXPECT_EQ(follow.line.substr(0, follow.line.size() - 7),
              unfollow.line.substr(0, unfollow.line.size() - 9));
    EXPECT_EQ(follow.headers.at("Authorization"), unfollow.headers.at("Authorization"));
    // Never the follower itself.
    const std::map<std::string, std::string> id_of = {
        {"Bearer tok-a", "101"}, {"Bearer tok-b", "102"}, {"Bearer tok-c", "103"}};
    EXPECT_NE(follow.line,
              "POST /api/v1/accounts/" + id_of.at(follow.headers.at("Authorization")) + "/follow");
  }
}

TEST(Workload, MixIsSixtyThirtyTen) {
  auto workload = Make("mix");
  auto source = workload->NewSource(9);
  std::map<RequestKind, int> kinds;
  std::string raw;
  constexpr int kRequests = 20'000;
  for (int i = 0; i < kRequests; ++i) ++kinds[source->Next(raw)];
  EXPECT_NEAR(kinds[RequestKind::kHome], 0.6 * kRequests, 0.02 * kRequests);
  EXPECT_NEAR(kinds[RequestKind::kUser], 0.3 * kRequests, 0.02 * kRequests);
  EXPECT_NEAR(kinds[RequestKind::kPost], 0.1 * kRequests, 0.02 * kRequests);
}

TEST(Workload, ASeedFixesTheStream) {
  auto workload = Make("mix");
  auto a = workload->NewSource(4);
  auto b = workload->NewSource(4);
  auto c = workload->NewSource(5);
  std::string ra, rb, rc;
  bool differs = false;
  for (int i = 0; i < 50; ++i) {
    a->Next(ra);
    b->Next(rb);
    c->Next(rc);
    EXPECT_EQ(ra, rb);
    differs = differs || ra != rc;
  }
  EXPECT_TRUE(differs);
}

TEST(Workload, NeedsAccountsAndKnownNames) {
  EXPECT_FALSE(MakeWorkload("home", {}).ok());
  EXPECT_FALSE(MakeWorkload("tweet", {.accounts = ThreeAccounts()}).ok());
  EXPECT_FALSE(MakeWorkload("follow", {.accounts = {{1, "solo", "t"}}}).ok());
  EXPECT_TRUE(MakeWorkload("static", {}).ok());
}

TEST(StatusText, EscapesNothingItNeedNotAndStaysShort) {
  Prng rng(1);
  std::string text;
  for (int i = 0; i < 1000; ++i) {
    WriteStatusText(rng, ThreeAccounts(), text);
    ASSERT_FALSE(text.empty());
    ASSERT_LE(text.size(), kMaxStatusChars);
  }
}

}  // namespace
}  // namespace chirp::loadgen

namespace chirp::loadgen {
namespace {

TEST(Workload, SearchesAskForEncodedQueriesWithAReadersToken) {
  const std::map<std::string, std::string> starts = {
      {"search-word", "GET /api/v2/search?type=statuses&q="},
      {"search-rare", "GET /api/v2/search?type=statuses&q="},
      {"search-phrase", "GET /api/v2/search?type=statuses&q=%22"},
      {"search-from", "GET /api/v2/search?type=statuses&q=from%3A"},
      {"search-tag", "GET /api/v2/search?type=statuses&q=%23chirpbench"},
      {"search-accounts", "GET /api/v1/accounts/search?q="}};
  for (const auto& [name, start] : starts) {
    auto workload = Make(name);
    auto source = workload->NewSource(7);
    for (int i = 0; i < 20; ++i) {
      std::string raw;
      EXPECT_EQ(source->Next(raw), RequestKind::kSearch) << name;
      Request r = Split(raw);
      EXPECT_TRUE(r.line.starts_with(start)) << r.line;
      EXPECT_EQ(r.line.find(' ', 4), std::string::npos) << "one target: " << r.line;
      EXPECT_TRUE(r.headers["Authorization"].starts_with("Bearer tok-")) << name;
    }
  }
}

}  // namespace
}  // namespace chirp::loadgen
