// What the kernel says of this process: the memory it holds, the CPU time
// its threads took.
#pragma once

#include <cstdint>

namespace chirp {

// Resident bytes of this process (/proc/self/statm), or 0 where the kernel
// does not say.
uint64_t ProcessResidentBytes();

// CPU time the calling thread has taken, in nanoseconds.
uint64_t ThreadCpuNanos();

}  // namespace chirp
