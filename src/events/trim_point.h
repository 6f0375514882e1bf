// How far the outbox may be trimmed: up to the lowest position among the
// lanes of one drainer, each lane counting only what it has made safe (a
// durable lane, what it has saved; a lane not yet opened, nothing).
//
// Slots are added before the lanes run; then every method is thread-safe
// and lock-free.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>

namespace chirp {

class TrimPoint {
 public:
  // A new lane's slot, at position 0 (it holds every event back).
  size_t AddSlot();
  void Set(size_t slot, int64_t position);
  // The lowest position, were `slot` at `position`.
  int64_t FloorWith(size_t slot, int64_t position) const;
  // Claims the trimming of the outbox up to `floor`: true when nobody
  // claimed as far before, so that each stretch is deleted once. A claim
  // whose deletion then failed is not given back: the next claim, further
  // on, deletes that stretch too.
  bool Claim(int64_t floor);

 private:
  std::deque<std::atomic<int64_t>> slots_;  // a deque: elements never move
  std::atomic<int64_t> claimed_{0};
};

}  // namespace chirp
