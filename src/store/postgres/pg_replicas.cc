#include "store/postgres/pg_replicas.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "core/clock.h"

namespace chirp {
namespace {

// Samples of the primary's position kept at most (about 20 minutes of a
// position moving at every poll).
constexpr size_t kMaxSamples = 1 << 16;

// Log positions as byte offsets, which compare and subtract as numbers.
// The primary's is where its next record goes: what it holds, flushed or
// not yet (with asynchronous commits).
constexpr char kReplayed[] =
    "SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint, pg_is_in_recovery()";
constexpr char kWritten[] = "SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint";

// Runs `sql` on `conn`, connecting it first where it is missing or broken;
// the first column of its one row.
Result<PgRows> PollOn(std::unique_ptr<PgConn>& conn, const std::string& conninfo, bool prepare,
                      const char* sql) {
  if (!conn || conn->broken()) {
    auto made = PgConn::Connect({conninfo, prepare});
    if (!made) {
      conn.reset();
      return std::move(made).error();
    }
    conn = std::move(made).value();
  }
  return conn->Exec(sql);
}

}  // namespace

Result<std::unique_ptr<PgReplicas>> PgReplicas::Open(PgReplicasOptions options) {
  auto replicas = std::unique_ptr<PgReplicas>(new PgReplicas(std::move(options)));
  const PgReplicasOptions& o = replicas->options_;
  for (size_t i = 0; i < o.conninfos.size(); ++i) {
    Replica r;
    r.conninfo = o.conninfos[i];
    auto rows = PollOn(r.poller, r.conninfo, o.prepare, kReplayed);
    if (!rows) {
      return Error::Unavailable("cannot reach the replica " + std::to_string(i + 1) + ": " +
                                rows.error().message);
    }
    if (rows->empty() || !rows->Bool(0, 1)) {
      return Error::BadRequest("the replica " + std::to_string(i + 1) +
                               " is not a streaming replica (it is not in recovery)");
    }
    r.pool = std::make_unique<PgPool>(
        PgPoolOptions{.conn = {r.conninfo, o.prepare}, .size = o.connections});
    replicas->replicas_.push_back(std::move(r));
  }
  {
    std::lock_guard lock(replicas->poll_mu_);
    auto rows = PollOn(replicas->primary_, o.primary_conninfo, o.prepare, kWritten);
    if (!rows) return std::move(rows).error();
  }
  replicas->PollOnce();
  replicas->thread_ = std::thread([raw = replicas.get()] { raw->Run(); });
  return replicas;
}

PgReplicas::~PgReplicas() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (Replica& r : replicas_) r.pool->Close();
}

void PgReplicas::Run() {
  std::unique_lock lock(stop_mu_);
  while (!stop_cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_interval_ms),
                            [this] { return stopping_; })) {
    lock.unlock();
    PollOnce();
    lock.lock();
  }
}

void PgReplicas::PollOnce() {
  // The round trips under poll_mu_ alone, so that Pick never waits for one.
  std::lock_guard polling(poll_mu_);
  // The primary first: a replica's position read after it is compared
  // with it, so a lag is never under-counted.
  const int64_t now_ms = SteadyMillis();
  auto written = PollOn(primary_, options_.primary_conninfo, options_.prepare, kWritten);
  std::vector<std::optional<uint64_t>> replayed;
  for (Replica& r : replicas_) {
    auto rows = PollOn(r.poller, r.conninfo, options_.prepare, kReplayed);
    // Unreachable, or promoted: it no longer follows the primary.
    const bool follows = rows && !rows->empty() && !rows->IsNull(0, 0) && rows->Bool(0, 1);
    replayed.push_back(follows ? std::optional<uint64_t>(rows->Int(0, 0)) : std::nullopt);
  }
  std::lock_guard lock(mu_);
  // A sample each time the primary's position moved: when it first held
  // each stretch of the log.
  if (written && !written->empty()) {
    const auto position = static_cast<uint64_t>(written->Int(0, 0));
    if (primary_positions_.empty() || primary_positions_.back().position != position) {
      primary_positions_.push_back({now_ms, position});
    }
  }
  const uint64_t newest = primary_positions_.empty() ? 0 : primary_positions_.back().position;
  uint64_t least_replayed = newest;
  for (size_t i = 0; i < replicas_.size(); ++i) {
    PgReplicaState& state = replicas_[i].state;
    state.reachable = replayed[i].has_value();
    if (!state.reachable) continue;
    state.replayed = *replayed[i];
    state.lag_bytes = newest > state.replayed ? newest - state.replayed : 0;
    state.lag_ms = LagMsLocked(state.replayed, now_ms);
    least_replayed = std::min(least_replayed, state.replayed);
  }
  // What every replica that answers has replayed tells no lag any more; a
  // replica that does not answer serves nothing, and holds none back.
  while (!primary_positions_.empty() &&
         (primary_positions_.front().position <= least_replayed ||
          primary_positions_.size() > kMaxSamples)) {
    primary_positions_.pop_front();
  }
}

int64_t PgReplicas::LagMsLocked(uint64_t replayed, int64_t now_ms) const {
  for (const Sample& s : primary_positions_) {
    if (s.position > replayed) return now_ms - s.at_ms;
  }
  return 0;
}

void PgReplicas::Close() {
  for (Replica& r : replicas_) r.pool->Close();
}

PgPool* PgReplicas::Pick(uint64_t floor) {
  const size_t n = replicas_.size();
  if (n == 0) return nullptr;
  const size_t start = next_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < n; ++i) {
    Replica& r = replicas_[(start + i) % n];
    if (r.state.reachable && r.state.replayed >= floor &&
        r.state.lag_ms <= options_.max_lag_ms) {
      return r.pool.get();
    }
  }
  return nullptr;
}

std::vector<PgReplicaState> PgReplicas::States() const {
  std::lock_guard lock(mu_);
  std::vector<PgReplicaState> states;
  for (const Replica& r : replicas_) states.push_back(r.state);
  return states;
}

}  // namespace chirp
