#include "store/postgres/pg_session.h"

#include <poll.h>

#include <chrono>
#include <cstdio>
#include <utility>
#include <vector>

#include "core/thread_entry.h"

namespace chirp {
namespace {

// How long the thread waits on the socket before it looks again: what
// another call on the connection read meanwhile (its notifications wait in
// libpq's queue) is dispatched at most this late.
constexpr int kPollMs = 100;
// Between two attempts to connect again.
constexpr auto kReconnectPause = std::chrono::seconds(1);

}  // namespace

Result<std::unique_ptr<PgSession>> PgSession::Open(const PgConnOptions& options,
                                                   std::function<void()> on_notify) {
  auto session = std::unique_ptr<PgSession>(new PgSession(options, std::move(on_notify)));
  {
    std::lock_guard lock(session->mu_);
    if (Status s = session->ReconnectLocked(); !s) return std::move(s).error();
  }
  PgSession* raw = session.get();
  session->thread_ = std::thread([raw] { RunThread("pg-session", [raw] { raw->Run(); }); });
  return session;
}

PgSession::~PgSession() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status PgSession::ReconnectLocked() {
  // A session's own statements never need a prepared name.
  auto conn = PgConn::Connect({options_.conninfo, false});
  if (!conn) return std::move(conn).error();
  if (Status s = (*conn)->Script(std::string("LISTEN ") + kOutboxChannel); !s) return s;
  conn_ = std::move(conn).value();
  // The locks went with the old connection: take them again where nobody
  // took them meanwhile (a lane's holder then stands by; Hold tries again).
  held_.clear();
  for (int64_t key : wanted_) {
    auto got = conn_->Exec("SELECT pg_try_advisory_lock($1)", PgParams().Add(key));
    if (got && got->Bool(0, 0)) {
      held_.insert(key);
    } else {
      std::fprintf(stderr, "chirpd: store: advisory lock %lld was taken by another process while "
                   "the session with PostgreSQL was away\n", static_cast<long long>(key));
    }
  }
  return {};
}

bool PgSession::ConsumeLocked() {
  if (!conn_) return false;
  auto n = conn_->TakeNotifications();
  return n && *n > 0;
}

void PgSession::Run() {
  for (;;) {
    int fd = -1;
    {
      std::unique_lock lock(mu_);
      if (stopping_) return;
      if (!conn_ || conn_->broken()) {
        if (Status s = ReconnectLocked(); !s) {
          conn_.reset();
          held_.clear();
          stop_cv_.wait_for(lock, kReconnectPause, [&] { return stopping_; });
          continue;
        }
        reconnections_.fetch_add(1, std::memory_order_relaxed);
        lock.unlock();
        std::fprintf(stderr, "chirpd: store: the session with PostgreSQL is back\n");
        if (on_notify_) on_notify_();  // what committed while it was away
        continue;
      }
      fd = conn_->socket();
    }
    pollfd p{fd, POLLIN, 0};
    (void)::poll(&p, 1, kPollMs);
    bool notified;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      notified = ConsumeLocked();
    }
    if (notified && on_notify_) on_notify_();
  }
}

Result<bool> PgSession::Hold(int64_t key) {
  std::lock_guard lock(mu_);
  if (held_.count(key)) return true;
  if (!conn_ || conn_->broken()) return Error::Unavailable("no session with PostgreSQL");
  auto got = conn_->Exec("SELECT pg_try_advisory_lock($1)", PgParams().Add(key));
  if (!got) return std::move(got).error();
  const bool held = got->Bool(0, 0);
  if (held) {
    held_.insert(key);
    wanted_.insert(key);
  }
  return held;
}

bool PgSession::Holds(int64_t key) const {
  std::lock_guard lock(mu_);
  return held_.count(key) > 0 && conn_ && !conn_->broken();
}

void PgSession::Release(int64_t key) {
  std::lock_guard lock(mu_);
  wanted_.erase(key);
  if (!held_.erase(key) || !conn_ || conn_->broken()) return;
  (void)conn_->Exec("SELECT pg_advisory_unlock($1)", PgParams().Add(key));
}

}  // namespace chirp
