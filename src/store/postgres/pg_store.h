// The system of record of the scaled-out deployment: PostgreSQL 15
// through libpq, with the same contract as the embedded store (store.h).
//
// Each call takes a connection from a bounded pool and runs as one
// transaction of its own (READ COMMITTED); PostgreSQL commits concurrent
// transactions together on its own (group commit). A transaction that
// fails for a deadlock or a serialization failure is run again, a few
// times, from the start.
//
// The outbox keeps the embedded store's promise that event ids increase
// in commit order, so that a consumer's cursor (one id) never passes an
// event committed later with a lower id: a transaction's events are
// buffered while it runs and written just before it commits, their ids
// taken from the single row of outbox_head, whose row lock is held until
// the commit. Transactions that write events thus commit one at a time
// (about 0.1 ms each on this machine's disk); those that write none, and
// every read, run in parallel.
//
// Streaming replicas (pg_replicas.h), when given, serve the reads that may
// lag, inside a ReaderScope that allows it (a GET; core/reader_scope.h):
// the heavy lists a request shows as they are, namely an account's
// statuses, the public timelines, a thread's replies, followers and
// following, who favourited or reblogged a status; and the reader's own
// lists and flags (favourites, bookmarks, blocks, mutes), which only the
// reader writes. Everything else reads the primary: writes and what they
// read first, the event consumers, the point reads that fill the caches
// the event stream keeps (a replica behind that stream would fill them
// with what an event already replaced), and what others' writes put
// before the reader with a notification: relationships, notifications,
// markers, follow requests.
//
// Read-your-writes: a write inside a scope records where it ended in the
// primary's log as the account's write position (store/write_positions.h,
// in Redis when the instances share one), and that account's reads go to
// a replica only once it has replayed past it. Others' writes reach a
// reader through a replica within its lag, which is bounded: a replica
// further behind than max_replica_lag_ms serves nothing.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/no_wait.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_replicas.h"
#include "store/postgres/pg_session.h"
#include "store/store.h"
#include "store/write_positions.h"

namespace chirp {

struct PgStoreOptions {
  std::string conninfo;  // a libpq connection string or postgresql:// URI
  // The session connection's and the migrations' (LISTEN, session advisory
  // locks), when `conninfo` goes through a pooler in transaction mode,
  // which keeps neither: a direct connection. Empty: `conninfo`.
  std::string session_conninfo;
  int connections = 16;  // the pool's size: callers beyond it wait
  // Streaming replicas of the primary for the reads that may lag (above),
  // each with a pool of `connections`.
  std::vector<std::string> replica_conninfos;
  int max_replica_lag_ms = 2'000;  // a replica further behind serves nothing
  // Where accounts' last writes ended; with replicas, a MemoryWritePositions
  // of this process when none is given. Must keep positions longer than
  // max_replica_lag_ms.
  std::shared_ptr<WritePositions> write_positions;
  // Off behind a pooler in transaction mode (pgbouncer 1.18): statements
  // are then sent unnamed each time.
  bool prepare = true;
  int acquire_timeout_ms = 5000;  // past it, kUnavailable
  // How long events stay in the outbox at least, for the consumers other
  // processes keep in memory (they start at the outbox's end and read
  // behind it): 0 keeps nothing longer than this process's lanes need.
  int64_t outbox_retention_ms = 0;
};

// One transaction of the store in progress: its connection and the events
// it has appended, written to the outbox just before it commits.
class PgTx {
 public:
  explicit PgTx(PgConn& conn) : conn_(conn) {}
  Result<PgRows> Exec(std::string_view sql, const PgParams& params = {}) {
    return conn_.Exec(sql, params);
  }
  PgConn& conn() { return conn_; }
  // Appends `event` (its id is assigned at commit) to the outbox in this
  // transaction, so it commits with the change it announces.
  void AppendEvent(const OutboxEvent& event) { events_.push_back(event); }
  const std::vector<OutboxEvent>& events() const { return events_; }
  void ClearEvents() { events_.clear(); }

 private:
  PgConn& conn_;
  std::vector<OutboxEvent> events_;
};

class PgStore final : public Store {
 public:
  // Connects, applies migrations (pg_migrations.h) and fills the pool.
  static Result<std::unique_ptr<PgStore>> Open(const PgStoreOptions& options);
  ~PgStore() override;

