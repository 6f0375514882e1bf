// A thin RAII layer over one libpq connection: statements with positional
// parameters ($1, $2, ...) sent in text form, results read by row and
// column, failures as values. A PgConn is used by one thread at a time.
//
// Statements are prepared once per connection and then executed by name,
// unless the connection was opened with prepared statements off (a pooler
// in transaction mode, such as pgbouncer 1.18, hands each transaction a
// different server connection, which would not know the name).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"

struct pg_conn;
struct pg_result;

namespace chirp {

// The parameters of one statement, in order ($1 first). Values are sent as
// text, as PostgreSQL's input functions read them; a list of ids goes as an
// array literal, read with `= ANY($n::bigint[])`.
class PgParams {
 public:
  PgParams& Add(int64_t value);
  PgParams& Add(int value) { return Add(int64_t{value}); }
  PgParams& Add(bool value);
  PgParams& Add(double value);
  PgParams& Add(std::string_view text);
  PgParams& Add(const std::string& text) { return Add(std::string_view(text)); }
  PgParams& Add(const char* text) { return Add(std::string_view(text)); }
  PgParams& AddNull();
  PgParams& AddIds(const std::vector<int64_t>& ids);          // '{1,2,3}'
  PgParams& AddTexts(const std::vector<std::string>& texts);  // '{"a","b"}', quoted

  size_t size() const { return values_.size(); }
  // Pointers into the values, for libpq; valid while the params live
  // unchanged.
  std::vector<const char*> Pointers() const;

 private:
  std::vector<std::string> values_;
  std::vector<bool> null_;
};

// The rows of one statement. Columns are read by 0-based index; reading a
// NULL gives 0, false or "".
class PgRows {
 public:
  PgRows() = default;
  explicit PgRows(pg_result* result);
  ~PgRows();
  PgRows(PgRows&& other) noexcept;
  PgRows& operator=(PgRows&& other) noexcept;
  PgRows(const PgRows&) = delete;
  PgRows& operator=(const PgRows&) = delete;

  int size() const { return rows_; }
  bool empty() const { return rows_ == 0; }
  // Rows a statement without RETURNING changed (UPDATE, DELETE, INSERT).
  int64_t affected() const;

  bool IsNull(int row, int column) const;
  int64_t Int(int row, int column) const;
  bool Bool(int row, int column) const;  // boolean ('t') or an integer
  double Real(int row, int column) const;
  std::string_view View(int row, int column) const;
  std::string Text(int row, int column) const { return std::string(View(row, column)); }

 private:
  pg_result* result_ = nullptr;
  int rows_ = 0;
};

// One row of a result, read by column alone (store/media_rows.h reads
// through it).
struct PgRow {
  const PgRows& rows;
  int row;
  int64_t Int(int column) const { return rows.Int(row, column); }
  double Real(int column) const { return rows.Real(row, column); }
  std::string Text(int column) const { return rows.Text(row, column); }
};

struct PgConnOptions {
  std::string conninfo;  // a libpq connection string or postgresql:// URI
  bool prepare = true;   // prepare each statement once (off behind a pooler in transaction mode)
};

class PgConn {
 public:
  // Connects (kUnavailable with libpq's reason when it cannot).
  static Result<std::unique_ptr<PgConn>> Connect(const PgConnOptions& options);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // Runs `sql` with `params` and returns its rows. Failures by SQLSTATE:
  // a constraint violated (class 23: unique, foreign key, not null,
  // check) is kUnprocessable in general words, PostgreSQL's own logged
  // and the constraint's name in last_constraint(); a serialization
  // failure or deadlock kUnavailable with retryable() true; a lost
  // connection kUnavailable (broken() true after it); anything else
  // kInternal. `sql` is the caller's text, never a user's: values are
  // parameters.
  Result<PgRows> Exec(std::string_view sql, const PgParams& params = {});
  // Runs one or more statements without parameters or results (DDL,
  // BEGIN, COMMIT), by the simple query protocol.
  Status Script(std::string_view sql);

  // Reads what the server sent unasked and returns how many notifications
  // (LISTEN) have arrived since the last call; kUnavailable when the
  // connection is lost.
  Result<int> TakeNotifications();
  // The connection's socket, to wait on for notifications (-1 when none).
  int socket() const;

  // True when the connection is gone; the pool replaces it.
  bool broken() const;
  // True when the last failure may pass if the transaction is tried again
  // (serialization failure, deadlock).
  bool retryable() const { return retryable_; }
  // The SQLSTATE of the last failure ("" when the last call succeeded).
  const std::string& last_state() const { return last_state_; }
  // The constraint the last failure violated ("" when none).
  const std::string& last_constraint() const { return last_constraint_; }

 private:
  PgConn(pg_conn* conn, bool prepare) : conn_(conn), prepare_(prepare) {}
  // The error for a failed result; sets last_state_ and retryable_.
  Error Failure(pg_result* result);
  // The name of `sql` prepared on this connection, preparing it first.
  Result<const std::string*> Prepared(std::string_view sql, int params);

  pg_conn* conn_;
  bool prepare_;
  bool retryable_ = false;
  std::string last_state_;
  std::string last_constraint_;
  std::unordered_map<std::string, std::string> prepared_;  // text -> name
};

}  // namespace chirp
