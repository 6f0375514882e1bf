// Network threads serve the requests that need only memory. When such a
// request turns out to need the store after all (a cache miss), the store
// refuses it with ErrorCode::kWouldBlock instead of stalling every other
// connection of that thread, and the request starts over on the blocking
// pool (Execution::kMemoryFirst in http/router.h).
//
// A NoWaitScope marks the running thread as one that must not wait, for its
// lifetime; MayWait() is what the store asks. Scopes nest.
#pragma once

namespace chirp {

class NoWaitScope {
 public:
  NoWaitScope();
  ~NoWaitScope();
  NoWaitScope(const NoWaitScope&) = delete;
  NoWaitScope& operator=(const NoWaitScope&) = delete;
};

// False inside a NoWaitScope on this thread.
bool MayWait();

}  // namespace chirp
