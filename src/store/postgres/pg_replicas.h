// Streaming replicas of the primary that serve the reads which may lag,
// with read-your-writes for the account reading (the rule is in
// pg_store.h, where reads choose their server).
//
// A thread polls every replica and the primary every `poll_interval_ms`:
// how far each replica has replayed the primary's write-ahead log (a byte
// position, pg_last_wal_replay_lsn) and how far the primary has written
// it. From the primary's positions of the last seconds it tells each
// replica's lag in time: how long ago the primary first held a change the
// replica has not replayed (a sample each time the primary's position
// moved, kept until every replica that answers has replayed it). A replica serves a read when it has replayed
// past the read's floor (where the reading account's last write ended) and
// lags by `max_lag_ms` at most; when it cannot be reached or polled, none.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_pool.h"

namespace chirp {

struct PgReplicasOptions {
  std::vector<std::string> conninfos;  // one per replica
  std::string primary_conninfo;        // to read the primary's position
  bool prepare = true;
  int connections = 16;  // per replica
  int poll_interval_ms = 20;
  // A replica further behind serves nothing. Positions of writes are kept
  // longer than this (store/write_positions.h), so that a write whose
  // position was forgotten is one every replica in use has replayed.
  int max_lag_ms = 2'000;
};

struct PgReplicaState {
  bool reachable = false;  // polled at the last attempt
  uint64_t replayed = 0;   // log position replayed
  uint64_t lag_bytes = 0;  // the primary's position less the replayed one
  int64_t lag_ms = 0;
};

class PgReplicas {
 public:
  // Connects to each replica and to the primary, polls once and starts
  // polling; kUnavailable naming the replica that cannot be reached.
  static Result<std::unique_ptr<PgReplicas>> Open(PgReplicasOptions options);
  ~PgReplicas();
  PgReplicas(const PgReplicas&) = delete;
  PgReplicas& operator=(const PgReplicas&) = delete;

  // The pool of a replica that has replayed up to `floor` at least and is
  // within the lag allowed, taken in turn among those; null when none is.
  PgPool* Pick(uint64_t floor);
  std::vector<PgReplicaState> States() const;
  // Polls now (tests; the thread does it on its own).
  void PollOnce();
  // Closes every replica's pool: reads then go to the primary (or fail,
  // when it is closed too). Polling goes on until destruction.
  void Close();

 private:
  struct Replica {
    std::string conninfo;
    std::unique_ptr<PgPool> pool;
    std::unique_ptr<PgConn> poller;  // guarded by poll_mu_
    PgReplicaState state;            // guarded by mu_
  };
  struct Sample {
    int64_t at_ms;  // steady clock
    uint64_t position;
  };

  explicit PgReplicas(PgReplicasOptions options) : options_(std::move(options)) {}
  void Run();
  // The lag in time of a replica that replayed up to `replayed`; with mu_.
  int64_t LagMsLocked(uint64_t replayed, int64_t now_ms) const;

  const PgReplicasOptions options_;
  std::vector<Replica> replicas_;
  std::mutex poll_mu_;               // held through a poll's round trips
  std::unique_ptr<PgConn> primary_;  // guarded by poll_mu_
  mutable std::mutex mu_;
  std::deque<Sample> primary_positions_;  // oldest first, those a replica lacks; mu_
  std::atomic<uint64_t> next_{0};  // where Pick starts its turn
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by stop_mu_
  std::thread thread_;
};

}  // namespace chirp
