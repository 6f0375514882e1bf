#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>

#include "core/text.h"
#include "core/thread_entry.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/outbox_rows.h"
#include "store/sqlite/sqlite_db.h"

namespace chirp {
namespace {

constexpr const char* kAccountColumns =
    "id, username, display_name, note, locked, bot, discoverable, indexable, default_privacy, "
    "default_sensitive, default_language, created_at, statuses_count, followers_count, "
    "following_count, last_status_at, avatar, header";

Account ReadAccount(const SqliteStatement& s) {
  Account a;
  a.id = s.Int(0);
  a.username = s.Text(1);
  a.display_name = s.Text(2);
  a.note = s.Text(3);
  a.locked = s.Bool(4);
  a.bot = s.Bool(5);
  a.discoverable = s.Bool(6);
  a.indexable = s.Bool(7);
  a.default_privacy = s.Text(8);
  a.default_sensitive = s.Bool(9);
  a.default_language = s.Text(10);
  a.created_at_ms = s.Int(11);
  a.statuses_count = s.Int(12);
  a.followers_count = s.Int(13);
  a.following_count = s.Int(14);
  a.last_status_at_ms = s.Int(15);
  a.avatar = s.Text(16);
  a.header = s.Text(17);
  return a;
}

void LoadFields(SqliteDb& db, Account& account) {
  SqliteStatement s =
      db.Prepare("SELECT name, value FROM account_fields WHERE account_id = ? ORDER BY position");
  s.Bind(1, account.id);
  while (s.Step()) account.fields.push_back({s.Text(0), s.Text(1)});
}

Result<Account> AccountFrom(SqliteDb& db, SqliteStatement& s) {
  if (!s.Step()) {
    if (s.failed()) return db.Failure();
    return Error::NotFound();
  }
  Account account = ReadAccount(s);
  LoadFields(db, account);
  return account;
}

const std::string kSelectAccountById =
    std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id = ?";
const std::string kSelectAccountByUsername =
    std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE username_lower = ?";
User ReadUser(const SqliteStatement& s) {
  User u;
  u.account_id = s.Int(0);
  u.email = s.Text(1);
  u.password_hash = s.Text(2);
  u.locale = s.Text(3);
  u.date_of_birth = s.Text(4);
  u.registration_reason = s.Text(5);
  u.created_at_ms = s.Int(6);
  u.last_login_ms = s.Int(7);
  return u;
}

constexpr const char* kSelectUserByEmail =
    "SELECT account_id, email, password_hash, locale, date_of_birth, reason, created_at, "
    "last_login_at FROM users WHERE email = ?";
constexpr const char* kSelectUserById =
    "SELECT account_id, email, password_hash, locale, date_of_birth, reason, created_at, "
    "last_login_at FROM users WHERE account_id = ?";

App ReadApp(const SqliteStatement& s) {
  App a;
  a.id = s.Int(0);
  a.name = s.Text(1);
  a.website = s.Text(2);
  a.redirect_uris = RedirectUrisFromText(s.Text(3));
  a.scopes = s.Text(4);
  a.client_id = s.Text(5);
  a.client_secret_digest = s.Text(6);
  a.created_at_ms = s.Int(7);
  return a;
}

// Inserts account, fields and user; maps uniqueness violations to the
// registration details Mastodon reports.
Status InsertAccount(SqliteDb& db, const Account& a, const User& u) {
  {
    SqliteStatement s = db.Prepare(
        "INSERT INTO accounts (id, username, username_lower, display_name, note, locked, bot, "
        "discoverable, indexable, default_privacy, default_sensitive, default_language, "
        "created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
    s.Bind(1, a.id).Bind(2, a.username).Bind(3, AsciiLower(a.username)).Bind(4, a.display_name);
    s.Bind(5, a.note).Bind(6, a.locked).Bind(7, a.bot).Bind(8, a.discoverable);
    s.Bind(9, a.indexable).Bind(10, a.default_privacy).Bind(11, a.default_sensitive);
    s.Bind(12, a.default_language).Bind(13, a.created_at_ms);
    s.Step();
    if (s.failed()) {
      if (db.LastExtendedCode() == SQLITE_CONSTRAINT_UNIQUE ||
          db.LastExtendedCode() == SQLITE_CONSTRAINT_PRIMARYKEY) {
        Error e = Error::Unprocessable("Validation failed: Username has already been taken");
        e.details["username"].push_back({"ERR_TAKEN", "has already been taken"});
        return e;
      }
      return db.Failure();
    }
  }
  for (size_t i = 0; i < a.fields.size(); ++i) {
    SqliteStatement s = db.Prepare(
        "INSERT INTO account_fields (account_id, position, name, value) VALUES (?,?,?,?)");
    s.Bind(1, a.id).Bind(2, static_cast<int64_t>(i)).Bind(3, a.fields[i].name);
    s.Bind(4, a.fields[i].value);
    if (Status st = db.Run(s); !st) return st;
  }
  if (Status st = AppendEvent(db, {.kind = EventKind::kAccountCreated,
                                   .account_id = a.id,
                                   .subject_id = a.id,
                                   .created_at_ms = a.created_at_ms});
      !st) {
    return st;
  }
  SqliteStatement s = db.Prepare(
      "INSERT INTO users (account_id, email, password_hash, locale, date_of_birth, reason, "
      "created_at) VALUES (?,?,?,?,?,?,?)");
  s.Bind(1, a.id).Bind(2, AsciiLower(u.email)).Bind(3, u.password_hash).Bind(4, u.locale);
  s.Bind(5, u.date_of_birth).Bind(6, u.registration_reason).Bind(7, u.created_at_ms);
  s.Step();
  if (s.failed()) {
    if (db.LastExtendedCode() == SQLITE_CONSTRAINT_UNIQUE) {
      Error e = Error::Unprocessable("Validation failed: Email has already been taken");
      e.details["email"].push_back({"ERR_TAKEN", "has already been taken"});
      return e;
    }
    return db.Failure();
  }
  return {};
}

Status InsertToken(SqliteDb& db, const AccessToken& t) {
  SqliteStatement s = db.Prepare(
      "INSERT INTO access_tokens (id, digest, app_id, account_id, scopes, created_at) "
      "VALUES (?,?,?,?,?,?)");
  s.Bind(1, t.id).Bind(2, t.digest).Bind(3, t.app_id).Bind(4, t.account_id).Bind(5, t.scopes);
  s.Bind(6, t.created_at_ms);
  return db.Run(s);
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteStoreOptions& options) {
  if (sqlite3_threadsafe() == 0) return Error::Unavailable("sqlite was built without threads");
  // SQLite's memory statistics take a process-wide mutex on every
  // allocation; nothing here reads them. Only possible before the library
  // initialises, so a second store in the process keeps the first's setting.
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return sqlite3_initialize() == SQLITE_OK;
  }();
  if (!configured) return Error::Unavailable("sqlite failed to initialise");
  std::unique_ptr<SqliteStore> store(new SqliteStore());
  auto writer = SqliteDb::Open(options.path, false, options.synchronous, options.writer_cache_mib);
  if (!writer) return std::move(writer).error();
  store->writer_db_ = std::move(writer).value();
  store->checkpoint_pages_ = std::max(1, options.checkpoint_pages);
  store->restart_pages_ = std::max(store->checkpoint_pages_, options.restart_pages);
  if (Status s = ApplyMigrations(*store->writer_db_); !s) return std::move(s).error();
  for (int i = 0; i < std::max(1, options.readers); ++i) {
    auto reader = SqliteDb::Open(options.path, true, options.synchronous, options.reader_cache_mib);
    if (!reader) return std::move(reader).error();
    store->idle_readers_.push_back(reader->get());
    store->readers_.push_back(std::move(reader).value());
  }
  auto checkpoint_db = SqliteDb::Open(options.path, false, options.synchronous, 1);
  if (!checkpoint_db) return std::move(checkpoint_db).error();
  store->checkpoint_db_ = std::move(checkpoint_db).value();
  store->writer_db_->SetWalHook([s = store.get()](int pages) {
    s->log_pages_.store(static_cast<uint64_t>(pages), std::memory_order_relaxed);
    // Past the threshold every commit asks (the checkpointer takes the
    // requests together): a log copied often is often wholly copied, when
    // the writer's next transaction starts it again by itself if no reader
    // is on its older frames.
    if (pages < s->checkpoint_pages_) return;
    {
      std::lock_guard lock(s->checkpoint_mu_);
      s->checkpoint_due_ = true;
    }
    s->checkpoint_cv_.notify_one();
  });
  store->checkpointer_ =
      std::thread([s = store.get()] { RunThread("sqlite-checkpt", [s] { s->CheckpointLoop(); }); });
  store->writer_ =
      std::thread([s = store.get()] { RunThread("sqlite-writer", [s] { s->WriterLoop(); }); });
  return store;
}

void SqliteStore::CheckpointLoop() {
  for (;;) {
    {
      std::unique_lock lock(checkpoint_mu_);
      checkpoint_cv_.wait(lock, [&] { return checkpoint_stop_ || checkpoint_due_; });
      if (checkpoint_stop_) return;
      checkpoint_due_ = false;
    }
    // The bulk copied while writes go on, so that a restart copies little.
    // A failed checkpoint leaves the log longer; the next commit asks again.
    if (!checkpoint_db_->CheckpointPassive()) continue;
    if (log_pages_.load(std::memory_order_relaxed) < static_cast<uint64_t>(restart_pages_)) {
      continue;
    }
    const auto paused_at = std::chrono::steady_clock::now();
    PauseWrites();
    auto restarted = checkpoint_db_->CheckpointRestart(kRestartWaitMs);
    ResumeWrites();
    restart_pause_us_.fetch_add(
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now() - paused_at)
                                  .count()),
        std::memory_order_relaxed);
    if (restarted && *restarted) restarts_.fetch_add(1, std::memory_order_relaxed);
  }
}

