// For tests: a real SQLite store in a fresh temporary directory, with
// accounts user1..userN (ids 1..N) and an empty outbox, removed when the
// TempStore goes.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite/sqlite_store.h"

namespace chirp {

// Adds accounts user1..userN (ids 1..N) to `store` and forgets their
// events (the accounts are a test's fixture, their events are not its
// subject). Returns what failed, "" when nothing did.
inline std::string AddNumberedAccounts(Store& store, int accounts) {
  for (int64_t id = 1; id <= accounts; ++id) {
    Account a;
    a.id = id;
    a.username = "user" + std::to_string(id);
    User u;
    u.account_id = id;
    u.email = a.username + "@e.com";
    u.password_hash = "x";
    if (Status s = store.CreateAccount(a, u); !s) return s.error().message;
  }
  if (auto newest = store.NewestOutboxId(); newest && *newest > 0) {
    if (Status s = store.AckOutbox(*newest); !s) return s.error().message;
  }
  return "";
}

class TempStore {
 public:
  // `name` keeps concurrent test runs apart (the test's name, say). Check
  // ok() before use.
  TempStore(const std::string& name, int accounts) {
    dir_ = std::filesystem::temp_directory_path() /
           ("chirp-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto opened =
        SqliteStore::Open({.path = (dir_ / "chirp.db").string(), .synchronous = "NORMAL"});
    if (!opened) {
      error_ = opened.error().message;
      return;
    }
    store_ = std::move(opened).value();
    error_ = AddNumberedAccounts(*store_, accounts);
  }
  ~TempStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;

  bool ok() const { return store_ != nullptr && error_.empty(); }
  const std::string& error() const { return error_; }
  SqliteStore& store() { return *store_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
  std::string error_;
};

}  // namespace chirp
