#include "store/sqlite/sqlite_db.h"

#include <sqlite3.h>

#include <cstdio>

namespace chirp {
namespace {
// How long a connection waits for a lock another connection holds.
constexpr int kBusyTimeoutMs = 5000;
}  // namespace

SqliteStatement::~SqliteStatement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

SqliteStatement& SqliteStatement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, std::string_view value) {
  sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}

SqliteStatement& SqliteStatement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

double SqliteStatement::Real(int column) const { return sqlite3_column_double(stmt_, column); }

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

bool SqliteStatement::Step() {
  last_result_ = sqlite3_step(stmt_);
  return last_result_ == SQLITE_ROW;
}

bool SqliteStatement::failed() const {
  return last_result_ != SQLITE_ROW && last_result_ != SQLITE_DONE;
}

int64_t SqliteStatement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string SqliteStatement::Text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, column));
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, bool read_only,
                                                 const std::string& synchronous, int cache_mib) {
  sqlite3* raw = nullptr;
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &raw, flags, nullptr) != SQLITE_OK) {
    std::string message = raw != nullptr ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close(raw);
    return Error::Unavailable("cannot open database " + path + ": " + message);
  }
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw));
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  sqlite3_extended_result_codes(raw, 1);
  // No memory-mapped reads (mmap_size stays 0): a connection in WAL mode
  // drops its whole mapping at the first read after any other connection
  // wrote, and maps the file again; each unmapping interrupts every core of
  // the process (a TLB shootdown). Under steady posting that was about a
  // thousand a second, costing more than the copies mapping saves.
  const std::string pragmas = std::string(read_only ? "" : "PRAGMA journal_mode=WAL;") +
                              "PRAGMA synchronous=" + synchronous +
                              ";PRAGMA foreign_keys=ON;PRAGMA temp_store=MEMORY;"
                              "PRAGMA cache_size=-" +
                              std::to_string(cache_mib * 1024) + ";";
  if (Status s = db->Exec(pragmas.c_str()); !s) return std::move(s).error();
  return db;
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  for (auto& [sql, stmt] : text_statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status SqliteDb::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return Failure();
  return {};
}

SqliteStatement SqliteDb::Prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return SqliteStatement(it->second);
  sqlite3_stmt* stmt = nullptr;
  // Statements are written by the project, so a failure to prepare one is a
  // bug that tests catch; a null statement makes every step fail safely.
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite: cannot prepare statement: %s\n%s\n", sqlite3_errmsg(db_), sql);
  }
  statements_.emplace(sql, stmt);
  return SqliteStatement(stmt);
}

void SqliteDb::LimitWork(uint64_t instructions) {
  // SQLite calls the handler every kPeriod instructions.
  constexpr int kPeriod = 1000;
  work_limit_ = instructions;
  work_done_ = 0;
  work_limit_reached_ = false;
  if (instructions == 0) {
    sqlite3_progress_handler(db_, 0, nullptr, nullptr);
    return;
  }
  sqlite3_progress_handler(
      db_, kPeriod,
      [](void* self) -> int {
        auto* db = static_cast<SqliteDb*>(self);
        db->work_done_ += kPeriod;
        if (db->work_done_ < db->work_limit_) return 0;
        db->work_limit_reached_ = true;
        return 1;
      },
      this);
}

SqliteStatement SqliteDb::PrepareText(const std::string& sql) {
  if (auto it = text_statements_.find(sql); it != text_statements_.end()) {
    return SqliteStatement(it->second);
  }
  if (text_statements_.size() >= kMaxTextStatements) {
    for (auto& [text, stmt] : text_statements_) sqlite3_finalize(stmt);
    text_statements_.clear();
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite: cannot prepare statement: %s\n%s\n", sqlite3_errmsg(db_),
                 sql.c_str());
  }
  text_statements_.emplace(sql, stmt);
  return SqliteStatement(stmt);
}

Error SqliteDb::Failure() const {
  const int code = sqlite3_extended_errcode(db_);
  const std::string words = std::string("sqlite: ") + sqlite3_errmsg(db_);
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
      return Error::Unavailable(words);
    case SQLITE_CONSTRAINT:
      // A conflict the caller did not expect (those it does expect, such as
      // a username taken, it maps itself): reported, in words of its own.
      std::fprintf(stderr, "chirpd: store: %s\n", words.c_str());
      return Error::Unprocessable("Validation failed: the record conflicts with another");
    default:
      return Error::Internal(words);
  }
}

Status SqliteDb::Run(SqliteStatement& statement) {
  statement.Step();
  if (statement.failed()) return Failure();
  return {};
}

int64_t SqliteDb::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

int64_t SqliteDb::Changes() const { return sqlite3_changes64(db_); }

void SqliteDb::SetWalHook(std::function<void(int pages)> hook) {
  wal_hook_ = std::move(hook);
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int pages) {
        static_cast<SqliteDb*>(self)->wal_hook_(pages);
        return SQLITE_OK;
      },
      this);
}

Status SqliteDb::CheckpointPassive() {
  const int rc =
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  // Busy: another checkpoint is under way; the next one catches up.
  if (rc == SQLITE_OK || rc == SQLITE_BUSY) return {};
  return Failure();
}

Result<bool> SqliteDb::CheckpointRestart(int wait_ms) {
  sqlite3_busy_timeout(db_, wait_ms);
  const int rc =
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  if (rc == SQLITE_OK) return true;
  if (rc == SQLITE_BUSY) return false;  // a reader took longer: the next time restarts it
  return Failure();
}

std::string SqliteDb::LastError() const { return sqlite3_errmsg(db_); }
int SqliteDb::LastExtendedCode() const { return sqlite3_extended_errcode(db_); }

}  // namespace chirp