void SqliteStore::PauseWrites() {
  std::unique_lock lock(write_mu_);
  writes_paused_ = true;
  writer_idle_cv_.wait(lock, [&] { return !writing_; });
}

void SqliteStore::ResumeWrites() {
  {
    std::lock_guard lock(write_mu_);
    writes_paused_ = false;
  }
  write_cv_.notify_all();
}

SqliteStore::~SqliteStore() { Close(); }

void SqliteStore::Close() {
  {
    std::lock_guard lock(write_mu_);
    if (closing_) return;
    closing_ = true;
  }
  write_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard lock(checkpoint_mu_);
    checkpoint_stop_ = true;
  }
  checkpoint_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
  // A clean close checkpoints the WAL into the main file.
  if (writer_db_) (void)writer_db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

Status SqliteStore::Write(WriteFn fn) {
  if (!MayWait()) return Error::WouldBlock();
  std::future<Status> result;
  {
    std::lock_guard lock(write_mu_);
    if (closing_) return Error::Unavailable("The store is shutting down");
    write_queue_.push_back({std::move(fn), {}});
    result = write_queue_.back().done.get_future();
  }
  write_cv_.notify_one();
  return result.get();
}

void SqliteStore::WriterLoop() {
  std::vector<WriteJob> batch;
  std::shared_ptr<const std::function<void()>> listener;
  for (;;) {
    {
      std::unique_lock lock(write_mu_);
      if (writing_) {
        writing_ = false;
        writer_idle_cv_.notify_all();
      }
      write_cv_.wait(lock, [&] { return !writes_paused_ && (closing_ || !write_queue_.empty()); });
      if (write_queue_.empty()) return;  // closing and drained
      writing_ = true;
      listener = commit_listener_;
      const size_t n = std::min(write_queue_.size(), kMaxBatch);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(write_queue_.front()));
        write_queue_.pop_front();
      }
    }
    std::vector<Status> results(batch.size());
    SqliteDb& db = *writer_db_;
    const uint64_t events_before = db.events_appended();
    Status begun = db.Exec("BEGIN IMMEDIATE");
    if (begun) {
      for (size_t i = 0; i < batch.size(); ++i) {
        (void)db.Exec("SAVEPOINT job");
        results[i] = batch[i].fn(db);
        if (!results[i]) (void)db.Exec("ROLLBACK TO job");
        (void)db.Exec("RELEASE job");
      }
      if (Status committed = db.Exec("COMMIT"); !committed) {
        (void)db.Exec("ROLLBACK");
        std::fill(results.begin(), results.end(), committed);
        begun = committed;
      }
    } else {
      std::fill(results.begin(), results.end(), begun);
    }
    write_transactions_.fetch_add(1, std::memory_order_relaxed);
    // Only commits that carry events concern the event stream: the cursors
    // and trims its consumers write would otherwise wake them for nothing.
    const bool carried_events = begun && db.events_appended() != events_before;
    if (carried_events && listener != nullptr && *listener) (*listener)();
    write_operations_.fetch_add(batch.size(), std::memory_order_relaxed);
    uint64_t seen = max_batch_.load(std::memory_order_relaxed);
    while (batch.size() > seen && !max_batch_.compare_exchange_weak(seen, batch.size())) {
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!results[i]) write_failures_.fetch_add(1, std::memory_order_relaxed);
      batch[i].done.set_value(std::move(results[i]));
    }
    batch.clear();
  }
}

