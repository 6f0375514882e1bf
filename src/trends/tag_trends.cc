#include "trends/tag_trends.h"

#include <algorithm>
#include <cmath>

namespace chirp {

namespace {

// Floor division for times before the epoch as after it.
int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

TagTrends::TagTrends(TagTrendOptions options) : options_(options) {}

void TagTrends::RollHour(Tag& tag, int64_t hour) const {
  if (tag.current_hour >= 0) {
    const size_t slot = static_cast<size_t>(tag.current_hour) % tag.hours.size();
    tag.hours[slot] = static_cast<uint32_t>(tag.this_hour.size());
    tag.hour_of[slot] = tag.current_hour;
  }
  tag.this_hour.clear();
  tag.current_hour = hour;
}

void TagTrends::RollDay(Tag& tag, int64_t day) const {
  if (tag.current_day >= 0) {
    const size_t slot = static_cast<size_t>(tag.current_day) % tag.days.size();
    tag.days[slot] = {tag.current_day * kDayMs, tag.uses_today,
                      static_cast<int64_t>(tag.today.size())};
  }
  tag.today.clear();
  tag.uses_today = 0;
  tag.current_day = day;
}

void TagTrends::Record(std::string_view tag_name, int64_t account_id, int64_t at_ms) {
  if (at_ms < 0) return;
  auto [it, added] = tags_.try_emplace(std::string(tag_name));
  Tag& tag = it->second;
  if (added) {
    const size_t hours = static_cast<size_t>(std::max(1, options_.history_days)) * 24;
    tag.hours.assign(hours, 0);
    tag.hour_of.assign(hours, -1);
    tag.days.assign(static_cast<size_t>(std::max(1, options_.history_days)), TagDay{-1, 0, 0});
    tag.first_use = at_ms;
  }
  const int64_t hour = FloorDiv(at_ms, kHourMs);
  const int64_t day = FloorDiv(at_ms, kDayMs);
  if (hour > tag.current_hour) RollHour(tag, hour);
  if (day > tag.current_day) RollDay(tag, day);
  // A use later than its hour or day (out of order) still counts in the
  // window; the past hour's or day's count is left as it was closed.
  if (hour == tag.current_hour) tag.this_hour.insert(account_id);
  if (day == tag.current_day) {
    ++tag.uses_today;
    tag.today.insert(account_id);
  }
  int64_t& last = tag.recent[account_id];
  last = std::max(last, at_ms);
  tag.last_use = std::max(tag.last_use, at_ms);
  tag.first_use = std::min(tag.first_use, at_ms);
}

double TagTrends::Expected(const Tag& tag, int64_t now_ms) const {
  const int64_t from = now_ms - options_.window_ms;
  // What the window's own hours saw does not teach what to expect of them.
  const int64_t window_start_hour = FloorDiv(from, kHourMs);
  const int64_t first_hour = FloorDiv(tag.first_use, kHourMs);
  const int64_t history_hours = static_cast<int64_t>(tag.hours.size());
  const auto accounts_in = [&](int64_t hour) -> double {
    if (hour == tag.current_hour) return static_cast<double>(tag.this_hour.size());
    const size_t slot = static_cast<size_t>(hour) % tag.hours.size();
    return tag.hour_of[slot] == hour ? tag.hours[slot] : 0;
  };
  // The mean over every known hour before the window.
  double total = 0;
  int64_t known_hours = 0;
  for (int64_t h = std::max(first_hour, window_start_hour - history_hours); h < window_start_hour;
       ++h) {
    total += accounts_in(h);
    ++known_hours;
  }
  const double overall = known_hours > 0 ? total / static_cast<double>(known_hours) : 0;
  // The mean over the hours just before the window.
  double recent_total = 0;
  int recent_known = 0;
  for (int64_t h = std::max(first_hour, window_start_hour - options_.recent_hours);
       h < window_start_hour; ++h) {
    recent_total += accounts_in(h);
    ++recent_known;
  }
  const double recent = recent_known > 0 ? recent_total / recent_known : 0;
  // Each hour the window covers, at the rate of the same hour of the past
  // days (leaning on the overall mean where they are few), for the part
  // of it the window covers: a window across the end of a daily peak
  // expects half of the peak.
  const double k = options_.hour_of_day_shrink;
  double expected = 0;
  for (int64_t h = window_start_hour; h <= FloorDiv(now_ms, kHourMs); ++h) {
    const int64_t covered = std::min(now_ms, (h + 1) * kHourMs) - std::max(from, h * kHourMs);
    if (covered <= 0) continue;
    double same_hour = 0;
    int days = 0;
    for (int d = 1; d <= options_.history_days; ++d) {
      const int64_t past = h - 24LL * d;
      if (past < first_hour) break;
      same_hour += accounts_in(past);
      ++days;
    }
    const double rate =
        std::max({(same_hour + k * overall) / (days + k), recent, options_.prior_per_hour});
    expected += rate * static_cast<double>(covered) / static_cast<double>(kHourMs);
  }
  return expected;
}

double TagTrends::Held(const Tag& tag, int64_t now_ms) const {
  if (tag.peak <= 0) return 0;
  return tag.peak * std::exp2(-static_cast<double>(now_ms - tag.peak_at) /
                              static_cast<double>(options_.half_life_ms));
}

int64_t TagTrends::InWindow(Tag& tag, int64_t now_ms) const {
  const int64_t from = now_ms - options_.window_ms;
  std::erase_if(tag.recent, [&](const auto& entry) { return entry.second <= from; });
  int64_t n = 0;
  for (const auto& [account, at] : tag.recent) n += at <= now_ms;
  return n;
}

std::vector<TagTrend> TagTrends::Top(int64_t now_ms, size_t limit) {
  std::vector<TagTrend> out;
  for (auto& [name, tag] : tags_) {
    const int64_t observed = InWindow(tag, now_ms);
    double score = 0;
    double expected = 0;
    if (observed >= options_.min_accounts) {
      expected = Expected(tag, now_ms);
      const double o = static_cast<double>(observed);
      if (o >= options_.min_ratio * expected) {
        score = o * std::log(o / expected) - (o - expected);
        if (score < options_.min_score) score = 0;
      }
    }
    const double held = Held(tag, now_ms);
    if (score > held) {
      tag.peak = score;
      tag.peak_at = now_ms;
    }
    const double shown = std::max(score, held);
    if (shown < options_.min_score) continue;
    out.push_back({name, shown, observed, expected});
  }
  std::sort(out.begin(), out.end(), [](const TagTrend& a, const TagTrend& b) {
    return a.score != b.score ? a.score > b.score : a.tag < b.tag;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::vector<TagDay> TagTrends::History(std::string_view tag_name, int64_t now_ms) const {
  const int64_t today = FloorDiv(now_ms, kDayMs);
  std::vector<TagDay> out;
  const auto it = tags_.find(std::string(tag_name));
  for (int d = 0; d < options_.history_days; ++d) {
    const int64_t day = today - d;
    TagDay shown{day * kDayMs, 0, 0};
    if (it != tags_.end()) {
      const Tag& tag = it->second;
      if (day == tag.current_day) {
        shown.uses = tag.uses_today;
        shown.accounts = static_cast<int64_t>(tag.today.size());
      } else if (day >= 0) {
        const TagDay& kept = tag.days[static_cast<size_t>(day) % tag.days.size()];
        if (kept.day_start_ms == day * kDayMs) shown = kept;
      }
    }
    out.push_back(shown);
  }
  return out;
}

void TagTrends::ForgetIdle(int64_t now_ms) {
  const int64_t kept_from = now_ms - options_.history_days * kDayMs;
  std::erase_if(tags_, [&](const auto& entry) {
    const Tag& tag = entry.second;
    return tag.last_use < kept_from && Held(tag, now_ms) < options_.min_score;
  });
}

}  // namespace chirp
