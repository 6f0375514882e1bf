// Estimates of the heap memory a value's members take, for caches that
// report and bound their size (core/snapshot_cache.h). Estimates: they count
// what a member holds, with the allocator's rounding averaged in, not the
// allocator's exact size classes.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace chirp {

// A string's block beyond the object; short strings live inside it.
inline size_t HeapBytes(const std::string& s) {
  constexpr size_t kInline = 15;  // the library's short-string capacity
  return s.capacity() > kInline ? s.capacity() + 1 + s.capacity() / 8 : 0;
}

// A vector's block of elements (not what the elements themselves point to).
template <typename T>
size_t HeapBytes(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

// A vector of strings: its block and each string's.
inline size_t HeapBytes(const std::vector<std::string>& v) {
  size_t n = v.capacity() * sizeof(std::string);
  for (const std::string& s : v) n += HeapBytes(s);
  return n;
}

}  // namespace chirp
