// The Range header of a GET (RFC 9110 section 14): which bytes of a
// representation of known size a client asks for. Chirp answers one range;
// a request for several gets the whole representation, which the RFC
// allows a server to send instead.
#pragma once

#include <cstdint>
#include <string_view>

namespace chirp {

struct ByteRange {
  enum class Kind {
    kWhole,          // no usable Range: send everything (200)
    kPart,           // send [first, last] (206 with Content-Range)
    kUnsatisfiable,  // no byte of it exists (416 with "bytes */size")
  };
  Kind kind = Kind::kWhole;
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
};

// Reads `header` (the Range field's value, "" when absent) against a
// representation of `size` bytes. A field that is not a valid "bytes=" range
// set is ignored (kWhole), as the RFC asks.
ByteRange ParseByteRange(std::string_view header, uint64_t size);

}  // namespace chirp
