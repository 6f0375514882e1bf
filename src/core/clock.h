// Time comes in through a Clock so that tests can move it by hand.
#pragma once

#include <atomic>
#include <cstdint>

namespace chirp {

// Milliseconds since the Unix epoch. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMillis() const = 0;
};

// The wall clock. It may step backwards (NTP); users that need monotonic
// order (the id generator) guard against that themselves.
class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
};

// Milliseconds of the monotonic clock (from an unspecified start): for
// intervals and deadlines within a process, never for times shown.
int64_t SteadyMillis();

// A clock that only moves when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_millis) : now_(start_millis) {}
  int64_t NowMillis() const override { return now_.load(); }
  void Set(int64_t millis) { now_.store(millis); }
  void Advance(int64_t millis) { now_.fetch_add(millis); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace chirp
