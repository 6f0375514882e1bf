// The store's own long-lived connection, for what belongs to a process as
// long as it runs, across every process that shares the database:
//
// - advisory locks that say what this process holds (its worker id, the
//   durable consumers of the event stream it runs). PostgreSQL releases a
//   session's locks when its connection ends, however the process ends, so
//   a crashed holder leaves nothing to clean up and another takes over.
// - LISTEN for the outbox's channel: commits of other processes wake this
//   one's consumers instead of their polling.
//
// A thread waits on the connection's socket. When the connection is lost
// (a restart of the server) it connects again every second, listens again
// and takes its locks again where nobody took them meanwhile; a lock
// another session took is no longer held here (Holds() turns false, and
// the consumer it guards stands by).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "core/error.h"
#include "store/postgres/pg_conn.h"

namespace chirp {

class PgSession {
 public:
  // The channel commits with events notify (pg_store.cc's FlushEvents).
  static constexpr char kOutboxChannel[] = "chirp_outbox";

  // Connects and listens; `on_notify` runs on the session's thread after
  // each notification (and after each reconnection, when notifications may
  // have been missed) and must not block.
  static Result<std::unique_ptr<PgSession>> Open(const PgConnOptions& options,
                                                 std::function<void()> on_notify);
  ~PgSession();  // stops the thread and closes the connection: the locks go
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  // Takes the advisory lock `key` for this session unless another holds
  // it: true when this session holds it (already, or now).
  Result<bool> Hold(int64_t key);
  // Whether the lock is held now, without a round trip.
  bool Holds(int64_t key) const;
  // Gives the lock up.
  void Release(int64_t key);

  // Reconnections so far (for tests and metrics).
  uint64_t reconnections() const { return reconnections_.load(std::memory_order_relaxed); }

 private:
  PgSession(const PgConnOptions& options, std::function<void()> on_notify)
      : options_(options), on_notify_(std::move(on_notify)) {}
  void Run();
  // With mu_ held: reads what arrived, true when a notification did.
  bool ConsumeLocked();
  // With mu_ held: a new connection, listening, and the locks wanted taken
  // again where nobody took them meanwhile.
  Status ReconnectLocked();

  const PgConnOptions options_;
  const std::function<void()> on_notify_;
  mutable std::mutex mu_;
  std::unique_ptr<PgConn> conn_;  // guarded by mu_
  std::set<int64_t> held_;        // held now; guarded by mu_
  // What Hold took and Release did not give up: taken again by every new
  // connection, however many attempts it takes to make one. Guarded by mu_.
  std::set<int64_t> wanted_;
  bool stopping_ = false;         // guarded by mu_
  std::condition_variable stop_cv_;
  std::atomic<uint64_t> reconnections_{0};
  std::thread thread_;
};

}  // namespace chirp
