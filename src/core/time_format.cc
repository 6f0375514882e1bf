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
  // On every status and account the API writes: formatted by hand, without
  // snprintf or the C library's broken-down time.
  const int64_t seconds = FloorDiv(unix_millis, 1000);
  const int64_t days = FloorDiv(seconds, 86'400);
  const int64_t second_of_day = seconds - days * 86'400;
  // Days since 1970-01-01 to a civil date (proleptic Gregorian calendar).
  const int64_t z = days + 719'468;
  const int64_t era = FloorDiv(z, 146'097);
  const int64_t day_of_era = z - era * 146'097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  const int64_t day = day_of_year - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return FormatIso8601Micros(unix_millis * 1000).erase(23, 3);
  char buf[] = "0000-00-00T00:00:00.000Z";
  const auto put = [&buf](int at, int64_t value, int digits) {
    for (int i = digits - 1; i >= 0; --i) {
      buf[at + i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, year, 4);
  put(5, month, 2);
  put(8, day, 2);
  put(11, second_of_day / 3600, 2);
  put(14, second_of_day / 60 % 60, 2);
  put(17, second_of_day % 60, 2);
  put(20, unix_millis - seconds * 1000, 3);
  return std::string(buf, sizeof buf - 1);
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
