// Bearer tokens to principals. Valid tokens are cached in memory by digest,
// so an authenticated request costs a hash and a map look-up; each thread
// also remembers the tokens it saw last, so that a client's next request
// skips even the hash. A revoked token is forgotten by both, in every
// process, when the cache keeper (api/cache_keeper.h) sees its revocation
// in the event stream, and at once in the process that revoked it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/scopes.h"
#include "core/clock.h"
#include "core/error.h"
#include "store/store.h"

namespace chirp {

// Asked before a token not held in memory is looked up in the store; false
// refuses the look-up. Where rate limits by client address come in.
using TokenLookupGate = std::function<bool()>;

struct Principal {
  int64_t token_id = 0;
  int64_t app_id = 0;
  int64_t account_id = 0;  // 0 for an app token
  ScopeSet scopes;         // expanded: parents include their children
  bool is_user() const { return account_id != 0; }
};

class Authenticator {
 public:
  static constexpr size_t kDefaultCapacity = 1 << 20;

  Authenticator(Store& store, size_t capacity = kDefaultCapacity);

  // The bearer token from "Authorization: Bearer ..." or, failing that,
  // `access_token_param`. Empty when neither carries one.
  static std::string_view BearerToken(std::string_view authorization_header,
                                      std::string_view access_token_param);

  // nullopt for an empty token; kUnauthorized for an unknown or revoked one;
  // kTooManyRequests when `gate` refused the store look-up it needed.
  Result<std::optional<Principal>> Authenticate(std::string_view token,
                                                const TokenLookupGate& gate = {});

  // Revokes `token` if it belongs to `app_id` (idempotent).
  Status Revoke(std::string_view token, int64_t app_id, int64_t now_ms);

  // Drops the token `token_id` from the cache, after its revocation was
  // committed; every thread's remembered tokens lapse.
  void Forget(int64_t token_id);

  size_t cached() const;

 private:
  Result<std::optional<Principal>> AuthenticateByDigest(std::string_view token,
                                                        const TokenLookupGate& gate);

  Store& store_;
  const size_t capacity_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Principal> cache_;  // by digest; guarded by mu_
  std::unordered_map<int64_t, std::string> digests_;  // of cache_, by token id; guarded by mu_
  // Bumped (under mu_) by every revocation: a load that raced with one is
  // not cached, and every thread's remembered tokens lapse.
  std::atomic<uint64_t> revocations_{0};
  const uint64_t instance_;  // tells the threads' remembered tokens apart by authenticator
};

}  // namespace chirp
