// A bounded pool of connections to one PostgreSQL server: the primary's
// for the store's transactions and reads, a replica's for the reads it may
// serve (pg_replicas.h). A broken connection is dropped when it comes back
// and a new one made in its place on demand.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/error.h"
#include "store/postgres/pg_conn.h"

namespace chirp {

struct PgPoolOptions {
  PgConnOptions conn;
  int size = 16;                  // callers beyond it wait
  int acquire_timeout_ms = 5000;  // past it, kUnavailable
};

class PgPool {
 public:
  explicit PgPool(PgPoolOptions options) : options_(std::move(options)) {}
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // Adds a connection made elsewhere (the one that ran the migrations).
  void Seed(std::unique_ptr<PgConn> conn);
  // A connection of the pool, connecting a new one where one broke.
  Result<std::unique_ptr<PgConn>> Acquire();
  void Release(std::unique_ptr<PgConn> conn);
  // Closes the idle connections: after one was found lost (a restart of
  // the server), the others most likely are too.
  void DropIdle();
  // Closes the idle connections and refuses every later Acquire.
  void Close();

  // Runs `fn` with a connection, outside any explicit transaction. An idle
  // connection the server closed shows only when used: `fn` is run again
  // once on a new one.
  template <typename T>
  Result<T> Run(const std::function<Result<T>(PgConn&)>& fn);

 private:
  const PgPoolOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConn>> idle_;  // guarded by mu_
  int open_ = 0;                               // connections made and not dropped; mu_
  bool closed_ = false;                        // guarded by mu_
};

template <typename T>
Result<T> PgPool::Run(const std::function<Result<T>(PgConn&)>& fn) {
  for (int attempt = 0;; ++attempt) {
    auto conn = Acquire();
    if (!conn) return std::move(conn).error();
    Result<T> r = fn(**conn);
    const bool lost = !r && (*conn)->broken();
    Release(std::move(conn).value());
    if (!lost || attempt > 0) return r;
    DropIdle();
  }
}

}  // namespace chirp
