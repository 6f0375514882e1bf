// Which hashtags are trending: used now by more distinct accounts than is
// usual for them at this hour of the day, and not merely used a lot.
//
// For each tag the detector keeps, per hour, how many distinct accounts
// used it over the past days, and which accounts used it within the recent
// window. A tag's expected number of accounts in the window is learned
// from its past days at the same hours (its daily cycle), leaning on its
// mean over all hours where the days are few; it is never below the tag's
// mean over the few hours just before the window (a level that moved for
// good is soon the usual one) nor below a small prior (a tag never seen
// is expected to be rare). The window's count is
// then scored for how unusual it is against that expectation under a
// Poisson model: o·ln(o/e) − (o − e), the information in seeing o where e
// was expected, which is near 0 for a tag at its usual level however large
// it is and grows with the size and the suddenness of a rise. A tag
// trends once it has at least `min_accounts` in the window and at least
// `min_ratio` times its expectation. Its trend holds its peak score and
// decays from it with a half-life, so a burst stays visible a while after
// it ends and a new burst replaces it only by scoring higher.
// Detection errs towards fewer, surer trends: a top 10 that is mostly
// noise is what makes people stop reading one.
//
// Counts are exact (sets of account ids for the window, the current hour
// and the current day; plain counts for the past hours and days): memory
// grows with the accounts active per tag within a day, and with the tags
// used within the history kept, which ForgetIdle bounds.
//
// Time comes from the caller (the times of the statuses and of the
// reads), so the detector runs on a simulated clock as well as a real one.
// Not thread-safe: its owner serialises calls.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace chirp {

struct TagTrendOptions {
  // Defaults chosen on bench/trends.sh's evaluation (see bench/README.md).
  int64_t window_ms = 20 * 60 * 1000;  // the recent window compared with its expectation
  int history_days = 7;                // past days learned from, and reported
  int min_accounts = 3;                // distinct accounts in the window to trend at all
  double min_ratio = 2.0;              // times the expectation, to trend at all
  double min_score = 6.0;              // the surprise a trend needs
  double prior_per_hour = 0.2;         // accounts an hour expected of a tag never seen
  // Weight, in days, of the tag's mean over all hours against its mean at
  // the same hour (more days of history: the daily cycle counts more).
  double hour_of_day_shrink = 2.0;
  // The hours just before the window: the expectation is at least their
  // mean, so that a tag whose level moved for good stops trending once it
  // has held the new level this long.
  int recent_hours = 3;
  int64_t half_life_ms = 45LL * 60 * 1000;  // the decay of a held peak
};

struct TagTrend {
  std::string tag;
  double score = 0;      // the held peak, decayed to now
  int64_t accounts = 0;  // distinct accounts within the window now
  double expected = 0;   // what was expected of the window now
};

// One day of a tag's use, as Mastodon's Tag entity reports it.
struct TagDay {
  int64_t day_start_ms = 0;  // midnight UTC
  int64_t uses = 0;          // statuses
  int64_t accounts = 0;      // distinct accounts
};

class TagTrends {
 public:
  explicit TagTrends(TagTrendOptions options = {});

  // `account_id` used `tag` (normalised) in a status at `at_ms`. Uses must
  // come in roughly increasing time; one older than the kept history is
  // ignored.
  void Record(std::string_view tag, int64_t account_id, int64_t at_ms);

  // The trending tags at `now_ms`, highest score first, `limit` at most.
  // Updates the held peaks.
  std::vector<TagTrend> Top(int64_t now_ms, size_t limit);

  // The last `history_days` days of `tag` up to `now_ms`, the newest first
  // (days without use included, as zeros).
  std::vector<TagDay> History(std::string_view tag, int64_t now_ms) const;

  // Forgets tags unused for the whole history and without a held peak.
  void ForgetIdle(int64_t now_ms);

  size_t tags() const { return tags_.size(); }

 private:
  static constexpr int64_t kHourMs = 60 * 60 * 1000;
  static constexpr int64_t kDayMs = 24 * kHourMs;

  struct Tag {
    // Distinct accounts per past hour: hours_[h % size] holds hour h when
    // hour_of_[h % size] == h.
    std::vector<uint32_t> hours;
    std::vector<int64_t> hour_of;
    std::unordered_set<int64_t> this_hour;  // accounts of the current hour
    int64_t current_hour = -1;
    // The same per day, with uses.
    std::vector<TagDay> days;
    std::unordered_set<int64_t> today;
    int64_t current_day = -1;
    int64_t uses_today = 0;
    // The accounts of the recent window, with the time each last used it.
    std::unordered_map<int64_t, int64_t> recent;
    double peak = 0;
    int64_t peak_at = 0;
    int64_t first_use = 0;  // what came before is not known of the tag
    int64_t last_use = 0;
  };

  void RollHour(Tag& tag, int64_t hour) const;
  void RollDay(Tag& tag, int64_t day) const;
  // The accounts expected within the window ending at `now_ms`.
  double Expected(const Tag& tag, int64_t now_ms) const;
  // The tag's held peak, decayed to `now_ms`.
  double Held(const Tag& tag, int64_t now_ms) const;
  // Accounts within the window ending at `now_ms` (drops older ones).
  int64_t InWindow(Tag& tag, int64_t now_ms) const;

  const TagTrendOptions options_;
  std::unordered_map<std::string, Tag> tags_;
};

}  // namespace chirp
