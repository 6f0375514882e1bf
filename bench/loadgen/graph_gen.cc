#include "graph_gen.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numbers>
#include <numeric>

#include "prng.h"

namespace chirp::loadgen {
namespace {

// The stream of DeriveSeed that picks the rank permutation; account streams
// are the account numbers, all below 2^32.
constexpr uint64_t kPermutationStream = ~uint64_t{0};
constexpr double kMaxPopularShare = 0.99;

// Box-Muller: a standard normal deviate from two uniform ones.
double StandardNormal(Prng& rng) {
  const double u1 = 1.0 - rng.Unit();  // (0, 1]: log stays finite
  const double u2 = rng.Unit();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace

Status ValidateGraphOptions(const GraphOptions& o) {
  if (o.accounts < 2) return Error::BadRequest("accounts must be at least 2");
  if (!(o.median_following >= 1)) return Error::BadRequest("median-following must be at least 1");
  if (!(o.following_sigma >= 0)) return Error::BadRequest("following-sigma must not be negative");
  if (!(o.popular_share >= 0 && o.popular_share <= kMaxPopularShare)) {
    return Error::BadRequest("popular-share must be within [0, 0.99]");
  }
  if (!(o.zipf_exponent >= 0)) return Error::BadRequest("zipf-exponent must not be negative");
  return {};
}

GraphGenerator::GraphGenerator(const GraphOptions& options)
    : options_(options),
      mu_(std::log(options.median_following)),
      zipf_log_limit_(std::log(static_cast<double>(options.accounts) + 1.0)),
      zipf_power_limit_(
          std::pow(static_cast<double>(options.accounts) + 1.0, 1.0 - options.zipf_exponent) -
          1.0) {
  // rank -> (rank * multiplier + offset) mod accounts is a bijection when
  // the multiplier is coprime with the number of accounts.
  const uint64_t n = options.accounts;
  const uint64_t a = DeriveSeed(options.seed, kPermutationStream);
  permute_multiplier_ = a % n;
  while (permute_multiplier_ == 0 || std::gcd(permute_multiplier_, n) != 1) {
    permute_multiplier_ = (permute_multiplier_ + 1) % n;
  }
  permute_offset_ = (a >> 32) % n;
}

uint32_t GraphGenerator::AccountOfRank(uint32_t rank) const {
  return static_cast<uint32_t>((rank * permute_multiplier_ + permute_offset_) % options_.accounts);
}

namespace {

// The per-account part of the generator: the follower's own random stream.
class FollowerDraws {
 public:
  FollowerDraws(uint64_t seed, uint32_t follower) : rng_(DeriveSeed(seed, follower)) {}

  uint32_t Following(double mu, double sigma, uint32_t accounts) {
    const double d = std::round(std::exp(mu + sigma * StandardNormal(rng_)));
    return static_cast<uint32_t>(std::clamp(d, 1.0, static_cast<double>(accounts - 1)));
  }

  Prng& rng() { return rng_; }

 private:
  Prng rng_;
};

}  // namespace

uint32_t GraphGenerator::FollowingOf(uint32_t follower) const {
  FollowerDraws draws(options_.seed, follower);
  return draws.Following(mu_, options_.following_sigma, options_.accounts);
}

void GraphGenerator::Generate(const Sink& sink) const {
  const uint32_t n = options_.accounts;
  const double s = options_.zipf_exponent;
  const bool harmonic = std::abs(s - 1.0) < 1e-12;
  std::vector<uint32_t> followed;
  for (uint32_t follower = 0; follower < n; ++follower) {
    FollowerDraws draws(options_.seed, follower);
    const uint32_t want = draws.Following(mu_, options_.following_sigma, n);
    Prng& rng = draws.rng();
    const auto draw = [&]() -> uint32_t {
      if (!rng.Chance(options_.popular_share)) return static_cast<uint32_t>(rng.Below(n));
      // Inverse of the continuous power law's distribution on [1, n + 1).
      const double u = rng.Unit();
      const double x = harmonic ? std::exp(u * zipf_log_limit_)
                                : std::pow(1.0 + u * zipf_power_limit_, 1.0 / (1.0 - s));
      const double rank = std::clamp(std::floor(x) - 1.0, 0.0, static_cast<double>(n - 1));
      return AccountOfRank(static_cast<uint32_t>(rank));
    };
    followed.clear();
    // Draw what is missing, then drop repeats; repeats are rare except for
    // the celebrities and for graphs of a few hundred accounts.
    while (followed.size() < want) {
      while (followed.size() < want) {
        const uint32_t t = draw();
        if (t != follower) followed.push_back(t);
      }
      std::sort(followed.begin(), followed.end());
      followed.erase(std::unique(followed.begin(), followed.end()), followed.end());
    }
    sink(follower, followed);
  }
}

GraphSummarizer::GraphSummarizer(uint32_t accounts) : following_(accounts), followers_(accounts) {}

void GraphSummarizer::Add(uint32_t follower, std::span<const uint32_t> followed) {
  following_[follower] = static_cast<uint32_t>(followed.size());
  for (uint32_t t : followed) ++followers_[t];
  follows_ += followed.size();
}

namespace {

uint32_t Median(std::vector<uint32_t> values) {
  if (values.empty()) return 0;
  auto middle = values.begin() + static_cast<std::ptrdiff_t>((values.size() - 1) / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

}  // namespace

GraphSummary GraphSummarizer::Finish(size_t most_followed) const {
  GraphSummary s;
  const size_t n = following_.size();
  s.accounts = n;
  s.follows = follows_;
  if (n == 0) return s;
  s.mean_following = static_cast<double>(follows_) / static_cast<double>(n);
  s.median_following = Median(following_);
  s.max_following = *std::max_element(following_.begin(), following_.end());
  s.median_followers = Median(followers_);

  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  const size_t top1 = std::max<size_t>(1, n / 100);
  const auto more_followed = [&](uint32_t a, uint32_t b) {
    return followers_[a] != followers_[b] ? followers_[a] > followers_[b] : a < b;
  };
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top1), order.end(),
                    more_followed);
  const auto share = [&](size_t top) {
    uint64_t held = 0;
    for (size_t i = 0; i < top; ++i) held += followers_[order[i]];
    return follows_ == 0 ? 0.0 : static_cast<double>(held) / static_cast<double>(follows_);
  };
  s.top_0_1_percent_share = share(std::max<size_t>(1, n / 1000));
  s.top_1_percent_share = share(top1);
  for (size_t i = 0; i < std::min(most_followed, top1); ++i) {
    s.most_followed.emplace_back(order[i], followers_[order[i]]);
  }
  return s;
}

namespace {

// Buffered writing of decimal numbers, far faster than fprintf per line.
class EdgeWriter {
 public:
  explicit EdgeWriter(std::FILE* file) : file_(file), buffer_(kBufferBytes) {}

  void Text(std::string_view text) {
    Reserve(text.size());
    std::copy(text.begin(), text.end(), buffer_.data() + used_);
    used_ += text.size();
  }

  void Edges(uint32_t follower, std::span<const uint32_t> followed) {
    char prefix[16];
    auto end = std::to_chars(prefix, prefix + sizeof prefix, follower).ptr;
    *end++ = ' ';
    const std::string_view head(prefix, static_cast<size_t>(end - prefix));
    for (uint32_t t : followed) {
      Reserve(kMaxLineBytes);
      char* out = buffer_.data() + used_;
      out = std::copy(head.begin(), head.end(), out);
      out = std::to_chars(out, out + 16, t).ptr;
      *out++ = '\n';
      used_ = static_cast<size_t>(out - buffer_.data());
    }
  }

  // False if any write failed.
  bool Finish() {
    Flush();
    return ok_ && std::fflush(file_) == 0;
  }

 private:
  static constexpr size_t kBufferBytes = size_t{1} << 20;
  static constexpr size_t kMaxLineBytes = 2 * 10 + 2;

  void Reserve(size_t bytes) {
    if (used_ + bytes > buffer_.size()) Flush();
    if (bytes > buffer_.size()) buffer_.resize(bytes);
  }

  void Flush() {
    if (used_ > 0 && std::fwrite(buffer_.data(), 1, used_, file_) != used_) ok_ = false;
    used_ = 0;
  }

  std::FILE* file_;
  std::vector<char> buffer_;
  size_t used_ = 0;
  bool ok_ = true;
};

std::string Number(double v) {
  char text[32];
  return std::string(text, std::to_chars(text, text + sizeof text, v).ptr);
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

Result<GraphSummary> WriteGraph(const GraphOptions& options, const std::string& path) {
  if (Status s = ValidateGraphOptions(options); !s) return std::move(s).error();
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (file == nullptr) return Error::Unavailable("cannot write " + path);
  EdgeWriter writer(file.get());
  writer.Text("# chirp-bench generate-graph accounts=" + std::to_string(options.accounts) +
              " seed=" + std::to_string(options.seed) +
              " median-following=" + Number(options.median_following) + " following-sigma=" +
              Number(options.following_sigma) + " popular-share=" + Number(options.popular_share) +
              " zipf-exponent=" + Number(options.zipf_exponent) +
              "; one directed follow a line: follower followed\n");
  GraphSummarizer summary(options.accounts);
  GraphGenerator(options).Generate([&](uint32_t follower, std::span<const uint32_t> followed) {
    writer.Edges(follower, followed);
    summary.Add(follower, followed);
  });
  if (!writer.Finish()) return Error::Unavailable("writing " + path + " failed");
  if (std::fclose(file.release()) != 0) return Error::Unavailable("closing " + path + " failed");
  return summary.Finish();
}

}  // namespace chirp::loadgen