  Status CreateAccount(const Account& account, const User& user) override;
  Result<Account> FindAccount(int64_t id) override;
  Result<AccountAsOf> FindAccountAsOf(int64_t id) override;
  Result<Account> FindAccountByUsername(std::string_view username) override;
  Result<User> FindUserByEmail(std::string_view email) override;
  Result<User> FindUser(int64_t account_id) override;
  Result<std::vector<Account>> ScanAccounts(int64_t after_id, int limit) override;
  Status UpdateProfile(const Account& account) override;
  Status RecordLogin(int64_t account_id, int64_t at_ms) override;
  Result<int64_t> CountAccounts() override;

  Status CreateApp(const App& app) override;
  Result<App> FindAppByClientId(std::string_view client_id) override;
  Result<App> FindApp(int64_t id) override;
  Status CreateToken(const AccessToken& token) override;
  Result<AccessToken> FindTokenByDigest(std::string_view digest) override;
  Status RevokeToken(std::string_view digest, int64_t app_id, int64_t at_ms) override;
  Status CreateAuthorizationCode(const AuthorizationCode& code) override;
  Result<AuthorizationCode> ConsumeAuthorizationCode(std::string_view digest) override;
  Status CreateAccountWithToken(const Account& account, const User& user,
                                const AccessToken& token) override;

  // Statuses and the social graph (pg_social.cc).
  Result<CreatedStatus> CreateStatus(const StatusRecord& status, std::string_view idempotency_key,
                                     int64_t idempotency_window_ms) override;
  Result<StatusRecord> FindStatus(int64_t id) override;
  Result<std::vector<StatusRecord>> FindStatuses(const std::vector<int64_t>& ids) override;
  Result<std::vector<StatusRecord>> ScanStatuses(int64_t after_id, int limit) override;
  Result<std::vector<FavouriteRow>> ScanFavourites(int64_t after_id, int limit) override;
  Result<StatusRecord> FindDeletedStatus(int64_t id) override;
  Result<DeletedStatuses> DeleteStatus(int64_t id, int64_t at_ms) override;
  Result<std::optional<int64_t>> FindReblog(int64_t account_id, int64_t status_id) override;
  Result<std::vector<Paged<StatusRecord>>> ListAccountStatuses(int64_t account_id,
                                                               const AccountStatusFilter& filter,
                                                               const PageRequest& page) override;
  Result<std::vector<StatusRecord>> ListReplies(const std::vector<int64_t>& parent_ids) override;
  Result<bool> Favourite(int64_t account_id, int64_t status_id, int64_t id, int64_t at_ms) override;
  Result<bool> Unfavourite(int64_t account_id, int64_t status_id) override;
  Result<std::vector<Paged<int64_t>>> ListFavouritedBy(int64_t status_id,
                                                       const PageRequest& page) override;
  Result<std::vector<Paged<int64_t>>> ListFavourites(int64_t account_id,
                                                     const PageRequest& page) override;
  Result<std::vector<Paged<int64_t>>> ListRebloggedBy(int64_t status_id,
                                                      const PageRequest& page) override;
  Result<std::vector<int64_t>> FavouritedAmong(int64_t account_id,
                                               const std::vector<int64_t>& status_ids) override;
  Result<std::vector<int64_t>> RebloggedAmong(int64_t account_id,
                                              const std::vector<int64_t>& status_ids) override;
  Result<Interactions> InteractionsAmong(int64_t account_id,
                                         const std::vector<int64_t>& status_ids) override;
  Result<Interactions> InteractionsSince(int64_t account_id, int64_t min_status_id) override;
  Result<bool> Bookmark(int64_t account_id, int64_t status_id, int64_t id, int64_t at_ms) override;
  Result<bool> Unbookmark(int64_t account_id, int64_t status_id) override;
  Result<std::vector<Paged<int64_t>>> ListBookmarks(int64_t account_id,
                                                    const PageRequest& page) override;
  Result<std::vector<int64_t>> BookmarkedAmong(int64_t account_id,
                                               const std::vector<int64_t>& status_ids) override;
  Result<std::vector<FavouriteRow>> ScanBookmarks(int64_t after_id, int limit) override;

