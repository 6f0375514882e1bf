// What the kernel says this process holds in memory.
#pragma once

#include <cstdint>

namespace chirp {

// Resident bytes of this process (/proc/self/statm), or 0 where the kernel
// does not say.
uint64_t ProcessResidentBytes();

}  // namespace chirp
