// The trend evaluation: a synthetic stream of hashtag uses over simulated
// days, run through Chirp's detector (trends/tag_trends.h) and through
// Mastodon's day-over-day rule, implemented here, on the same stream.
//
// The stream: background tags with daily cycles and Poisson noise, rates
// from a fifth of an account an hour to fifty; steadily popular tags (100
// to 300 accounts an hour) that must never trend; and, on the evaluation
// days, planted events of graded sizes on background tags (pulses of one
// to two hours, three-hour ramps, level shifts) and on tags never seen
// before (bursts). Each detector's top 10 is taken every five minutes of
// stream time. An entry is right when its tag has an event under way (or
// ended within the last two hours); an event is found when its tag enters
// a top 10 within its span and the hour after.
//
// Prints one line of JSON: each detector's top-10 precision, recall of the
// events, median delay to a pulse of five times the usual rate (minutes of
// stream time), and how many snapshots held a steadily popular tag.
//
//   chirp-trend-eval [--seed N] [--days-learned N] [--days-evaluated N]
//                    [--min-accounts N] [--min-ratio X] [--min-score X]
//                    [--window-minutes N] [--half-life-minutes N]
//   (the detector's options; its defaults otherwise)
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "trends/tag_trends.h"

namespace {

using chirp::TagTrends;

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kStart = 1'764'547'200'000;  // a midnight UTC
constexpr int kAccounts = 50'000;
constexpr size_t kTop = 10;

// splitmix64: a small generator whose runs repeat for a seed.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) / 9007199254740992.0; }
  // Knuth's method: fine for the small means of one minute.
  int Poisson(double mean) {
    if (mean <= 0) return 0;
    if (mean > 30)
      return std::max(0, static_cast<int>(std::lround(mean + std::sqrt(mean) * Normal())));
    const double limit = std::exp(-mean);
    int k = 0;
    for (double p = Uniform(); p > limit; p *= Uniform()) ++k;
    return k;
  }
  double Normal() {
    const double u = std::max(Uniform(), 1e-12);
    return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * Uniform());
  }

 private:
  uint64_t state_;
};

enum class Shape { kPulse, kRamp, kShift, kBurst };

struct Event {
  std::string tag;
  Shape shape = Shape::kPulse;
  double size = 1;  // times the usual rate (a burst: accounts an hour)
  int64_t start = 0;
  int64_t end = 0;  // when its extra use ends
};

struct TagSeries {
  std::string tag;
  double base = 0;       // accounts an hour
  double amplitude = 0;  // of the daily cycle, 0..0.9
  double phase = 0;      // hour of the daily peak
  bool steady = false;   // steadily popular: must never trend
};

double Rate(const TagSeries& s, int64_t t) {
  const double hour = static_cast<double>((t - kStart) % kDay) / kHour;
  return s.base * (1 + s.amplitude * std::cos(2 * M_PI * (hour - s.phase) / 24));
}

// Extra accounts an hour an event adds at `t`, on a tag usually at `usual`.
double Extra(const Event& e, double usual, int64_t t) {
  if (t < e.start) return 0;
  switch (e.shape) {
    case Shape::kPulse:
      return t < e.end ? usual * (e.size - 1) : 0;
    case Shape::kRamp: {
      if (t >= e.end) return usual * (e.size - 1);
      return usual * (e.size - 1) * static_cast<double>(t - e.start) /
             static_cast<double>(e.end - e.start);
    }
    case Shape::kShift:
      return usual * (e.size - 1);
    case Shape::kBurst:
      return t < e.end ? e.size : 0;
  }
  return 0;
}

