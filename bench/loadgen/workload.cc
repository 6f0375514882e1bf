#include "workload.h"

#include <array>
#include <charconv>
#include <type_traits>
#include <utility>

namespace chirp::loadgen {

std::string_view RequestKindName(RequestKind kind) {
  switch (kind) {
    case RequestKind::kStatic:
      return "static";
    case RequestKind::kHome:
      return "home";
    case RequestKind::kUser:
      return "user";
    case RequestKind::kPost:
      return "post";
    case RequestKind::kFollow:
      return "follow";
    case RequestKind::kSearch:
      return "search";
    case RequestKind::kUnfollow:
      return "unfollow";
  }
  return "unknown";
}

std::string_view WorkloadNames() {
  return "static, home, user, post, follow, mix, search-word, search-rare, search-phrase, "
         "search-from, search-tag, search-accounts";
}

namespace {

// The shape of post texts: how often each extra appears.
constexpr double kMentionChance = 0.3;
constexpr double kSecondMentionChance = 0.3;
constexpr double kLinkChance = 0.25;
constexpr double kHashtagChance = 0.2;
constexpr size_t kMinStatusChars = 16;

constexpr std::array<std::string_view, 32> kWords = {
    "the",   "timeline", "is",     "quiet",  "today", "coffee", "again", "reading",
    "about", "servers",  "and",    "caches", "fast",  "slow",   "train", "late",
    "new",   "release",  "thanks", "for",    "all",   "the",    "fish",  "rain",
    "sunny", "weekend",  "plans",  "ship",   "it",    "maybe",  "later", "tonight"};

// Bits every request of a workload shares, built once.
struct RequestParts {
  std::string host_line;                // "Host: ...\r\n"
  std::vector<std::string> auth_lines;  // "Authorization: Bearer ...\r\n", per account
  std::vector<BenchAccount> accounts;
  IdRange targets;
  std::string path;

