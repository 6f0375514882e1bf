#include "store/postgres/pg_pool.h"

#include <chrono>

namespace chirp {

void PgPool::Seed(std::unique_ptr<PgConn> conn) {
  std::lock_guard lock(mu_);
  ++open_;
  idle_.push_back(std::move(conn));
}

Result<std::unique_ptr<PgConn>> PgPool::Acquire() {
  std::unique_lock lock(mu_);
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
    if (open_ < options_.size) {
      ++open_;
      lock.unlock();
      auto conn = PgConn::Connect(options_.conn);
      if (!conn) {
        lock.lock();
        --open_;
        cv_.notify_one();
      }
      return conn;
    }
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.size) {
      return Error::Unavailable("no PostgreSQL connection came free in time");
    }
  }
}

void PgPool::Release(std::unique_ptr<PgConn> conn) {
  std::lock_guard lock(mu_);
  if (closed_ || conn->broken()) {
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

void PgPool::DropIdle() {
  std::lock_guard lock(mu_);
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
  cv_.notify_all();
}

void PgPool::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
  cv_.notify_all();
}

}  // namespace chirp