// Mastodon's rule: distinct accounts today against yesterday's; a score
// only above both, and above 5; the peak held and halved every 4 hours.
class DayOverDay {
 public:
  void Record(const std::string& tag, int64_t account, int64_t at) {
    Tag& t = tags_[tag];
    const int64_t day = at / kDay;
    if (day != t.day) {
      t.yesterday = day == t.day + 1 ? static_cast<int64_t>(t.today.size()) : 0;
      t.today.clear();
      t.day = day;
    }
    t.today.insert(account);
  }
  std::vector<std::string> Top(int64_t now) {
    std::vector<std::pair<double, std::string>> scored;
    for (auto& [name, t] : tags_) {
      const int64_t day = now / kDay;
      const double observed = day == t.day ? static_cast<double>(t.today.size()) : 0;
      const double expected = day == t.day       ? static_cast<double>(t.yesterday)
                              : day == t.day + 1 ? static_cast<double>(t.today.size())
                                                 : 0;
      double score = 0;
      if (observed >= 5 && observed > expected) {
        score = (observed - expected) * (observed - expected) / std::max(expected, 1.0);
      }
      const double held = t.peak * std::exp2(-static_cast<double>(now - t.peak_at) /
                                             static_cast<double>(4 * kHour));
      if (score > held) {
        t.peak = score;
        t.peak_at = now;
      }
      const double shown = std::max(score, held);
      if (shown > 0) scored.emplace_back(shown, name);
    }
    std::sort(scored.rbegin(), scored.rend());
    std::vector<std::string> out;
    for (size_t i = 0; i < scored.size() && i < kTop; ++i) out.push_back(scored[i].second);
    return out;
  }

 private:
  struct Tag {
    int64_t day = -1;
    int64_t yesterday = 0;
    std::unordered_set<int64_t> today;
    double peak = 0;
    int64_t peak_at = 0;
  };
  std::unordered_map<std::string, Tag> tags_;
};

struct Score {
  int64_t entries = 0;
  int64_t right = 0;
  std::set<size_t> found;
  std::map<size_t, int64_t> first_seen;  // event → first time in a top 10
  int64_t steady_snapshots = 0;
};

void Judge(const std::vector<std::string>& top, int64_t now, const std::vector<Event>& events,
           const std::set<std::string>& steady, Score& score) {
  bool steady_seen = false;
  for (const std::string& tag : top) {
    ++score.entries;
    steady_seen = steady_seen || steady.contains(tag);
    bool right = false;
    for (size_t i = 0; i < events.size(); ++i) {
      const Event& e = events[i];
      if (e.tag != tag || now < e.start) continue;
      const int64_t until = e.shape == Shape::kShift ? e.start + 6 * kHour : e.end;
      if (now <= until + 2 * kHour) right = true;
      if (now <= until + kHour) {
        score.found.insert(i);
        score.first_seen.try_emplace(i, now);
      }
    }
    score.right += right;
  }
  score.steady_snapshots += steady_seen;
}

