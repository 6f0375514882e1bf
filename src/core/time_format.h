// Timestamps as the Mastodon API writes them.
#pragma once

#include <cstdint>
#include <string>

namespace chirp {

// "2024-05-01T12:05:00.000Z": millisecond precision, UTC.
std::string FormatIso8601Millis(int64_t unix_millis);
// "2024-05-01T12:05:00.000000Z": microsecond precision, as X-RateLimit-Reset.
std::string FormatIso8601Micros(int64_t unix_micros);
// "2024-05-01": the UTC day.
std::string FormatDate(int64_t unix_millis);
// Midnight UTC of the day containing `unix_millis`.
int64_t StartOfDayMillis(int64_t unix_millis);

}  // namespace chirp
