#include "auth/authenticator.h"

#include <sodium.h>

#include <array>
#include <mutex>

#include "core/no_wait.h"
#include "core/secrets.h"
#include "core/text.h"

namespace chirp {

namespace {

// A thread's recently seen tokens, by a hash of the token.
struct RememberedToken {
  uint64_t instance = 0;
  uint64_t generation = 0;
  std::string token;
  Principal principal;
};
constexpr size_t kRemembered = 256;

std::atomic<uint64_t> next_instance{1};

}  // namespace

Authenticator::Authenticator(Store& store, size_t capacity)
    : store_(store), capacity_(capacity), instance_(next_instance.fetch_add(1)) {}

std::string_view Authenticator::BearerToken(std::string_view header, std::string_view param) {
  header = TrimAscii(header);
  if (header.size() > 7 && AsciiLower(header.substr(0, 7)) == "bearer ") {
    return TrimAscii(header.substr(7));
  }
  return param;
}

Result<std::optional<Principal>> Authenticator::Authenticate(std::string_view token,
                                                             const TokenLookupGate& gate) {
  if (token.empty()) return std::optional<Principal>();
  thread_local std::array<RememberedToken, kRemembered> remembered;
  RememberedToken& slot = remembered[std::hash<std::string_view>{}(token) % kRemembered];
  const uint64_t generation = revocations_.load(std::memory_order_acquire);
  if (slot.instance == instance_ && slot.generation == generation &&
      slot.token.size() == token.size() &&
      sodium_memcmp(slot.token.data(), token.data(), token.size()) == 0) {
    return std::optional<Principal>(slot.principal);
  }
  auto found = AuthenticateByDigest(token, gate);
  if (found && *found) {
    slot.instance = instance_;
    slot.generation = generation;
    slot.token.assign(token);
    slot.principal = **found;
  }
  return found;
}

Result<std::optional<Principal>> Authenticator::AuthenticateByDigest(std::string_view token,
                                                                     const TokenLookupGate& gate) {
  const std::string digest = TokenDigest(token);
  uint64_t generation;
  {
    std::shared_lock lock(mu_);
    auto it = cache_.find(digest);
    if (it != cache_.end()) return std::optional<Principal>(it->second);
    generation = revocations_.load();
  }
  // Asked only where the store is read: a network thread's attempt is
  // refused by the store (core/no_wait.h) and comes again where it may wait.
  if (MayWait() && gate && !gate()) {
    return Error{ErrorCode::kTooManyRequests, "Too many requests", {}, {}};
  }
  auto stored = store_.FindTokenByDigest(digest);
  if (!stored) {
    if (stored.error().code == ErrorCode::kNotFound) {
      return Error::Unauthorized("The access token is invalid");
    }
    return std::move(stored).error();
  }
  if (stored->revoked_at_ms != 0) return Error::Unauthorized("The access token is invalid");
  Principal p;
  p.token_id = stored->id;
  p.app_id = stored->app_id;
  p.account_id = stored->account_id;
  p.scopes = ScopeSet::Parse(stored->scopes).value_or(ScopeSet()).Expanded();
  std::unique_lock lock(mu_);
  // Bounded: when full, start over; entries refill from the store on demand.
  if (cache_.size() >= capacity_) {
    cache_.clear();
    digests_.clear();
  }
  if (revocations_.load() == generation && cache_.emplace(digest, p).second) {
    digests_.emplace(p.token_id, digest);
  }
  return std::optional<Principal>(std::move(p));
}

Status Authenticator::Revoke(std::string_view token, int64_t app_id, int64_t now_ms) {
  const std::string digest = TokenDigest(token);
  if (Status s = store_.RevokeToken(digest, app_id, now_ms); !s) return s;
  std::unique_lock lock(mu_);
  revocations_.fetch_add(1, std::memory_order_release);
  auto it = cache_.find(digest);
  if (it != cache_.end() && it->second.app_id == app_id) {
    digests_.erase(it->second.token_id);
    cache_.erase(it);
  }
  return {};
}

void Authenticator::Forget(int64_t token_id) {
  std::unique_lock lock(mu_);
  revocations_.fetch_add(1, std::memory_order_release);
  auto it = digests_.find(token_id);
  if (it == digests_.end()) return;
  cache_.erase(it->second);
  digests_.erase(it);
}

size_t Authenticator::cached() const {
  std::shared_lock lock(mu_);
  return cache_.size();
}

}  // namespace chirp