  // AttachmentStore.
  Status CreateMedia(const MediaAttachment& media) override;
  Result<MediaAttachment> FindMedia(int64_t id) override;
  Status RecordMediaProcessed(const MediaAttachment& media) override;
  Status DescribeMedia(int64_t id, int64_t account_id, const std::string& description,
                       double focus_x, double focus_y) override;
  Result<MediaAttachment> DeleteMedia(int64_t id, int64_t account_id) override;
  Status SetMediaThumbnail(int64_t id, int64_t account_id, const MediaFileInfo& thumbnail,
                           const std::string& blurhash) override;
  Result<bool> ClaimMediaProcessing(int64_t id, int64_t owner, int64_t now_ms,
                                    int64_t until_ms) override;
  Result<std::vector<MediaAttachment>> ListProcessingMedia(int64_t owner, int64_t now_ms,
                                                           int limit) override;
  Result<std::vector<MediaAttachment>> ListDisposableMedia(int64_t unattached_before_ms,
                                                           int64_t deleted_before_ms,
                                                           int limit) override;
  Status ForgetMedia(const std::vector<int64_t>& ids) override;
  using SocialStore::CreateFollow;
  Result<bool> CreateFollow(const Follow& follow, FollowSettingsChange change) override;
  Result<bool> DeleteFollow(int64_t account_id, int64_t target_account_id) override;
  Result<Unfollowed> Unfollow(int64_t account_id, int64_t target_account_id) override;
  Result<std::optional<Follow>> FindFollow(int64_t account_id, int64_t target_account_id) override;
  Result<std::vector<Paged<int64_t>>> ListFollowers(int64_t account_id,
                                                    const PageRequest& page) override;
  Result<std::vector<Paged<int64_t>>> ListFollowing(int64_t account_id,
                                                    const PageRequest& page) override;
  Result<bool> CreateFollowRequest(const Follow& request) override;
  Result<bool> DeleteFollowRequest(int64_t account_id, int64_t target_account_id) override;
  Status AuthorizeFollowRequest(int64_t account_id, int64_t target_account_id, int64_t follow_id,
                                int64_t at_ms) override;
  Result<std::vector<Paged<int64_t>>> ListFollowRequests(int64_t target_account_id,
                                                         const PageRequest& page) override;
  Result<int64_t> CountFollowRequests(int64_t target_account_id) override;
  Result<bool> CreateBlock(int64_t id, int64_t account_id, int64_t target_account_id,
                           int64_t at_ms) override;
  Result<bool> DeleteBlock(int64_t account_id, int64_t target_account_id) override;
  Result<std::vector<Paged<int64_t>>> ListBlocks(int64_t account_id,
                                                 const PageRequest& page) override;
  Result<bool> BlockedEitherWay(int64_t a, int64_t b) override;
  Result<std::vector<int64_t>> FollowersAmong(int64_t account_id,
                                              const std::vector<int64_t>& account_ids) override;
  Status CreateMute(const Mute& mute) override;
  Result<bool> DeleteMute(int64_t account_id, int64_t target_account_id) override;
  Result<std::vector<Paged<Mute>>> ListMutes(int64_t account_id, const PageRequest& page) override;
  Result<RelationshipRecord> Relationship(int64_t account_id, int64_t target_account_id,
                                          int64_t now_ms) override;
  Result<bool> NotificationsSilenced(int64_t recipient, int64_t from, int64_t now_ms) override;

  // Timelines (pg_timeline.cc).
  Result<std::vector<Follow>> FollowersOf(int64_t account_id) override;
  Result<std::vector<Follow>> FollowingOf(int64_t account_id) override;
  Result<std::vector<int64_t>> FollowersAlsoFollowing(int64_t author_id, int64_t other_id) override;
  Result<std::vector<StatusRecord>> RecentPlacementsOf(const std::vector<int64_t>& authors,
                                                       int per_author, int64_t before_id) override;
  Result<Delivery> DeliveryOf(int64_t status_id) override;
  Result<std::vector<int64_t>> AccountsWithFollowersAtLeast(int64_t min_followers) override;
  Result<bool> TagExists(std::string_view normalized_name) override;
  Result<ReaderFilters> FiltersOf(int64_t reader_id, int64_t now_ms) override;
  Result<std::vector<StatusRecord>> PublicTimeline(const PublicTimelineQuery& query,
                                                   const PageRequest& page) override;

