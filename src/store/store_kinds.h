// For tests of the store's contract: the same test against each
// implementation. A StoreUnderTest is a fresh store of one kind (SQLite in a
// temporary directory, or a new database on the test PostgreSQL server,
// store/postgres/pg_test_server.h, reached directly or through pgbouncer in
// transaction mode without prepared statements, as behind an operator's
// pooler) with accounts user1..userN (ids 1..N) and an empty outbox.
//
//   class FooTest : public ::testing::TestWithParam<StoreKind> { ... };
//   INSTANTIATE_TEST_SUITE_P(Stores, FooTest, ::testing::ValuesIn(kStoreKinds),
//                            StoreKindName);
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

#include "store/postgres/pg_store.h"
#include "store/postgres/pg_test_server.h"
#include "store/sqlite/outbox_rows.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/temp_store.h"
#include "store/store.h"

namespace chirp {

enum class StoreKind { kSqlite, kPostgres, kPostgresPooled };
inline constexpr StoreKind kStoreKinds[] = {StoreKind::kSqlite, StoreKind::kPostgres,
                                            StoreKind::kPostgresPooled};

inline std::string StoreKindName(const ::testing::TestParamInfo<StoreKind>& info) {
  switch (info.param) {
    case StoreKind::kSqlite:
      return "Sqlite";
    case StoreKind::kPostgres:
      return "Postgres";
    case StoreKind::kPostgresPooled:
      return "PostgresPooled";
  }
  return "";
}

class StoreUnderTest {
 public:
  // `name` keeps concurrent runs apart (the test's name). Check ok().
  StoreUnderTest(StoreKind kind, std::string name, int accounts) {
    std::replace(name.begin(), name.end(), '/', '-');  // a parameterised test's name
    if (kind == StoreKind::kSqlite) {
      sqlite_ = std::make_unique<TempStore>(name, accounts);
      if (!sqlite_->ok()) error_ = sqlite_->error();
      return;
    }
    auto server = PgTestServer::Get();
    if (!server) {
      error_ = server.error().message;
      return;
    }
    auto conninfo = (*server)->CreateDatabase();
    if (!conninfo) {
      error_ = conninfo.error().message;
      return;
    }
    conninfo_ = *conninfo;
    PgStoreOptions options{.conninfo = *conninfo, .connections = 4};
    if (kind == StoreKind::kPostgresPooled) {
      auto pooled = (*server)->PooledConninfo(*conninfo);
      if (!pooled) {
        error_ = pooled.error().message;
        return;
      }
      options.conninfo = *pooled;
      options.session_conninfo = *conninfo;
      options.prepare = false;
    }
    auto opened = PgStore::Open(options);
    if (!opened) {
      error_ = opened.error().message;
      return;
    }
    postgres_ = std::move(opened).value();
    error_ = AddNumberedAccounts(*postgres_, accounts);
  }

  bool ok() const { return error_.empty() && (sqlite_ || postgres_); }
  const std::string& error() const { return error_; }
  Store& store() {
    if (sqlite_) return sqlite_->store();
    return *postgres_;
  }

  // Runs `sql`, written in what both dialects share, in a write
  // transaction: for rows no store method writes yet.
  Status RunSql(const std::string& sql) {
    if (sqlite_) return sqlite_->store().Write([&](SqliteDb& db) { return db.Exec(sql.c_str()); });
    return postgres_->WriteStatus([&](PgTx& tx) -> Status {
      auto r = tx.Exec(sql);
      if (!r) return std::move(r).error();
      return {};
    });
  }
  // Appends `event` to the outbox in a transaction of its own.
  Status AppendEvent(const OutboxEvent& event) {
    if (sqlite_) {
      return sqlite_->store().Write([&](SqliteDb& db) { return chirp::AppendEvent(db, event); });
    }
    return postgres_->WriteStatus([&](PgTx& tx) -> Status {
      tx.AppendEvent(event);
      return {};
    });
  }
  // The PostgreSQL database's conninfo ("" for SQLite), to open it again.
  const std::string& conninfo() const { return conninfo_; }

 private:
  std::unique_ptr<TempStore> sqlite_;
  std::unique_ptr<PgStore> postgres_;
  std::string conninfo_;
  std::string error_;
};

}  // namespace chirp