SqliteDb& SqliteStore::AcquireReader() {
  std::unique_lock lock(read_mu_);
  read_cv_.wait(lock, [&] { return !idle_readers_.empty(); });
  SqliteDb* db = idle_readers_.back();
  idle_readers_.pop_back();
  return *db;
}

void SqliteStore::ReleaseReader(SqliteDb& db) {
  {
    std::lock_guard lock(read_mu_);
    idle_readers_.push_back(&db);
  }
  read_cv_.notify_one();
}

Status SqliteStore::CreateAccount(const Account& account, const User& user) {
  return Write([&](SqliteDb& db) { return InsertAccount(db, account, user); });
}

Status SqliteStore::CreateAccountWithToken(const Account& account, const User& user,
                                           const AccessToken& token) {
  return Write([&](SqliteDb& db) -> Status {
    if (Status s = InsertAccount(db, account, user); !s) return s;
    return InsertToken(db, token);
  });
}

Result<Account> SqliteStore::FindAccount(int64_t id) {
  return Read<Result<Account>>([&](SqliteDb& db) {
    SqliteStatement s = db.Prepare(kSelectAccountById.c_str());
    s.Bind(1, id);
    return AccountFrom(db, s);
  });
}

Result<AccountAsOf> SqliteStore::FindAccountAsOf(int64_t id) {
  return Read<Result<AccountAsOf>>([&](SqliteDb& db) -> Result<AccountAsOf> {
    // One read transaction, so that the position and the account are of
    // the same snapshot. The outbox's last assigned id stays in
    // sqlite_sequence after its events are trimmed.
    if (Status s = db.Exec("BEGIN"); !s) return std::move(s).error();
    auto read = [&]() -> Result<AccountAsOf> {
      AccountAsOf out;
      {
        SqliteStatement seq = db.Prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'");
        if (seq.Step()) {
          out.as_of_event = seq.Int(0);
        } else if (seq.failed()) {
          return db.Failure();
        }
      }
      SqliteStatement s = db.Prepare(kSelectAccountById.c_str());
      s.Bind(1, id);
      auto account = AccountFrom(db, s);
      if (!account) return std::move(account).error();
      out.account = std::move(account).value();
      return out;
    }();
    (void)db.Exec("COMMIT");
    return read;
  });
}

