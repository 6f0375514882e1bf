// The embedded store: one SQLite file in WAL mode.
//
// Writes: one writer thread owns the only read-write connection. Callers
// enqueue a write and wait; the writer takes every queued write (up to
// kMaxBatch) into one transaction, each inside its own savepoint so that a
// failing write rolls back alone, commits once, and then answers them all
// (group commit: one fsync for many requests).
//
// Reads: a fixed pool of read-only connections; WAL lets them read while the
// writer writes.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/no_wait.h"
#include "store/store.h"

namespace chirp {

class SqliteDb;

struct SqliteStoreOptions {
  std::string path;                  // database file
  std::string synchronous = "FULL";  // "FULL" (durable on power loss) or "NORMAL"
  int readers = 4;
  // The writer's page cache. Bulk imports want one that holds the indexes
  // they insert into all over, so that each page is written once a
  // transaction.
  int writer_cache_mib = 64;
  // Each reader's page cache. Readers are many (one per thread that may
  // read) and a cache is private to its connection, so a large one is paid
  // for many times over and mostly holds copies of the same pages; the
  // operating system's page cache, shared by all, holds the rest.
  int reader_cache_mib = 4;
  // The write-ahead log is checkpointed after each commit once it holds
  // `checkpoint_pages` pages (4 MiB of 4 KiB pages), and started again with
  // writes held once it holds `restart_pages` (64 MiB), which bounds its
  // file.
  int checkpoint_pages = 1000;
  int restart_pages = 16000;
};

class SqliteStore final : public Store {
 public:
  static constexpr size_t kMaxBatch = 512;

  // Opens the database, applies migrations and starts the writer.
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteStoreOptions& options);
  ~SqliteStore() override;

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

  // Statuses and the social graph (sqlite_social.cc).
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

  // Timelines (sqlite_timeline.cc).
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

  // Notifications and markers (sqlite_notifications.cc).
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

  Result<std::vector<int64_t>> ImportAccounts(const std::vector<Account>& accounts) override;
  Result<int64_t> ImportFollows(const std::vector<std::pair<int64_t, int64_t>>& follows,
                                int64_t first_follow_id) override;
  Status RecountFollows() override;
  Result<int64_t> ImportStatuses(const std::vector<StatusRecord>& statuses) override;
  Status RecountStatuses() override;

  // The outbox, its cursors and dead letters (sqlite_events.cc).
  Result<std::vector<OutboxEvent>> ReadOutbox(int64_t after_id, int limit) override;
  Status AckOutbox(int64_t up_to_id) override;
  Result<int64_t> NewestOutboxId() override;
  Result<int64_t> CountOutbox() override;
  void SetCommitListener(std::function<void()> listener) override;
  // One process runs the lanes of an embedded store.
  Result<bool> HoldLane(const std::string&) override { return true; }
  void ReleaseLane(const std::string&) override {}
  Result<int> JoinLaneGroup(const std::string&) override { return 1; }
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

  Result<bool> HoldWorkerId(int64_t) override { return true; }
  StoreStats Stats() const override;
  void Close() override;

  // A write runs on the writer thread inside a savepoint of the current
  // group transaction; returning an error rolls back just this write.
  using WriteFn = std::function<Status(SqliteDb&)>;
  Status Write(WriteFn fn);
  // A write that produces a value.
  template <typename T>
  Result<T> WriteValue(const std::function<Result<T>(SqliteDb&)>& fn);
  // Runs `fn` with a read connection from the pool.
  template <typename T>
  T Read(const std::function<T(SqliteDb&)>& fn);

 private:
  struct WriteJob {
    WriteFn fn;
    std::promise<Status> done;
  };

  SqliteStore() = default;
  void WriterLoop();
  // Checkpoints the write-ahead log whenever the writer's commits have
  // grown it past checkpoint_pages_, on a connection of its own, so that no
  // commit waits for the copying; restarts the log once it is long (see
  // restart_pages_), which keeps its file bounded.
  void CheckpointLoop();
  // Keep the writer idle between two of its transactions, and let it go on.
  void PauseWrites();
  void ResumeWrites();
  SqliteDb& AcquireReader();
  void ReleaseReader(SqliteDb& db);

