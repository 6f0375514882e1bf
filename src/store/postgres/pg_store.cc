#include "store/postgres/pg_store.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

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
  auto first = PgConn::Connect({options.conninfo, options.prepare});
  if (!first) return std::move(first).error();
  if (Status s = ApplyPgMigrations(**first); !s) return std::move(s).error();
  // Commits of other processes wake this one's consumers as its own do.
  PgStore* raw = store.get();
  auto session = PgSession::Open({options.conninfo, false}, [raw] { raw->NotifyCommitListener(); });
  if (!session) return std::move(session).error();
  store->session_ = std::move(session).value();
  std::lock_guard lock(store->pool_mu_);
  store->open_ = 1;
  store->idle_.push_back(std::move(first).value());
  return store;
}

PgStore::~PgStore() { Close(); }

void PgStore::Close() {
  {
    std::lock_guard lock(pool_mu_);
    closed_ = true;
    open_ -= static_cast<int>(idle_.size());
    idle_.clear();
    pool_cv_.notify_all();
  }
  // Its locks go with it: another process may take over this one's lanes.
  session_.reset();
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

Result<bool> PgStore::HoldWorkerId(int64_t worker_id) {
  return session_->Hold(WorkerLockKey(worker_id));
}

void PgStore::NotifyCommitListener() {
  std::shared_ptr<const std::function<void()>> listener;
  {
    std::lock_guard lock(listener_mu_);
    listener = commit_listener_;
  }
  if (listener && *listener) (*listener)();
}

Result<std::unique_ptr<PgConn>> PgStore::Acquire() {
  std::unique_lock lock(pool_mu_);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.acquire_timeout_ms);
  for (;;) {
    if (closed_) return Error::Unavailable("the store is closed");
    if (!idle_.empty()) {
      std::unique_ptr<PgConn> conn = std::move(idle_.back());
      idle_.pop_back();
      if (!conn->broken()) return conn;
      --open_;  // a server restart or a network failure: connect anew below
    }
    if (open_ < options_.connections) {
      ++open_;
      lock.unlock();
      auto conn = PgConn::Connect({options_.conninfo, options_.prepare});
      if (!conn) {
        lock.lock();
        --open_;
        pool_cv_.notify_one();
      }
      return conn;
    }
    if (pool_cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.connections) {
      return Error::Unavailable("no PostgreSQL connection came free in time");
    }
  }
}

void PgStore::DropIdle() {
  std::lock_guard lock(pool_mu_);
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
  pool_cv_.notify_all();
}

void PgStore::Release(std::unique_ptr<PgConn> conn) {
  std::lock_guard lock(pool_mu_);
  if (closed_ || conn->broken()) {
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  pool_cv_.notify_one();
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
  auto acquired = Acquire();
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
      Release(std::move(conn));
      DropIdle();
      auto again = Acquire();
      if (!again) return std::move(again).error();
      conn = std::move(again).value();
      continue;
    }
    if (result) result = fn(tx);
    if (result) result = FlushEvents(tx, event_ids);
    if (result) result = conn->Script("COMMIT");
    if (result) {
      had_events = !tx.events().empty();
      break;
    }
    const bool retry = conn->retryable() && attempt < kMaxAttempts;
    if (!conn->broken()) (void)conn->Script("ROLLBACK");
    if (!retry) break;
    retries_.fetch_add(1, std::memory_order_relaxed);
  }
  Release(std::move(conn));
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
  return stats;
}

}  // namespace chirp