Result<Account> SqliteStore::FindAccountByUsername(std::string_view username) {
  return Read<Result<Account>>([&](SqliteDb& db) {
    SqliteStatement s = db.Prepare(kSelectAccountByUsername.c_str());
    s.Bind(1, AsciiLower(username));
    return AccountFrom(db, s);
  });
}

Result<User> SqliteStore::FindUserByEmail(std::string_view email) {
  return Read<Result<User>>([&](SqliteDb& db) -> Result<User> {
    SqliteStatement s = db.Prepare(kSelectUserByEmail);
    s.Bind(1, AsciiLower(email));
    if (s.Step()) return ReadUser(s);
    return s.failed() ? db.Failure() : Error::NotFound();
  });
}

Result<User> SqliteStore::FindUser(int64_t account_id) {
  return Read<Result<User>>([&](SqliteDb& db) -> Result<User> {
    SqliteStatement s = db.Prepare(kSelectUserById);
    s.Bind(1, account_id);
    if (s.Step()) return ReadUser(s);
    return s.failed() ? db.Failure() : Error::NotFound();
  });
}

Result<std::vector<Account>> SqliteStore::ScanAccounts(int64_t after_id, int limit) {
  return Read<Result<std::vector<Account>>>([&](SqliteDb& db) -> Result<std::vector<Account>> {
    static const std::string sql = std::string("SELECT ") + kAccountColumns +
                                   " FROM accounts WHERE id > ? ORDER BY id LIMIT ?";
    SqliteStatement s = db.Prepare(sql.c_str());
    s.Bind(1, after_id).Bind(2, limit);
    std::vector<Account> out;
    while (s.Step()) out.push_back(ReadAccount(s));
    if (s.failed()) return db.Failure();
    return out;
  });
}

