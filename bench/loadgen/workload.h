// What the load generator asks of the server. A workload makes, for each
// connection, a stream of complete HTTP/1.1 requests; the driver only sends
// them and times the answers, so adding a workload means adding a
// RequestSource (see workload.cc) and a name in MakeWorkload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "accounts.h"
#include "core/error.h"
#include "prng.h"

namespace chirp::loadgen {

// The kinds of request, reported separately (a mix reports each part).
enum class RequestKind : uint8_t { kStatic, kHome, kUser, kPost, kFollow, kUnfollow, kSearch };
inline constexpr size_t kRequestKindCount = 7;
std::string_view RequestKindName(RequestKind kind);

// The requests of one connection. Not thread-safe; one per connection.
class RequestSource {
 public:
  virtual ~RequestSource() = default;
  // Replaces `out` with the next request (a complete HTTP/1.1 message; the
  // capacity of `out` is reused) and returns its kind.
  virtual RequestKind Next(std::string& out) = 0;
};

class Workload {
 public:
  virtual ~Workload() = default;
  virtual std::string_view name() const = 0;
  // A new request stream, fully determined by `seed` and the workload's
  // options. Sources only read the workload, so one workload serves every
  // thread; it must outlive its sources.
  virtual std::unique_ptr<RequestSource> NewSource(uint64_t seed) const = 0;
};

struct WorkloadOptions {
  // The Host header, e.g. "127.0.0.1:8080".
  std::string host;
  // The static workload's request target.
  std::string path = "/";
  // Who makes the requests: each request is made by an account drawn
  // uniformly, with its token.
  std::vector<BenchAccount> accounts;
  // Whose statuses `user` reads and whom `follow` follows: drawn uniformly
  // from this range when it is not empty, else from the accounts' ids.
  IdRange targets;
};

// The workloads:
//   static  GET `path`, no credentials (the nginx baseline)
//   home    GET /api/v1/timelines/home
//   user    GET /api/v1/accounts/:id/statuses
//   post    POST /api/v1/statuses, a JSON body {"status", "visibility":
//           "public"} whose text (up to 256 characters) sometimes mentions
//           other accounts and carries links and hashtags
//   follow  POST /api/v1/accounts/:id/follow, then /unfollow of the same
//           account by the same account, alternately
//   mix     60% home, 30% user, 10% post (DeathStarBench's social network)
//   search-word, search-rare, search-phrase, search-from, search-tag
//           GET /api/v2/search?type=statuses for a common word of the post
//           workload's, a number of its links (a word few statuses hold),
//           two of its words as a phrase, from:USERNAME of an account, and
//           its hashtag
//   search-accounts
//           GET /api/v1/accounts/search for the first characters of an
//           account's username
// kBadRequest for an unknown name, or when a workload lacks what it needs
// (accounts for all but static; for follow, a target other than the
// follower).
Result<std::unique_ptr<Workload>> MakeWorkload(std::string_view name, WorkloadOptions options);

// The names MakeWorkload accepts, for help texts.
std::string_view WorkloadNames();

// Replaces `out` with the text of a status for the post workload: 1 to
// kMaxStatusChars ASCII characters of words, sometimes with "@username"
// mentions of `accounts`, a link and a hashtag.
inline constexpr size_t kMaxStatusChars = 256;
void WriteStatusText(Prng& rng, const std::vector<BenchAccount>& accounts, std::string& out);

}  // namespace chirp::loadgen
