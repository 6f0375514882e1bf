#include "api/authenticator.h"

#include <mutex>

#include "core/secrets.h"
#include "core/text.h"

namespace chirp {

std::string_view Authenticator::BearerToken(std::string_view header, std::string_view param) {
  header = TrimAscii(header);
  if (header.size() > 7 && AsciiLower(header.substr(0, 7)) == "bearer ") {
    return TrimAscii(header.substr(7));
  }
  return param;
}

Result<std::optional<Principal>> Authenticator::Authenticate(std::string_view token) {
  if (token.empty()) return std::optional<Principal>();
  const std::string digest = TokenDigest(token);
  uint64_t generation;
  {
    std::shared_lock lock(mu_);
    auto it = cache_.find(digest);
    if (it != cache_.end()) return std::optional<Principal>(it->second);
    generation = revocations_;
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
  p.digest = digest;
  std::unique_lock lock(mu_);
  // Bounded: when full, start over; entries refill from the store on demand.
  if (cache_.size() >= capacity_) cache_.clear();
  if (revocations_ == generation) cache_.emplace(digest, p);
  return std::optional<Principal>(std::move(p));
}

Status Authenticator::Revoke(std::string_view token, int64_t app_id, int64_t now_ms) {
  const std::string digest = TokenDigest(token);
  if (Status s = store_.RevokeToken(digest, app_id, now_ms); !s) return s;
  std::unique_lock lock(mu_);
  ++revocations_;
  auto it = cache_.find(digest);
  if (it != cache_.end() && it->second.app_id == app_id) cache_.erase(it);
  return {};
}

size_t Authenticator::cached() const {
  std::shared_lock lock(mu_);
  return cache_.size();
}

}  // namespace chirp
