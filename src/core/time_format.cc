#include "core/time_format.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace chirp {
namespace {

// Writes `value` as `digits` decimal digits at `out`.
void PutDigits(char* out, int64_t value, int digits) {
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// "YYYY-MM-DDTHH:MM:SS." followed by `fraction` in `fraction_digits` digits
// and "Z": the instant `seconds` after the epoch plus that fraction, in UTC.
// The calendar comes from <chrono> (as fast as the civil-date arithmetic it
// replaced, bench/micro); the digits are written by hand, since this runs for
// every status and account the API renders. Years outside 0-9999 are left
// to the C library, as four digits cannot hold them.
std::string FormatUtc(int64_t seconds, int64_t fraction, int fraction_digits) {
  using namespace std::chrono;
  const sys_seconds instant{std::chrono::seconds(seconds)};
  const sys_days day = floor<days>(instant);
  const year_month_day date{day};
  const int year = static_cast<int>(date.year());
  if (year < 0 || year > 9999 || !date.ok()) {
    std::tm tm{};
    const time_t t = static_cast<time_t>(seconds);
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%0*lldZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, fraction_digits,
                  static_cast<long long>(fraction));
    return buf;
  }
  const hh_mm_ss time{instant - day};
  char buf[] = "0000-00-00T00:00:00.000000Z";
  PutDigits(buf, year, 4);
  PutDigits(buf + 5, static_cast<unsigned>(date.month()), 2);
  PutDigits(buf + 8, static_cast<unsigned>(date.day()), 2);
  PutDigits(buf + 11, time.hours().count(), 2);
  PutDigits(buf + 14, time.minutes().count(), 2);
  PutDigits(buf + 17, time.seconds().count(), 2);
  PutDigits(buf + 20, fraction, fraction_digits);
  buf[20 + fraction_digits] = 'Z';
  return std::string(buf, 21 + fraction_digits);
}

// The whole seconds of `instant` (rounded down, before 1970 too) and what
// remains, in `instant`'s unit.
template <typename Duration>
std::string FormatWithFraction(Duration instant, int fraction_digits) {
  const auto whole = std::chrono::floor<std::chrono::seconds>(instant);
  return FormatUtc(whole.count(), (instant - whole).count(), fraction_digits);
}

}  // namespace

std::string FormatIso8601Millis(int64_t unix_millis) {
  return FormatWithFraction(std::chrono::milliseconds(unix_millis), 3);
}

std::string FormatIso8601Micros(int64_t unix_micros) {
  return FormatWithFraction(std::chrono::microseconds(unix_micros), 6);
}

std::string FormatDate(int64_t unix_millis) {
  const std::string instant = FormatIso8601Millis(StartOfDayMillis(unix_millis));
  return instant.substr(0, instant.find('T'));
}

int64_t StartOfDayMillis(int64_t unix_millis) {
  const auto day = std::chrono::floor<std::chrono::days>(std::chrono::milliseconds(unix_millis));
  return std::chrono::duration_cast<std::chrono::milliseconds>(day).count();
}

}  // namespace chirp