  explicit RequestParts(WorkloadOptions&& o)
      : host_line("Host: " + o.host + "\r\n"),
        accounts(std::move(o.accounts)),
        targets(o.targets),
        path(std::move(o.path)) {
    for (const BenchAccount& a : accounts) {
      auth_lines.push_back("Authorization: Bearer " + a.token + "\r\n");
    }
  }
};

void AppendNumber(std::string& out, int64_t n) {
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
}

// Appends " HTTP/1.1", the common headers and the body; the caller has
// written the method and the target.
void FinishRequest(std::string& out, const RequestParts& parts, size_t account,
                   std::string_view body, std::string_view content_type) {
  out += " HTTP/1.1\r\n";
  out += parts.host_line;
  if (account < parts.auth_lines.size()) out += parts.auth_lines[account];
  if (!content_type.empty()) {
    out += "Content-Type: ";
    out += content_type;
    out += "\r\n";
  }
  if (!body.empty() || !content_type.empty()) {
    out += "Content-Length: ";
    AppendNumber(out, static_cast<int64_t>(body.size()));
    out += "\r\n";
  }
  out += "\r\n";
  out += body;
}

void AppendJsonString(std::string& out, std::string_view s) {
  constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

class StaticSource final : public RequestSource {
 public:
  // Every request is the same: the seed has nothing to choose.
  StaticSource(const RequestParts& parts, uint64_t /*seed*/) {
    request_ = "GET " + parts.path;
    FinishRequest(request_, parts, parts.auth_lines.size(), "", "");
  }
  RequestKind Next(std::string& out) override {
    out.assign(request_);
    return RequestKind::kStatic;
  }

 private:
  std::string request_;
};

class HomeSource final : public RequestSource {
 public:
  HomeSource(const RequestParts& parts, uint64_t seed) : parts_(parts), rng_(seed) {}
  RequestKind Next(std::string& out) override {
    out.assign("GET /api/v1/timelines/home");
    FinishRequest(out, parts_, rng_.Below(parts_.accounts.size()), "", "");
    return RequestKind::kHome;
  }

 private:
  const RequestParts& parts_;
  Prng rng_;
};

// An account id to act on: from the target range, else an account's.
int64_t PickTarget(const RequestParts& parts, Prng& rng) {
  if (!parts.targets.empty()) {
    return parts.targets.first + static_cast<int64_t>(rng.Below(parts.targets.size()));
  }
  return parts.accounts[rng.Below(parts.accounts.size())].id;
}

class UserSource final : public RequestSource {
 public:
  UserSource(const RequestParts& parts, uint64_t seed) : parts_(parts), rng_(seed) {}
  RequestKind Next(std::string& out) override {
    out.assign("GET /api/v1/accounts/");
    AppendNumber(out, PickTarget(parts_, rng_));
    out += "/statuses";
    FinishRequest(out, parts_, rng_.Below(parts_.accounts.size()), "", "");
    return RequestKind::kUser;
  }

 private:
  const RequestParts& parts_;
  Prng rng_;
};

class PostSource final : public RequestSource {
 public:
  PostSource(const RequestParts& parts, uint64_t seed) : parts_(parts), rng_(seed) {}
  RequestKind Next(std::string& out) override {
    WriteStatusText(rng_, parts_.accounts, text_);
    body_.assign("{\"status\":");
    AppendJsonString(body_, text_);
    body_ += ",\"visibility\":\"public\"}";
    out.assign("POST /api/v1/statuses");
    FinishRequest(out, parts_, rng_.Below(parts_.accounts.size()), body_, "application/json");
    return RequestKind::kPost;
  }

 private:
  const RequestParts& parts_;
  Prng rng_;
  std::string text_;
  std::string body_;
};

// Follows, then unfollows the same account, so the graph stays as loaded
// over a run (give or take the follows in flight at its end).
class FollowSource final : public RequestSource {
 public:
  FollowSource(const RequestParts& parts, uint64_t seed) : parts_(parts), rng_(seed) {}
  RequestKind Next(std::string& out) override {
    const bool follow = !following_;
    if (follow) {
      do {
        account_ = rng_.Below(parts_.accounts.size());
        target_ = PickTarget(parts_, rng_);
      } while (target_ == parts_.accounts[account_].id);
    }
    following_ = follow;
    out.assign("POST /api/v1/accounts/");
    AppendNumber(out, target_);
    out += follow ? "/follow" : "/unfollow";
    FinishRequest(out, parts_, account_, "", "application/x-www-form-urlencoded");
    return follow ? RequestKind::kFollow : RequestKind::kUnfollow;
  }

 private:
  const RequestParts& parts_;
  Prng rng_;
  bool following_ = false;
  size_t account_ = 0;
  int64_t target_ = 0;
};

// What a search workload looks for.
enum class SearchKind { kWord, kRare, kPhrase, kFrom, kTag, kAccounts };

// Appends `s` percent-encoded for a query string.
void AppendQueryValue(std::string& out, std::string_view s) {
  constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
}

// The characters of a username an account search types.
constexpr size_t kAccountPrefixChars = 7;
// The numbers the post workload's links end with are below this.
constexpr uint64_t kLinkNumbers = 1'000'000;

template <SearchKind kKind>
class SearchSource final : public RequestSource {
 public:
  SearchSource(const RequestParts& parts, uint64_t seed) : parts_(parts), rng_(seed) {}
  RequestKind Next(std::string& out) override {
    query_.clear();
    switch (kKind) {
      case SearchKind::kWord:
        query_ = kWords[rng_.Below(kWords.size())];
        break;
      case SearchKind::kRare:
        query_ = std::to_string(rng_.Below(kLinkNumbers));
        break;
      case SearchKind::kPhrase:
        query_ = "\"";
        query_ += kWords[rng_.Below(kWords.size())];
        query_ += ' ';
        query_ += kWords[rng_.Below(kWords.size())];
        query_ += '"';
        break;
      case SearchKind::kFrom:
        query_ = "from:" + parts_.accounts[rng_.Below(parts_.accounts.size())].username;
        break;
      case SearchKind::kTag:
        query_ = "#chirpbench";
        break;
      case SearchKind::kAccounts:
        query_ = parts_.accounts[rng_.Below(parts_.accounts.size())].username.substr(
            0, kAccountPrefixChars);
        break;
    }
    out.assign(kKind == SearchKind::kAccounts ? "GET /api/v1/accounts/search?q="
                                              : "GET /api/v2/search?type=statuses&q=");
    AppendQueryValue(out, query_);
    FinishRequest(out, parts_, rng_.Below(parts_.accounts.size()), "", "");
    return RequestKind::kSearch;
  }

 private:
  const RequestParts& parts_;
  Prng rng_;
  std::string query_;
};

// DeathStarBench's social network mix, in percent.
constexpr uint64_t kMixHomePercent = 60;
constexpr uint64_t kMixUserPercent = 30;

class MixSource final : public RequestSource {
 public:
  MixSource(const RequestParts& parts, uint64_t seed)
      : rng_(DeriveSeed(seed, 0)),
        home_(parts, DeriveSeed(seed, 1)),
        user_(parts, DeriveSeed(seed, 2)),
        post_(parts, DeriveSeed(seed, 3)) {}
  RequestKind Next(std::string& out) override {
    const uint64_t roll = rng_.Below(100);
    if (roll < kMixHomePercent) return home_.Next(out);
    if (roll < kMixHomePercent + kMixUserPercent) return user_.Next(out);
    return post_.Next(out);
  }

 private:
  Prng rng_;
  HomeSource home_;
  UserSource user_;
  PostSource post_;
};

template <typename Source>
class WorkloadOf final : public Workload {
 public:
  WorkloadOf(std::string_view name, WorkloadOptions&& options)
      : name_(name), parts_(std::move(options)) {}
  std::string_view name() const override { return name_; }
  std::unique_ptr<RequestSource> NewSource(uint64_t seed) const override {
    return std::make_unique<Source>(parts_, seed);
  }

 private:
  std::string name_;
  RequestParts parts_;
};

}  // namespace

void WriteStatusText(Prng& rng, const std::vector<BenchAccount>& accounts, std::string& out) {
  out.clear();
  const size_t length = kMinStatusChars + rng.Below(kMaxStatusChars - kMinStatusChars + 1);
  // The extras are chosen first and words fill the room they leave.
  std::string tail;
  if (rng.Chance(kLinkChance)) {
    tail += " https://example.com/posts/" + std::to_string(rng.Below(1'000'000));
  }
  if (rng.Chance(kHashtagChance)) tail += " #chirpbench";
  const size_t room = length > tail.size() ? length - tail.size() : 0;
  const auto add = [&](std::string_view word) {
    if (out.size() + (out.empty() ? 0 : 1) + word.size() > room) return false;
    if (!out.empty()) out += ' ';
    out += word;
    return true;
  };
  if (!accounts.empty() && rng.Chance(kMentionChance)) {
    add("@" + accounts[rng.Below(accounts.size())].username);
    if (rng.Chance(kSecondMentionChance)) add("@" + accounts[rng.Below(accounts.size())].username);
  }
  while (add(kWords[rng.Below(kWords.size())])) {
  }
  if (out.size() + tail.size() <= kMaxStatusChars) out += tail;
  if (!out.empty() && out.front() == ' ') out.erase(0, 1);
  if (out.empty()) out = "hello";
}

Result<std::unique_ptr<Workload>> MakeWorkload(std::string_view name, WorkloadOptions options) {
  const auto need_accounts = [&]() -> Status {
    if (options.accounts.empty()) {
      return Error::BadRequest("workload " + std::string(name) + " needs accounts (--tokens)");
    }
    return {};
  };
  const auto make = [&]<typename Source>() -> Result<std::unique_ptr<Workload>> {
    if constexpr (!std::is_same_v<Source, StaticSource>) {
      if (Status s = need_accounts(); !s) return std::move(s).error();
    }
    return std::unique_ptr<Workload>(
        std::make_unique<WorkloadOf<Source>>(name, std::move(options)));
  };
  if (name == "static") return make.operator()<StaticSource>();
  if (name == "home") return make.operator()<HomeSource>();
  if (name == "user") return make.operator()<UserSource>();
  if (name == "post") return make.operator()<PostSource>();
  if (name == "mix") return make.operator()<MixSource>();
  if (name == "search-word") return make.operator()<SearchSource<SearchKind::kWord>>();
  if (name == "search-rare") return make.operator()<SearchSource<SearchKind::kRare>>();
  if (name == "search-phrase") return make.operator()<SearchSource<SearchKind::kPhrase>>();
  if (name == "search-from") return make.operator()<SearchSource<SearchKind::kFrom>>();
  if (name == "search-tag") return make.operator()<SearchSource<SearchKind::kTag>>();
  if (name == "search-accounts") return make.operator()<SearchSource<SearchKind::kAccounts>>();
  if (name == "follow") {
    // Some target must differ from some follower, or FollowSource never
    // finds one.
    const bool other = options.targets.size() > 1 || options.accounts.size() > 1 ||
                       (options.targets.size() == 1 && !options.accounts.empty() &&
                        options.targets.first != options.accounts[0].id);
    if (!options.accounts.empty() && !other) {
      return Error::BadRequest("workload follow needs a target other than the follower");
    }
    return make.operator()<FollowSource>();
  }
  return Error::BadRequest("unknown workload '" + std::string(name) + "' (one of " +
                           std::string(WorkloadNames()) + ")");
}

}  // namespace chirp::loadgen