  // Notifications and markers (pg_notifications.cc).
  Result<std::vector<NotificationRecord>> ApplyNotificationWrites(
      const std::vector<NotificationWrite>& writes) override;
  Result<std::vector<NotificationRecord>> ListNotifications(int64_t account_id,
                                                            const NotificationFilter& filter,
                                                            const PageRequest& page) override;
  Result<NotificationRecord> FindNotification(int64_t account_id, int64_t id) override;
  Result<int64_t> CountNotifications(int64_t account_id, const NotificationFilter& filter,
                                     int64_t after_id, int64_t cap) override;
  Result<bool> DismissNotification(int64_t account_id, int64_t id) override;
  Status ClearNotifications(int64_t account_id) override;
  Result<std::vector<NotificationRecord>> ListNotificationGroup(int64_t account_id,
                                                                const std::string& group_key,
                                                                int limit) override;
  Result<int64_t> CountNotificationGroup(int64_t account_id, const std::string& group_key) override;
  Result<bool> DismissNotificationGroup(int64_t account_id, const std::string& group_key) override;
  Result<std::vector<int64_t>> NotifyingFollowersOf(int64_t account_id) override;
  Result<bool> FollowRequested(int64_t account_id, int64_t target_account_id) override;
  Result<std::optional<Marker>> FindMarker(int64_t account_id,
                                           const std::string& timeline) override;
  Result<Marker> SaveMarker(int64_t account_id, const std::string& timeline, int64_t last_read_id,
                            int64_t at_ms) override;

  // The operators' bulk path (pg_import.cc).
  Result<std::vector<int64_t>> ImportAccounts(const std::vector<Account>& accounts) override;
  Result<int64_t> ImportFollows(const std::vector<std::pair<int64_t, int64_t>>& follows,
                                int64_t first_follow_id) override;
  Status RecountFollows() override;
  Result<int64_t> ImportStatuses(const std::vector<StatusRecord>& statuses) override;
  Status RecountStatuses() override;

  // The outbox, its cursors and dead letters (pg_events.cc).
  Result<std::vector<OutboxEvent>> ReadOutbox(int64_t after_id, int limit) override;
  Status AckOutbox(int64_t up_to_id) override;
  Result<int64_t> NewestOutboxId() override;
  Result<int64_t> CountOutbox() override;
  void SetCommitListener(std::function<void()> listener) override;
  // An advisory lock of the store's session (pg_session.h) per consumer.
  Result<bool> HoldLane(const std::string& consumer) override;
  void ReleaseLane(const std::string& consumer) override;
  // A session advisory lock of the group and this process's worker id,
  // counted among the session locks of the group in pg_locks.
  Result<int> JoinLaneGroup(const std::string& group) override;
  Result<std::optional<int64_t>> LoadCursor(const std::string& consumer) override;
  Status SaveCursor(const std::string& consumer, int64_t last_id, int64_t at_ms,
                    int64_t trim_up_to) override;
  Result<std::vector<EventCursor>> ListCursors() override;
  Result<int64_t> AddDeadLetter(const DeadLetter& letter) override;
  Result<std::vector<DeadLetter>> ListDeadLetters(const DeadLetterSelection& selection,
                                                  int64_t after_id, int limit) override;
  Result<int64_t> CountDeadLetters(const DeadLetterSelection& selection) override;
  Result<int64_t> MarkForReplay(const DeadLetterSelection& selection) override;
  Result<int64_t> DropDeadLetters(const DeadLetterSelection& selection) override;
  Status RecordReplayFailure(int64_t id, const std::string& error, int64_t at_ms) override;

  Result<bool> HoldWorkerId(int64_t worker_id) override;
  StoreStats Stats() const override;
  void Close() override;

  // Times the session connection (pg_session.h) was made again.
  uint64_t session_reconnections() const { return session_ ? session_->reconnections() : 0; }
  // The replicas, polled now (tests); null without replicas.
  PgReplicas* replicas() { return replicas_.get(); }

