#include "http/byte_range.h"

#include <charconv>

#include "core/text.h"

namespace chirp {

namespace {

// Digits only, no sign, no overflow.
bool ReadNumber(std::string_view text, uint64_t* out) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

ByteRange ParseByteRange(std::string_view header, uint64_t size) {
  constexpr std::string_view kUnit = "bytes=";
  const ByteRange whole;
  header = TrimAscii(header);
  if (header.size() <= kUnit.size() || AsciiLower(header.substr(0, kUnit.size())) != kUnit) {
    return whole;
  }
  const std::string_view spec = TrimAscii(header.substr(kUnit.size()));
  if (spec.find(',') != std::string_view::npos) return whole;  // several ranges
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return whole;
  const std::string_view from = TrimAscii(spec.substr(0, dash));
  const std::string_view to = TrimAscii(spec.substr(dash + 1));
  ByteRange range{ByteRange::Kind::kPart, 0, 0};
  if (from.empty()) {  // "-n": the last n bytes
    uint64_t suffix = 0;
    if (!ReadNumber(to, &suffix)) return whole;
    if (suffix == 0 || size == 0) return {ByteRange::Kind::kUnsatisfiable, 0, 0};
    range.first = suffix >= size ? 0 : size - suffix;
    range.last = size - 1;
    return range;
  }
  if (!ReadNumber(from, &range.first)) return whole;
  if (to.empty()) {
    range.last = size == 0 ? 0 : size - 1;
  } else {
    if (!ReadNumber(to, &range.last) || range.last < range.first) return whole;
    if (range.last >= size) range.last = size == 0 ? 0 : size - 1;
  }
  if (range.first >= size) return {ByteRange::Kind::kUnsatisfiable, 0, 0};
  return range;
}

}  // namespace chirp
