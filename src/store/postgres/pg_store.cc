#include "store/postgres/pg_store.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "core/reader_scope.h"
#include "store/postgres/pg_migrations.h"

namespace chirp {
namespace {

// A transaction that failed for a deadlock or a serialization failure is
// run again up to this many times in all.
constexpr int kMaxAttempts = 4;

}  // namespace

Result<std::unique_ptr<PgStore>> PgStore::Open(const PgStoreOptions& options) {
  if (options.connections < 1) return Error::BadRequest("the pool needs a connection at least");
  auto store = std::unique_ptr<PgStore>(new PgStore(options));
  PgStoreOptions& o = store->options_;
  if (o.session_conninfo.empty()) o.session_conninfo = o.conninfo;
  {
    // The migrations take a session advisory lock: the direct connection.
    auto direct = PgConn::Connect({o.session_conninfo, o.prepare});
    if (!direct) return std::move(direct).error();
    if (Status s = ApplyPgMigrations(**direct); !s) return std::move(s).error();
  }
  auto first = PgConn::Connect({o.conninfo, o.prepare});
  if (!first) return std::move(first).error();
  // Commits of other processes wake this one's consumers as its own do.
  PgStore* raw = store.get();
  auto session = PgSession::Open({o.session_conninfo, false}, [raw] { raw->NotifyCommitListener(); });
  if (!session) return std::move(session).error();
  store->session_ = std::move(session).value();
  if (!o.replica_conninfos.empty()) {
    auto replicas = PgReplicas::Open({.conninfos = o.replica_conninfos,
                                      .primary_conninfo = o.session_conninfo,
                                      .prepare = o.prepare,
                                      .connections = o.connections,
                                      .max_lag_ms = o.max_replica_lag_ms});
    if (!replicas) return std::move(replicas).error();
    store->replicas_ = std::move(replicas).value();
    if (!o.write_positions) {
      o.write_positions =
          std::make_shared<MemoryWritePositions>(WritePositionKeepMs(o.max_replica_lag_ms));
    }
  }
  store->pool_.Seed(std::move(first).value());
  return store;
}

PgStore::~PgStore() { Close(); }

void PgStore::Close() {
  pool_.Close();
  // Kept until destruction: reads racing the close still ask them.
  if (replicas_) replicas_->Close();
  // Its locks go with it: another process may take over this one's lanes.
  session_.reset();
}

PgPool* PgStore::ReplicaForReader() {
  if (!replicas_) return nullptr;
  Reader* reader = CurrentReader();
  if (reader == nullptr || !reader->reads_may_lag) return nullptr;
  if (!reader->floor_known && reader->account_id != 0) {
    auto position = options_.write_positions->Find(reader->account_id);
    // Not knowing the account's last write, the primary serves it.
    if (!position) {
      position_failures_.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
    reader->floor = std::max(reader->floor, *position);
  }
  reader->floor_known = true;
  PgPool* replica = replicas_->Pick(reader->floor);
  if (replica == nullptr) replica_passed_over_.fetch_add(1, std::memory_order_relaxed);
  return replica;
}

void PgStore::RecordWritePosition(PgConn& conn) {
  Reader* reader = CurrentReader();
  if (!replicas_ || reader == nullptr || reader->account_id == 0) return;
  // After the commit, so past its record: where the next insertion would go.
  auto rows = conn.Exec("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint");
  Status recorded = rows ? Status() : Status(std::move(rows).error());
  if (recorded && !rows->empty()) {
    const auto position = static_cast<uint64_t>(rows->Int(0, 0));
    reader->floor = std::max(reader->floor, position);
    recorded = options_.write_positions->Record(reader->account_id, position);
  }
  // The write stands; the account's next reads may miss it on a replica
  // of another instance for the replica's lag, which the metric shows.
  if (!recorded) position_failures_.fetch_add(1, std::memory_order_relaxed);
}

namespace {

// 64-bit FNV-1a: a lock key from a name, the same in every process.
int64_t NameKey(std::string_view name) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int64_t>(h);
}

}  // namespace

int64_t PgStore::LaneLockKey(const std::string& consumer) { return NameKey("lane:" + consumer); }

int64_t PgStore::WorkerLockKey(int64_t worker_id) {
  return NameKey("worker:" + std::to_string(worker_id));
}

int64_t PgStore::GroupLockKey(const std::string& group, int64_t worker_id) {
  const auto name_bits = static_cast<uint64_t>(NameKey("group:" + group)) & 0x7fffffffu;
  return static_cast<int64_t>((name_bits << 32) | static_cast<uint64_t>(worker_id));
}

Result<bool> PgStore::HoldWorkerId(int64_t worker_id) {
  auto held = session_->Hold(WorkerLockKey(worker_id));
  if (held && *held) worker_id_.store(worker_id, std::memory_order_relaxed);
  return held;
}

void PgStore::NotifyCommitListener() {
  std::shared_ptr<const std::function<void()>> listener;
  {
    std::lock_guard lock(listener_mu_);
    listener = commit_listener_;
  }
  if (listener && *listener) (*listener)();
}

Status PgStore::FlushEvents(PgTx& tx, std::vector<int64_t>* event_ids) {
  const std::vector<OutboxEvent>& events = tx.events();
  if (events.empty()) return {};
  // The row lock taken here is held until the commit: every transaction
  // with events takes its ids after the one before it committed (see
  // pg_store.h). Taken last, it is never held while waiting for another
  // lock, so it cannot be part of a deadlock. One statement, so that the
  // lock is held for one round trip and the commit's. The notification
  // goes out with the commit (none if it rolls back); several in one
  // transaction are one.
  std::vector<int64_t> kinds, accounts, subjects, times, related, flags;
  for (const OutboxEvent& e : events) {
    kinds.push_back(static_cast<int64_t>(e.kind));
    accounts.push_back(e.account_id);
    subjects.push_back(e.subject_id);
    times.push_back(e.created_at_ms);
    related.push_back(e.related_id);
    flags.push_back(static_cast<int64_t>(e.flags));
  }
  static const std::string kFlush =
      "WITH head AS (UPDATE outbox_head SET last_id = last_id + $1 "
      "RETURNING last_id, pg_notify('" +
      std::string(PgSession::kOutboxChannel) +
      "', '')) "
      "INSERT INTO outbox (id, kind, account_id, subject_id, created_at, related_id, flags) "
      "SELECT (SELECT last_id FROM head) - $1 + e.n, e.kind, e.account_id, e.subject_id, "
      "e.created_at, e.related_id, e.flags "
      "FROM unnest($2::int[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::int[]) "
      "WITH ORDINALITY AS e(kind, account_id, subject_id, created_at, related_id, flags, n) "
      "RETURNING id";
  auto inserted = tx.Exec(kFlush, PgParams()
                                      .Add(static_cast<int64_t>(events.size()))
                                      .AddIds(kinds)
                                      .AddIds(accounts)
                                      .AddIds(subjects)
                                      .AddIds(times)
                                      .AddIds(related)
                                      .AddIds(flags));
  if (!inserted) return std::move(inserted).error();
  std::vector<int64_t> ids;
  for (int i = 0; i < inserted->size(); ++i) ids.push_back(inserted->Int(i, 0));
  std::sort(ids.begin(), ids.end());
  if (event_ids) *event_ids = std::move(ids);
  return {};
}

Status PgStore::RunTransaction(const std::function<Status(PgTx&)>& fn,
                               std::vector<int64_t>* event_ids) {
  if (!MayWait()) return Error::WouldBlock();
  auto acquired = pool_.Acquire();
  if (!acquired) return std::move(acquired).error();
  std::unique_ptr<PgConn> conn = std::move(acquired).value();
  Status result;
  bool had_events = false;
  for (int attempt = 1;; ++attempt) {
    PgTx tx(*conn);
    result = conn->Script("BEGIN");
    if (!result && conn->broken() && attempt == 1) {
      // An idle connection the server closed (a restart): nothing was
      // sent yet, so the transaction starts again on a new one.
      pool_.Release(std::move(conn));
      pool_.DropIdle();
      auto again = pool_.Acquire();
      if (!again) return std::move(again).error();
      conn = std::move(again).value();
      continue;
    }
    if (result) result = fn(tx);
    if (result) result = FlushEvents(tx, event_ids);
    if (result) result = conn->Script("COMMIT");
    if (result) {
      had_events = !tx.events().empty();
      RecordWritePosition(*conn);
      break;
    }
    const bool retry = conn->retryable() && attempt < kMaxAttempts;
    if (!conn->broken()) (void)conn->Script("ROLLBACK");
    if (!retry) break;
    retries_.fetch_add(1, std::memory_order_relaxed);
  }
  pool_.Release(std::move(conn));
  if (!result) {
    write_failures_.fetch_add(1, std::memory_order_relaxed);
    return result;
  }
  write_transactions_.fetch_add(1, std::memory_order_relaxed);
  if (had_events) NotifyCommitListener();
  return {};
}

Status PgStore::WriteStatus(const std::function<Status(PgTx&)>& fn) {
  return RunTransaction(fn, nullptr);
}

void PgStore::SetCommitListener(std::function<void()> listener) {
  auto shared =
      listener ? std::make_shared<const std::function<void()>>(std::move(listener)) : nullptr;
  std::lock_guard lock(listener_mu_);
  commit_listener_ = std::move(shared);
}

StoreStats PgStore::Stats() const {
  StoreStats stats;
  stats.write_transactions = write_transactions_.load(std::memory_order_relaxed);
  stats.write_operations = stats.write_transactions;
  stats.write_failures = write_failures_.load(std::memory_order_relaxed);
  stats.reads = reads_.load(std::memory_order_relaxed);
  stats.max_batch = 1;
  stats.replica_reads = replica_reads_.load(std::memory_order_relaxed);
  stats.replica_passed_over = replica_passed_over_.load(std::memory_order_relaxed);
  stats.write_position_failures = position_failures_.load(std::memory_order_relaxed);
  if (replicas_) {
    for (const PgReplicaState& r : replicas_->States()) {
      stats.replicas.push_back(
          {.reachable = r.reachable, .lag_bytes = r.lag_bytes, .lag_ms = r.lag_ms});
    }
  }
  return stats;
}

}  // namespace chirp
