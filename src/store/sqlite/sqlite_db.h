// A thin RAII layer over one SQLite connection: open with the pragmas Chirp
// relies on, cached prepared statements, typed binding and reading.
// A SqliteDb is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace chirp {

class SqliteStatement {
 public:
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~SqliteStatement();  // resets and clears bindings; the statement stays cached
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Bind by 1-based position.
  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& Bind(int index, std::string_view value);
  SqliteStatement& Bind(int index, bool value) { return Bind(index, int64_t{value}); }
  SqliteStatement& Bind(int index, int value) { return Bind(index, int64_t{value}); }
  SqliteStatement& Bind(int index, double value);
  SqliteStatement& BindNull(int index);

  // Advances to the next row: true when a row is available, false when done.
  // `error` is set when the step failed (constraint, busy, I/O).
  bool Step();
  int last_result() const { return last_result_; }
  bool failed() const;

  int64_t Int(int column) const;
  bool Bool(int column) const { return Int(column) != 0; }
  double Real(int column) const;
  bool IsNull(int column) const;
  std::string Text(int column) const;

 private:
  sqlite3_stmt* stmt_;
  int last_result_ = 0;
};

class SqliteDb {
 public:
  // Opens (creating when missing) the database at `path` in WAL mode.
  // `synchronous` is "FULL" or "NORMAL"; `cache_mib` sizes its page cache.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, bool read_only,
                                                const std::string& synchronous, int cache_mib = 64);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements without results.
  Status Exec(const char* sql);
  // A cached prepared statement for `sql`. `sql` must be a string literal (the
  // cache is keyed by its address).
  SqliteStatement Prepare(const char* sql);
  // A prepared statement for `sql` built at run time (its shape depends on
  // a request, as a search's on its operators), cached by its text: the
  // same shapes come again. `sql` is the caller's text, never a user's:
  // values are bound. At most kMaxTextStatements are kept; past that the
  // cache starts again, so the statement returned must be done with
  // (destroyed) before the next call on this connection.
  static constexpr size_t kMaxTextStatements = 64;
  SqliteStatement PrepareText(const std::string& sql);

  // The error to report when a statement on this connection failed, by
  // SQLite's result code: busy, locked or a full disk is kUnavailable (a
  // client may try again), a constraint kUnprocessable, anything else kInternal. The
  // message names SQLite's own words only where no client sees them (the
  // 5xx answers hide their message, see api/endpoint.h).
  Error Failure() const;
  // Steps `statement` once, for statements without results; the failure
  // as an error.
  Status Run(SqliteStatement& statement);

  // Stops the statements of this connection once they have run about
  // `instructions` of SQLite's virtual machine instructions in all (0: no
  // limit, the default): the step that passes the limit fails with
  // SQLITE_INTERRUPT and WorkLimitReached() is true until the next call.
  // For queries whose cost depends on what users ask (search): what was
  // read before the limit stands.
  void LimitWork(uint64_t instructions);
  bool WorkLimitReached() const { return work_limit_reached_; }

  int64_t Changes() const;
  // The rowid of the last row inserted on this connection.
  int64_t LastInsertRowId() const;
  // Counts events appended to the outbox on this connection
  // (store/sqlite/outbox_rows.h), so the writer can tell the event stream
  // only of commits that carry events.
  void CountEventAppended() { ++events_appended_; }
  uint64_t events_appended() const { return events_appended_; }
  std::string LastError() const;
  int LastExtendedCode() const;

  // Hands checkpoints to the caller: SQLite's own, run by the committing
  // connection once the write-ahead log passes 1,000 pages, stop, and after
  // each commit `hook` is called with the pages the log holds. `hook` runs on
  // the committing thread and must not use this connection.
  void SetWalHook(std::function<void(int pages)> hook);
  // Copies into the database what the write-ahead log holds that no reader
  // still needs, without waiting for readers or blocking writers (a
  // passive checkpoint).
  Status CheckpointPassive();
  // Copies the rest of the log into the database, then waits up to
  // `wait_ms` for readers of the log's older frames to finish, so that the
  // next commit writes the log from its start again: true when it did. Takes
  // the write lock meanwhile: the caller keeps its own writer idle (a
  // restarting checkpoint).
  Result<bool> CheckpointRestart(int wait_ms);

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::function<void(int)> wal_hook_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
  std::unordered_map<std::string, sqlite3_stmt*> text_statements_;
  uint64_t events_appended_ = 0;
  uint64_t work_limit_ = 0;
  uint64_t work_done_ = 0;
  bool work_limit_reached_ = false;
};

}  // namespace chirp
