#include "store/postgres/pg_conn.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace chirp {
namespace {

// SQLSTATE classes and codes Chirp tells apart.
constexpr std::string_view kIntegrityClass = "23";  // unique, foreign key, not null, check
constexpr std::string_view kSerializationFailure = "40001";
constexpr std::string_view kDeadlockDetected = "40P01";
constexpr std::string_view kConnectionClass = "08";
constexpr std::string_view kShutdownClass = "57";  // admin shutdown, cannot connect now

const char* Field(PGresult* result, int field) {
  const char* value = result ? PQresultErrorField(result, field) : nullptr;
  return value ? value : "";
}

}  // namespace

PgParams& PgParams::Add(int64_t value) {
  values_.push_back(std::to_string(value));
  null_.push_back(false);
  return *this;
}

PgParams& PgParams::Add(bool value) {
  values_.emplace_back(value ? "true" : "false");
  null_.push_back(false);
  return *this;
}

PgParams& PgParams::Add(double value) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  values_.emplace_back(buffer, ec == std::errc() ? end : buffer);
  null_.push_back(false);
  return *this;
}

PgParams& PgParams::Add(std::string_view text) {
  // A NUL cannot travel in a text parameter; nothing Chirp stores holds one
  // (the request layer refuses them), and cutting there beats failing.
  values_.emplace_back(text.substr(0, text.find('\0')));
  null_.push_back(false);
  return *this;
}

PgParams& PgParams::AddNull() {
  values_.emplace_back();
  null_.push_back(true);
  return *this;
}

PgParams& PgParams::AddIds(const std::vector<int64_t>& ids) {
  std::string array = "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) array += ',';
    array += std::to_string(ids[i]);
  }
  array += '}';
  values_.push_back(std::move(array));
  null_.push_back(false);
  return *this;
}

PgParams& PgParams::AddTexts(const std::vector<std::string>& texts) {
  std::string array = "{";
  for (size_t i = 0; i < texts.size(); ++i) {
    if (i) array += ',';
    array += '"';
    for (char c : texts[i]) {
      if (c == '\0') break;
      if (c == '"' || c == '\\') array += '\\';
      array += c;
    }
    array += '"';
  }
  array += '}';
  values_.push_back(std::move(array));
  null_.push_back(false);
  return *this;
}

std::vector<const char*> PgParams::Pointers() const {
  std::vector<const char*> pointers(values_.size());
  for (size_t i = 0; i < values_.size(); ++i) {
    pointers[i] = null_[i] ? nullptr : values_[i].c_str();
  }
  return pointers;
}

PgRows::PgRows(PGresult* result) : result_(result), rows_(result ? PQntuples(result) : 0) {}

PgRows::~PgRows() {
  if (result_) PQclear(result_);
}

PgRows::PgRows(PgRows&& other) noexcept
    : result_(std::exchange(other.result_, nullptr)), rows_(std::exchange(other.rows_, 0)) {}

PgRows& PgRows::operator=(PgRows&& other) noexcept {
  if (this != &other) {
    if (result_) PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
    rows_ = std::exchange(other.rows_, 0);
  }
  return *this;
}

int64_t PgRows::affected() const {
  const char* n = result_ ? PQcmdTuples(result_) : "";
  return *n ? std::strtoll(n, nullptr, 10) : 0;
}

bool PgRows::IsNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

int64_t PgRows::Int(int row, int column) const {
  std::string_view v = View(row, column);
  if (v == "t") return 1;  // a boolean read as a number
  if (v == "f") return 0;
  int64_t value = 0;
  std::from_chars(v.data(), v.data() + v.size(), value);
  return value;
}

bool PgRows::Bool(int row, int column) const {
  std::string_view v = View(row, column);
  return v == "t" || (!v.empty() && v != "f" && v != "0");
}

double PgRows::Real(int row, int column) const {
  std::string_view v = View(row, column);
  if (v.empty()) return 0;
  return std::strtod(std::string(v).c_str(), nullptr);
}

std::string_view PgRows::View(int row, int column) const {
  if (!result_ || PQgetisnull(result_, row, column)) return {};
  return {PQgetvalue(result_, row, column), static_cast<size_t>(PQgetlength(result_, row, column))};
}