  // Runs `fn` as one transaction; an error from it rolls the transaction
  // back. Events it appended get their ids and are written just before the
  // commit; `event_ids`, when given, receives them in order.
  template <typename T>
  Result<T> Write(const std::function<Result<T>(PgTx&)>& fn,
                  std::vector<int64_t>* event_ids = nullptr);
  Status WriteStatus(const std::function<Status(PgTx&)>& fn);
  // Runs `fn` with a connection of the pool, outside any explicit
  // transaction (each statement sees what was committed when it began).
  template <typename T>
  Result<T> Read(const std::function<Result<T>(PgConn&)>& fn);
  // Read, from a replica where the rule above allows it: a list a request
  // shows as it is, and nothing a cache keeps.
  template <typename T>
  Result<T> ReadMayLag(const std::function<Result<T>(PgConn&)>& fn);

 private:
  explicit PgStore(const PgStoreOptions& options)
      : options_(options),
        pool_(PgPoolOptions{.conn = {options.conninfo, options.prepare},
                            .size = options.connections,
                            .acquire_timeout_ms = options.acquire_timeout_ms}) {}
  // The replica's pool that may serve a read of the current thread's
  // reader now; null for the primary.
  PgPool* ReplicaForReader();
  // Records where a committed write of the current reader's account ended.
  void RecordWritePosition(PgConn& conn);
  // BEGIN, fn, the events, COMMIT; retried on deadlocks and serialization
  // failures.
  Status RunTransaction(const std::function<Status(PgTx&)>& fn, std::vector<int64_t>* event_ids);
  // Writes the transaction's events with ids from outbox_head, and
  // notifies the processes that listen (pg_session.h).
  Status FlushEvents(PgTx& tx, std::vector<int64_t>* event_ids);
  // Deletes the outbox's events up to `up_to_id` that no process may still
  // need (pg_events.cc).
  Status TrimOutbox(PgTx& tx, int64_t up_to_id);
  // Calls the commit listener, if any.
  void NotifyCommitListener();
  // The advisory lock keys of a durable consumer and of a worker id.
  static int64_t LaneLockKey(const std::string& consumer);
  static int64_t WorkerLockKey(int64_t worker_id);
  // A lane group's key: 31 bits of the group's name above (pg_locks'
  // classid), the worker id below (objid).
  static int64_t GroupLockKey(const std::string& group, int64_t worker_id);

  PgStoreOptions options_;
  PgPool pool_;
  std::unique_ptr<PgSession> session_;
  std::unique_ptr<PgReplicas> replicas_;
  std::atomic<int64_t> worker_id_{-1};  // held by HoldWorkerId; -1 before

  std::mutex listener_mu_;
  std::shared_ptr<const std::function<void()>> commit_listener_;  // guarded by listener_mu_

  std::atomic<uint64_t> write_transactions_{0};
  std::atomic<uint64_t> write_failures_{0};
  std::atomic<uint64_t> reads_{0};
  std::atomic<uint64_t> retries_{0};
  std::atomic<uint64_t> replica_reads_{0};
  std::atomic<uint64_t> replica_passed_over_{0};
  std::atomic<uint64_t> position_failures_{0};
};

template <typename T>
Result<T> PgStore::Read(const std::function<Result<T>(PgConn&)>& fn) {
  if (!MayWait()) return Error::WouldBlock();
  reads_.fetch_add(1, std::memory_order_relaxed);
  return pool_.Run(fn);
}

template <typename T>
Result<T> PgStore::ReadMayLag(const std::function<Result<T>(PgConn&)>& fn) {
  if (!MayWait()) return Error::WouldBlock();
  if (PgPool* replica = ReplicaForReader()) {
    Result<T> r = replica->Run(fn);
    // A replica that cannot serve leaves the read to the primary.
    if (r || r.error().code != ErrorCode::kUnavailable) {
      reads_.fetch_add(1, std::memory_order_relaxed);
      replica_reads_.fetch_add(1, std::memory_order_relaxed);
      return r;
    }
  }
  return Read(fn);
}

template <typename T>
Result<T> PgStore::Write(const std::function<Result<T>(PgTx&)>& fn,
                         std::vector<int64_t>* event_ids) {
  std::optional<T> value;
  Status s = RunTransaction(
      [&](PgTx& tx) -> Status {
        Result<T> r = fn(tx);
        if (!r) return std::move(r).error();
        value = std::move(r).value();
        return {};
      },
      event_ids);
  if (!s) return std::move(s).error();
  return std::move(*value);
}

}  // namespace chirp