double Median(std::vector<double> v) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 1;
  int days_learned = 7;
  int days_evaluated = 7;
  chirp::TagTrendOptions options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const char* value = argv[i + 1];
    if (std::strcmp(argv[i], "--min-accounts") == 0) options.min_accounts = std::atoi(value);
    if (std::strcmp(argv[i], "--min-ratio") == 0) options.min_ratio = std::atof(value);
    if (std::strcmp(argv[i], "--min-score") == 0) options.min_score = std::atof(value);
    if (std::strcmp(argv[i], "--window-minutes") == 0) {
      options.window_ms = std::atoll(value) * kMinute;
    }
    if (std::strcmp(argv[i], "--half-life-minutes") == 0) {
      options.half_life_ms = std::atoll(value) * kMinute;
    }
    if (std::strcmp(argv[i], "--seed") == 0) seed = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--days-learned") == 0) days_learned = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--days-evaluated") == 0) days_evaluated = std::atoi(argv[i + 1]);
  }
  Random random(seed);
  std::vector<TagSeries> series;
  std::set<std::string> steady;
  for (int i = 0; i < 200; ++i) {
    series.push_back({"tag" + std::to_string(i), 0.2 * std::pow(250.0, random.Uniform()),
                      0.9 * random.Uniform(), 24 * random.Uniform(), false});
  }
  for (int i = 0; i < 10; ++i) {
    series.push_back({"popular" + std::to_string(i), 100 + 200 * random.Uniform(),
                      0.3 * random.Uniform(), 24 * random.Uniform(), true});
    steady.insert(series.back().tag);
  }
  // The events, spread over the evaluation days, each on a tag of its own.
  std::vector<Event> events;
  const int64_t eval_start = kStart + days_learned * kDay;
  const int64_t eval_span = days_evaluated * kDay;
  const Shape shapes[] = {Shape::kPulse, Shape::kRamp, Shape::kShift, Shape::kBurst};
  const double sizes[] = {3, 5, 10};
  for (int i = 0; i < 48; ++i) {
    Event e;
    e.shape = shapes[i % 4];
    e.start = eval_start + static_cast<int64_t>(random.Uniform() * (eval_span - 8 * kHour));
    if (e.shape == Shape::kBurst) {
      e.tag = "new" + std::to_string(i);
      e.size = 10 + 40 * random.Uniform();  // accounts an hour
      e.end = e.start + kHour;
    } else {
      e.tag = "tag" + std::to_string(i * 4 + 1);  // a background tag each
      e.size = sizes[(i / 4) % 3];
      e.end = e.start + (e.shape == Shape::kPulse
                             ? kHour + static_cast<int64_t>(random.Uniform() * kHour)
                             : 3 * kHour);
    }
    events.push_back(e);
  }
  std::unordered_map<std::string, const TagSeries*> by_tag;
  for (const TagSeries& s : series) by_tag[s.tag] = &s;

  TagTrends chirp(options);
  DayOverDay mastodon;
  Score chirp_score;
  Score mastodon_score;
  const int64_t end = eval_start + eval_span;
  for (int64_t t = kStart; t < end; t += kMinute) {
    std::vector<std::pair<const std::string*, double>> rates;
    for (const TagSeries& s : series) rates.emplace_back(&s.tag, Rate(s, t));
    for (const Event& e : events) {
      const auto it = by_tag.find(e.tag);
      const double usual = it != by_tag.end() ? Rate(*it->second, t) : 0;
      const double extra = Extra(e, usual, t);
      if (extra > 0) rates.emplace_back(&e.tag, extra);
    }
    for (const auto& [tag, rate] : rates) {
      const int n = random.Poisson(rate / 60);
      for (int k = 0; k < n; ++k) {
        const int64_t account = static_cast<int64_t>(random.Next() % kAccounts);
        const int64_t at = t + static_cast<int64_t>(random.Uniform() * kMinute);
        chirp.Record(*tag, account, at);
        mastodon.Record(*tag, account, at);
      }
    }
    if (t >= eval_start && (t - eval_start) % (5 * kMinute) == 0) {
      const int64_t now = t + kMinute;
      std::vector<std::string> top;
      for (const chirp::TagTrend& trend : chirp.Top(now, kTop)) top.push_back(trend.tag);
      Judge(top, now, events, steady, chirp_score);
      Judge(mastodon.Top(now), now, events, steady, mastodon_score);
    }
  }
  const auto report = [&](const char* name, const Score& s) {
    std::vector<double> delays;
    for (const auto& [i, at] : s.first_seen) {
      if (events[i].shape == Shape::kPulse && events[i].size == 5) {
        delays.push_back(static_cast<double>(at - events[i].start) / kMinute);
      }
    }
    std::printf(
        "\"%s\": {\"precision\": %.3f, \"recall\": %.3f, \"pulse5_median_delay_min\": %.0f, "
        "\"steady_snapshots\": %lld, \"entries\": %lld}",
        name, s.entries > 0 ? static_cast<double>(s.right) / s.entries : 0.0,
        static_cast<double>(s.found.size()) / events.size(), Median(delays),
        static_cast<long long>(s.steady_snapshots), static_cast<long long>(s.entries));
  };
  std::printf("{\"seed\": %llu, \"events\": %zu, ", static_cast<unsigned long long>(seed),
              events.size());
  report("chirp", chirp_score);
  std::printf(", ");
  report("mastodon", mastodon_score);
  std::printf("}\n");
  return 0;
}