Result<std::unique_ptr<PgConn>> PgConn::Connect(const PgConnOptions& options) {
  PGconn* conn = PQconnectdb(options.conninfo.c_str());
  if (!conn) return Error::Unavailable("PostgreSQL: out of memory connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string reason = PQerrorMessage(conn);
    PQfinish(conn);
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
    return Error::Unavailable("PostgreSQL: cannot connect: " + reason);
  }
  auto pg = std::unique_ptr<PgConn>(new PgConn(conn, options.prepare));
  // Text is UTF-8 whatever the server's defaults, and its notices (a
  // table that exists already, say) stay out of chirpd's log.
  if (Status s = pg->Script("SET client_encoding = 'UTF8'; SET client_min_messages = warning");
      !s) {
    return std::move(s).error();
  }
  return pg;
}

PgConn::~PgConn() { PQfinish(conn_); }

bool PgConn::broken() const { return PQstatus(conn_) != CONNECTION_OK; }

int PgConn::socket() const { return PQsocket(conn_); }

Result<int> PgConn::TakeNotifications() {
  if (PQconsumeInput(conn_) == 0) {
    std::string reason = PQerrorMessage(conn_);
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    return Error::Unavailable("PostgreSQL: " + reason);
  }
  int n = 0;
  while (PGnotify* notify = PQnotifies(conn_)) {
    PQfreemem(notify);
    ++n;
  }
  return n;
}

Error PgConn::Failure(PGresult* result) {
  last_state_ = Field(result, PG_DIAG_SQLSTATE);
  const std::string_view state = last_state_;
  retryable_ = state == kSerializationFailure || state == kDeadlockDetected;
  std::string primary = Field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (primary.empty()) primary = PQerrorMessage(conn_);
  while (!primary.empty() && primary.back() == '\n') primary.pop_back();
  if (state.starts_with(kIntegrityClass)) {
    // A conflict the caller did not expect (those it does expect, such as
    // a username taken, it decides with ON CONFLICT): reported, in words
    // of its own, as the embedded store does.
    last_constraint_ = Field(result, PG_DIAG_CONSTRAINT_NAME);
    std::fprintf(stderr, "chirpd: store: PostgreSQL %s (%s): %s\n", last_state_.c_str(),
                 last_constraint_.c_str(), primary.c_str());
    return Error::Unprocessable("Validation failed: the record conflicts with another");
  }
  if (retryable_ || broken() || state.starts_with(kConnectionClass) ||
      state.starts_with(kShutdownClass) || state.empty()) {
    return Error::Unavailable("PostgreSQL: " + primary);
  }
  return Error::Internal("PostgreSQL " + last_state_ + ": " + primary);
}

Result<const std::string*> PgConn::Prepared(std::string_view sql, int params) {
  std::string key(sql);
  if (auto it = prepared_.find(key); it != prepared_.end()) return &it->second;
  std::string name = "s" + std::to_string(prepared_.size());
  PGresult* r = PQprepare(conn_, name.c_str(), key.c_str(), params, nullptr);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    Error e = Failure(r);
    PQclear(r);
    return e;
  }
  PQclear(r);
  auto [it, inserted] = prepared_.emplace(std::move(key), std::move(name));
  return &it->second;
}

Result<PgRows> PgConn::Exec(std::string_view sql, const PgParams& params) {
  last_state_.clear();
  last_constraint_.clear();
  retryable_ = false;
  const std::vector<const char*> values = params.Pointers();
  const int n = static_cast<int>(values.size());
  PGresult* r;
  if (prepare_) {
    auto name = Prepared(sql, n);
    if (!name) return std::move(name).error();
    r = PQexecPrepared(conn_, (*name)->c_str(), n, values.data(), nullptr, nullptr, 0);
  } else {
    r = PQexecParams(conn_, std::string(sql).c_str(), n, nullptr, values.data(), nullptr, nullptr,
                     0);
  }
  const ExecStatusType status = PQresultStatus(r);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    Error e = Failure(r);
    PQclear(r);
    return e;
  }
  return PgRows(r);
}

Status PgConn::Script(std::string_view sql) {
  last_state_.clear();
  last_constraint_.clear();
  retryable_ = false;
  PGresult* r = PQexec(conn_, std::string(sql).c_str());
  const ExecStatusType status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Error e = Failure(r);
    PQclear(r);
    return e;
  }
  PQclear(r);
  return {};
}

}  // namespace chirp