Status SqliteStore::UpdateProfile(const Account& a) {
  return Write([&](SqliteDb& db) -> Status {
    SqliteStatement s = db.Prepare(
        "UPDATE accounts SET display_name = ?, note = ?, locked = ?, bot = ?, discoverable = ?, "
        "indexable = ?, default_privacy = ?, default_sensitive = ?, default_language = ?, "
        "avatar = ?, header = ? WHERE id = ?");
    s.Bind(1, a.display_name).Bind(2, a.note).Bind(3, a.locked).Bind(4, a.bot);
    s.Bind(5, a.discoverable).Bind(6, a.indexable).Bind(7, a.default_privacy);
    s.Bind(8, a.default_sensitive).Bind(9, a.default_language).Bind(10, a.avatar);
    s.Bind(11, a.header).Bind(12, a.id);
    if (Status st = db.Run(s); !st) return st;
    if (db.Changes() == 0) return Error::NotFound();
    SqliteStatement del = db.Prepare("DELETE FROM account_fields WHERE account_id = ?");
    del.Bind(1, a.id);
    if (Status st = db.Run(del); !st) return st;
    for (size_t i = 0; i < a.fields.size(); ++i) {
      SqliteStatement ins = db.Prepare(
          "INSERT INTO account_fields (account_id, position, name, value) VALUES (?,?,?,?)");
      ins.Bind(1, a.id).Bind(2, static_cast<int64_t>(i)).Bind(3, a.fields[i].name);
      ins.Bind(4, a.fields[i].value);
      if (Status st = db.Run(ins); !st) return st;
    }
    return AppendEvent(
        db, {.kind = EventKind::kAccountUpdated, .account_id = a.id, .subject_id = a.id});
  });
}

Status SqliteStore::RecordLogin(int64_t account_id, int64_t at_ms) {
  return Write([&](SqliteDb& db) {
    SqliteStatement s = db.Prepare("UPDATE users SET last_login_at = ? WHERE account_id = ?");
    s.Bind(1, at_ms).Bind(2, account_id);
    return db.Run(s);
  });
}

Result<int64_t> SqliteStore::CountAccounts() {
  return Read<Result<int64_t>>([&](SqliteDb& db) -> Result<int64_t> {
    SqliteStatement s = db.Prepare("SELECT count(*) FROM accounts");
    if (s.Step()) return s.Int(0);
    return db.Failure();
  });
}

Status SqliteStore::CreateApp(const App& a) {
  return Write([&](SqliteDb& db) {
    SqliteStatement s = db.Prepare(
        "INSERT INTO apps (id, name, website, redirect_uris, scopes, client_id, "
        "client_secret_digest, created_at) VALUES (?,?,?,?,?,?,?,?)");
    s.Bind(1, a.id).Bind(2, a.name).Bind(3, a.website).Bind(4, RedirectUrisToText(a.redirect_uris));
    s.Bind(5, a.scopes).Bind(6, a.client_id).Bind(7, a.client_secret_digest);
    s.Bind(8, a.created_at_ms);
    return db.Run(s);
  });
}

namespace {
constexpr const char* kAppColumns =
    "SELECT id, name, website, redirect_uris, scopes, client_id, client_secret_digest, created_at "
    "FROM apps ";
const std::string kSelectAppByClientId = std::string(kAppColumns) + "WHERE client_id = ?";
const std::string kSelectAppById = std::string(kAppColumns) + "WHERE id = ?";

Result<App> AppFrom(SqliteDb& db, SqliteStatement& s) {
  if (s.Step()) return ReadApp(s);
  return s.failed() ? db.Failure() : Error::NotFound();
}
}  // namespace

Result<App> SqliteStore::FindAppByClientId(std::string_view client_id) {
  return Read<Result<App>>([&](SqliteDb& db) {
    SqliteStatement s = db.Prepare(kSelectAppByClientId.c_str());
    s.Bind(1, client_id);
    return AppFrom(db, s);
  });
}

Result<App> SqliteStore::FindApp(int64_t id) {
  return Read<Result<App>>([&](SqliteDb& db) {
    SqliteStatement s = db.Prepare(kSelectAppById.c_str());
    s.Bind(1, id);
    return AppFrom(db, s);
  });
}

