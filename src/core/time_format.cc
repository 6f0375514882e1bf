#include "core/time_format.h"

#include <cstdio>
#include <ctime>

namespace chirp {
namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

std::tm UtcOf(int64_t unix_seconds) {
  std::tm tm{};
  const time_t t = static_cast<time_t>(unix_seconds);
  gmtime_r(&t, &tm);
  return tm;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::string FormatIso8601Millis(int64_t unix_millis) {
  const int64_t seconds = FloorDiv(unix_millis, 1000);
  const std::tm tm = UtcOf(seconds);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_millis - seconds * 1000));
  return buf;
}

std::string FormatIso8601Micros(int64_t unix_micros) {
  const int64_t seconds = FloorDiv(unix_micros, 1'000'000);
  const std::tm tm = UtcOf(seconds);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_micros - seconds * 1'000'000));
  return buf;
}

std::string FormatDate(int64_t unix_millis) {
  const std::tm tm = UtcOf(FloorDiv(unix_millis, 1000));
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

int64_t StartOfDayMillis(int64_t unix_millis) {
  return FloorDiv(unix_millis, kMillisPerDay) * kMillisPerDay;
}

}  // namespace chirp
