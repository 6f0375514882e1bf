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
#include "store/attachment_store.h"
#include "store/events.h"
#include "store/notification_store.h"
#include "store/records.h"
#include "store/social_store.h"
#include "store/timeline_store.h"

namespace chirp {

class Store : public SocialStore,
              public TimelineStore,
              public NotificationStore,
              public AttachmentStore,
              public EventLog {
 public:
  ~Store() override = default;

  // Accounts and users.
  // Conflicts: kUnprocessable with details["username"] or details["email"] = ERR_TAKEN.
  virtual Status CreateAccount(const Account& account, const User& user) = 0;
  virtual Result<Account> FindAccount(int64_t id) = 0;
  // The account as of one point of the event stream: `as_of_event` is the
  // id of the newest event committed when it was read, in the same
  // snapshot, so the account reflects every event up to that id and none
  // after it. Caches kept by the event stream skip what it already shows.
  virtual Result<AccountAsOf> FindAccountAsOf(int64_t id) = 0;
  virtual Result<Account> FindAccountByUsername(std::string_view username) = 0;  // any case
  virtual Result<User> FindUserByEmail(std::string_view email) = 0;              // any case
  virtual Result<User> FindUser(int64_t account_id) = 0;
  // Every account in id order, `limit` at a time after `after_id`, without
  // its profile fields: for rebuilding what is derived from them (the
  // search index).
  virtual Result<std::vector<Account>> ScanAccounts(int64_t after_id, int limit) = 0;
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

  // The operators' bulk path (chirpd admin import-graph), far faster than
  // one request each, in steps so that a graph of millions of follows
  // streams through in bounded memory:
  // ImportAccounts creates accounts (with users that cannot sign in until
  // given a password) and returns the id of each, in order; an existing
  // username keeps its account and id.
  virtual Result<std::vector<int64_t>> ImportAccounts(const std::vector<Account>& accounts) = 0;
  // Adds follows (follower id, followed id) numbered from
  // `first_follow_id`, in one transaction; existing ones and self-follows
  // are skipped. Counters are left for RecountFollows. Returns how many
  // were added. Writes no events: run it while no server uses the store.
  virtual Result<int64_t> ImportFollows(const std::vector<std::pair<int64_t, int64_t>>& follows,
                                        int64_t first_follow_id) = 0;
  // Sets every account's followers and following counts from the follows.
  virtual Status RecountFollows() = 0;
  // Adds statuses as history, in one transaction, each with its mentions
  // and tags: plain statuses (kBadRequest for a reply, a reblog or media),
  // no events (nothing is fanned out or notified: run it while no server
  // uses the store), counters left for RecountStatuses. A status whose id is
  // taken gets the next free id above it. Returns how many were added.
  virtual Result<int64_t> ImportStatuses(const std::vector<StatusRecord>& statuses) = 0;
  // Sets every account's statuses count and last status time from its
  // statuses.
  virtual Status RecountStatuses() = 0;

  // Holds `worker_id` (snowflake.h) for this process among every process
  // that shares the store, until the store closes or the process ends:
  // false when another holds it. The embedded store's processes share a
  // data directory, where WorkerLease (app/worker_lease.h) keeps them
  // apart: always true there.
  virtual Result<bool> HoldWorkerId(int64_t worker_id) = 0;

  virtual StoreStats Stats() const = 0;
  // Stops accepting work, finishes queued writes, closes the database.
  virtual void Close() = 0;
};

}  // namespace chirp