Status SqliteStore::CreateToken(const AccessToken& token) {
  return Write([&](SqliteDb& db) { return InsertToken(db, token); });
}

Result<AccessToken> SqliteStore::FindTokenByDigest(std::string_view digest) {
  return Read<Result<AccessToken>>([&](SqliteDb& db) -> Result<AccessToken> {
    SqliteStatement s = db.Prepare(
        "SELECT id, digest, app_id, account_id, scopes, created_at, revoked_at "
        "FROM access_tokens WHERE digest = ?");
    s.Bind(1, digest);
    if (!s.Step()) {
      return s.failed() ? db.Failure() : Error::NotFound();
    }
    AccessToken t;
    t.id = s.Int(0);
    t.digest = s.Text(1);
    t.app_id = s.Int(2);
    t.account_id = s.Int(3);
    t.scopes = s.Text(4);
    t.created_at_ms = s.Int(5);
    t.revoked_at_ms = s.Int(6);
    return t;
  });
}

Status SqliteStore::RevokeToken(std::string_view digest, int64_t app_id, int64_t at_ms) {
  return Write([&](SqliteDb& db) {
    SqliteStatement s = db.Prepare(
        "UPDATE access_tokens SET revoked_at = ? WHERE digest = ? AND app_id = ? AND "
        "revoked_at = 0 RETURNING id, account_id");
    s.Bind(1, at_ms).Bind(2, digest).Bind(3, app_id);
    // Every change happens at the first step; the statement is done with
    // before the event is written.
    if (!s.Step()) return s.failed() ? db.Failure() : Status();
    return AppendEvent(db, {.kind = EventKind::kTokenRevoked,
                            .account_id = s.Int(1),
                            .subject_id = s.Int(0),
                            .created_at_ms = at_ms});
  });
}

Status SqliteStore::CreateAuthorizationCode(const AuthorizationCode& c) {
  return Write([&](SqliteDb& db) {
    SqliteStatement s = db.Prepare(
        "INSERT INTO authorization_codes (digest, app_id, account_id, redirect_uri, scopes, "
        "code_challenge, created_at, expires_at) VALUES (?,?,?,?,?,?,?,?)");
    s.Bind(1, c.digest).Bind(2, c.app_id).Bind(3, c.account_id).Bind(4, c.redirect_uri);
    s.Bind(5, c.scopes).Bind(6, c.code_challenge).Bind(7, c.created_at_ms);
    s.Bind(8, c.expires_at_ms);
    return db.Run(s);
  });
}

Result<AuthorizationCode> SqliteStore::ConsumeAuthorizationCode(std::string_view digest) {
  AuthorizationCode code;
  Status s = Write([&](SqliteDb& db) -> Status {
    SqliteStatement q = db.Prepare(
        "DELETE FROM authorization_codes WHERE digest = ? RETURNING digest, app_id, account_id, "
        "redirect_uri, scopes, code_challenge, created_at, expires_at");
    q.Bind(1, digest);
    if (!q.Step()) {
      return q.failed() ? db.Failure() : Error::NotFound();
    }
    code.digest = q.Text(0);
    code.app_id = q.Int(1);
    code.account_id = q.Int(2);
    code.redirect_uri = q.Text(3);
    code.scopes = q.Text(4);
    code.code_challenge = q.Text(5);
    code.created_at_ms = q.Int(6);
    code.expires_at_ms = q.Int(7);
    while (q.Step()) {
    }
    return {};
  });
  if (!s) return std::move(s).error();
  return code;
}

StoreStats SqliteStore::Stats() const {
  StoreStats stats;
  stats.write_transactions = write_transactions_.load();
  stats.write_operations = write_operations_.load();
  stats.write_failures = write_failures_.load();
  stats.reads = reads_.load();
  stats.max_batch = max_batch_.load();
  stats.log_pages = log_pages_.load();
  stats.log_restarts = restarts_.load();
  stats.log_restart_pause_us = restart_pause_us_.load();
  stats.memory_bytes = static_cast<uint64_t>(sqlite3_memory_used());
  {
    std::lock_guard lock(write_mu_);
    stats.write_queue_depth = write_queue_.size();
  }
  return stats;
}

}  // namespace chirp
