// The process's limit on open descriptors, which bounds the connections a
// server can hold.
#pragma once

#include <cstddef>

namespace chirp {

// Raises the soft limit on open descriptors to the hard one and returns the
// limit now in force.
size_t RaiseOpenFileLimit();

}  // namespace chirp
