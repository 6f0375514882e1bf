// The system of record. The embedded implementation is SQLite
// (store/sqlite); the scaled-out one is PostgreSQL. Both satisfy this
// contract:
//
// - Every method is thread-safe and may block on I/O: call it from the
//   blocking pool, never from a network thread.
// - A write returns only after its transaction is durable; an Ok result means
//   committed. Writes of concurrent callers may share one transaction (group
//   commit), but a failing write never affects another's.
// - Expected failures come back as values: kNotFound for an absent record,
//   kUnprocessable with details for uniqueness conflicts, kUnavailable when the
//   store cannot serve (closed, disk full).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "store/events.h"
#include "store/records.h"
#include "store/social_store.h"
#include "store/timeline_store.h"

namespace chirp {

class Store : public SocialStore, public TimelineStore, public EventLog {
 public:
  ~Store() override = default;

  // Accounts and users.
  // Conflicts: kUnprocessable with details["username"] or details["email"] = ERR_TAKEN.
  virtual Status CreateAccount(const Account& account, const User& user) = 0;
  virtual Result<Account> FindAccount(int64_t id) = 0;
  virtual Result<Account> FindAccountByUsername(std::string_view username) = 0;  // any case
  virtual Result<User> FindUserByEmail(std::string_view email) = 0;              // any case
  virtual Result<User> FindUser(int64_t account_id) = 0;
  // Accounts whose username or display name starts with `prefix` (any case),
  // ordered by username; `offset` and `limit` page through them.
  virtual Result<std::vector<Account>> SearchAccounts(std::string_view prefix, int limit,
                                                      int offset) = 0;
  // Replaces the editable profile fields (display name, note, flags, fields,
  // source defaults) of `account.id`.
  virtual Status UpdateProfile(const Account& account) = 0;
  virtual Status RecordLogin(int64_t account_id, int64_t at_ms) = 0;
  virtual Result<int64_t> CountAccounts() = 0;

  // OAuth applications, tokens and authorization codes.
  virtual Status CreateApp(const App& app) = 0;
  virtual Result<App> FindAppByClientId(std::string_view client_id) = 0;
  virtual Result<App> FindApp(int64_t id) = 0;
  virtual Status CreateToken(const AccessToken& token) = 0;
  virtual Result<AccessToken> FindTokenByDigest(std::string_view digest) = 0;
  // Marks the token revoked if it belongs to `app_id`; Ok also when it is
  // unknown or already revoked (revocation is idempotent).
  virtual Status RevokeToken(std::string_view digest, int64_t app_id, int64_t at_ms) = 0;
  virtual Status CreateAuthorizationCode(const AuthorizationCode& code) = 0;
  // Deletes the code and returns it, so that a code is redeemed at most once.
  virtual Result<AuthorizationCode> ConsumeAuthorizationCode(std::string_view digest) = 0;

  // Registration in one transaction: the account, its user and its first
  // token commit together or not at all.
  virtual Status CreateAccountWithToken(const Account& account, const User& user,
                                        const AccessToken& token) = 0;

  // The operators' bulk path (chirpd admin import-graph): accounts (with
  // users that cannot sign in until given a password) and follows, written
  // in one transaction with their counters, far faster than one request
  // each. Existing usernames are kept; follows between them are added.
  // Returns the number of follows added.
  virtual Result<int64_t> ImportGraph(
      const std::vector<Account>& accounts,
      const std::vector<std::pair<std::string, std::string>>& follows, int64_t first_follow_id) = 0;

  virtual StoreStats Stats() const = 0;
  // Stops accepting work, finishes queued writes, closes the database.
  virtual void Close() = 0;
};

}  // namespace chirp