  std::unique_ptr<SqliteDb> writer_db_;
  std::thread writer_;
  mutable std::mutex write_mu_;
  std::condition_variable write_cv_;
  std::deque<WriteJob> write_queue_;  // guarded by write_mu_
  bool closing_ = false;              // guarded by write_mu_
  bool writing_ = false;              // a batch is under way; guarded by write_mu_
  bool writes_paused_ = false;        // guarded by write_mu_
  std::condition_variable writer_idle_cv_;

  // The log is checkpointed once it passes checkpoint_pages_, and restarted
  // once it holds restart_pages_ (SqliteStoreOptions). A passive checkpoint
  // alone never lets the log start again while reads go on without a pause
  // (each reader of an older frame keeps it): under steady posting the
  // log's file grew by every page committed, about 20 MB a second, every
  // read looking past more frames. (Under lighter writes the writer often
  // finds the log wholly copied and no reader on it, and starts it again by
  // itself: the mix of reads and posts kept it near 10 MB.) So once the log is
  // long, after the passive checkpoints copy the bulk, the writer is held
  // between two transactions for a restarting checkpoint, which copies the
  // few frames committed meanwhile and waits up to kRestartWaitMs for the
  // readers of older frames (new readers read the database alone). With the
  // log checkpointed after every commit past checkpoint_pages_ the hold took
  // about 3 ms under full write load
  // (chirp_store_log_restart_pause_microseconds_total); checkpointed only
  // every 4,000 pages of growth, about 60 ms (its copy and two flushes to
  // disk). A restart threshold of 64,000 pages held writes 136 ms and
  // posting ran at 0.76 of the rate, reads looking past a longer log.
  int checkpoint_pages_ = 0;
  int restart_pages_ = 0;
  static constexpr int kRestartWaitMs = 5;
  std::unique_ptr<SqliteDb> checkpoint_db_;
  std::thread checkpointer_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_due_ = false;   // the log passed checkpoint_pages_; guarded by checkpoint_mu_
  bool checkpoint_stop_ = false;  // guarded by checkpoint_mu_

  std::mutex read_mu_;
  std::condition_variable read_cv_;
  std::vector<std::unique_ptr<SqliteDb>> readers_;
  std::vector<SqliteDb*> idle_readers_;  // guarded by read_mu_

  // Copied by the writer (under write_mu_) for each commit, so that it may
  // be replaced while writes go on.
  std::shared_ptr<const std::function<void()>> commit_listener_;  // guarded by write_mu_
  std::atomic<uint64_t> write_transactions_{0};
  std::atomic<uint64_t> write_operations_{0};
  std::atomic<uint64_t> write_failures_{0};
  std::atomic<uint64_t> reads_{0};
  std::atomic<uint64_t> max_batch_{0};
  std::atomic<uint64_t> log_pages_{0};
  std::atomic<uint64_t> restarts_{0};
  std::atomic<uint64_t> restart_pause_us_{0};
};

template <typename T>
T SqliteStore::Read(const std::function<T(SqliteDb&)>& fn) {
  if (!MayWait()) return Error::WouldBlock();
  SqliteDb& db = AcquireReader();
  struct Release {
    SqliteStore* store;
    SqliteDb& db;
    ~Release() { store->ReleaseReader(db); }
  } release{this, db};
  reads_.fetch_add(1, std::memory_order_relaxed);
  return fn(db);
}

template <typename T>
Result<T> SqliteStore::WriteValue(const std::function<Result<T>(SqliteDb&)>& fn) {
  std::optional<T> value;
  Status s = Write([&](SqliteDb& db) -> Status {
    Result<T> r = fn(db);
    if (!r) return std::move(r).error();
    value = std::move(r).value();
    return {};
  });
  if (!s) return std::move(s).error();
  return std::move(*value);
}

}  // namespace chirp
