#include "server_probe.h"

#include <algorithm>
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <vector>

#include "http_response_parser.h"

namespace chirp::loadgen {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::string_view kCacheHits = "chirp_timeline_cache_hits_total";
constexpr std::string_view kCacheMisses = "chirp_timeline_cache_misses_total";
constexpr std::string_view kTimelineEntries = "chirp_timeline_entries";
constexpr std::string_view kEventsLag = "chirp_events_lag_milliseconds";
constexpr std::string_view kTimelineEntryBytes = "chirp_timeline_entry_bytes";
constexpr std::string_view kFanoutLag = "chirp_events_lag_seconds";
constexpr size_t kBytesPerKilobyte = 1024;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<double> Find(const std::map<std::string, double>& m, std::string_view name) {
  auto it = m.find(std::string(name));
  if (it == m.end()) return std::nullopt;
  return it->second;
}

}  // namespace

std::map<std::string, double> ParsePrometheusText(std::string_view text) {
  std::map<std::string, double> out;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    const std::string_view line = Trim(text.substr(0, eol));
    text = eol == std::string_view::npos ? "" : text.substr(eol + 1);
    if (line.empty() || line.front() == '#') continue;
    // The series ends after its labels, if any, else at the first blank.
    size_t series_end = line.find('{');
    if (series_end != std::string_view::npos) {
      series_end = line.find('}', series_end);
      if (series_end == std::string_view::npos) continue;
      ++series_end;
    } else {
      series_end = line.find_first_of(" \t");
      if (series_end == std::string_view::npos) continue;
    }
    std::string_view value = Trim(line.substr(series_end));
    value = value.substr(0, value.find_first_of(" \t"));
    double v = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size()) continue;
    out[std::string(line.substr(0, series_end))] = v;
  }
  return out;
}

std::optional<uint64_t> ParseResidentBytes(std::string_view proc_status) {
  constexpr std::string_view kKey = "VmRSS:";
  const size_t at = proc_status.find(kKey);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = proc_status.substr(at + kKey.size());
  rest = Trim(rest.substr(0, rest.find('\n')));
  uint64_t kilobytes = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), kilobytes);
  if (ec != std::errc() || Trim(std::string_view(end, rest.data() + rest.size() - end)) != "kB") {
    return std::nullopt;
  }
  return kilobytes * kBytesPerKilobyte;
}

Result<std::string> FetchUrl(const HttpUrl& url, std::chrono::milliseconds timeout) {
  asio::io_context io;
  tcp::resolver resolver(io);
  tcp::socket socket(io);
  boost::system::error_code failure;
  ResponseParser parser(/*keep_body=*/true);
  const std::string request = "GET " + url.target + " HTTP/1.1\r\nHost: " + url.HostHeader() +
                              "\r\nConnection: close\r\n\r\n";
  std::array<char, 16 * 1024> buffer;
  std::function<void()> read = [&] {
    socket.async_read_some(asio::buffer(buffer), [&](boost::system::error_code ec, size_t n) {
      if (ec == asio::error::eof) return parser.FinishOnEof();
      if (ec) {
        failure = ec;
        return;
      }
      parser.Feed(std::string_view(buffer.data(), n));
      if (parser.state() == ResponseParser::State::kNeedMore) read();
    });
  };
  resolver.async_resolve(url.host, std::to_string(url.port), [&](auto ec, auto endpoints) {
    if (ec) {
      failure = ec;
      return;
    }
    asio::async_connect(socket, endpoints, [&](auto ec, auto) {
      if (ec) {
        failure = ec;
        return;
      }
      asio::async_write(socket, asio::buffer(request), [&](auto ec, size_t) {
        if (ec) {
          failure = ec;
          return;
        }
        read();
      });
    });
  });
  io.run_for(timeout);
  const std::string where = url.HostHeader() + url.target;
  if (failure) return Error::Unavailable("GET " + where + ": " + failure.message());
  if (parser.state() != ResponseParser::State::kDone) {
    return Error::Unavailable("GET " + where + ": no complete answer" +
                              (parser.error().empty() ? "" : ": " + std::string(parser.error())));
  }
  if (parser.status() != 200) {
    return Error::Unavailable("GET " + where + ": status " + std::to_string(parser.status()));
  }
  return std::string(parser.body());
}

Result<ServerSample> ServerProbe::Sample() const {
  ServerSample sample;
  if (metrics_url_) {
    constexpr std::chrono::seconds kMetricsTimeout(5);
    auto body = FetchUrl(*metrics_url_, kMetricsTimeout);
    if (!body) return std::move(body).error();
    sample.metrics = ParsePrometheusText(*body);
  }
  if (pid_ > 0) {
    const std::string path = "/proc/" + std::to_string(pid_) + "/status";
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) return Error::Unavailable("cannot read " + path);
    sample.resident_bytes = ParseResidentBytes(text.str());
    if (!sample.resident_bytes) return Error::Unavailable("no VmRSS in " + path);
  }
  return sample;
}

std::optional<double> HistogramQuantileBetween(const std::map<std::string, double>& before,
                                               const std::map<std::string, double>& after,
                                               std::string_view name, double quantile) {
  const std::string prefix = std::string(name) + "_bucket{le=\"";
  std::vector<std::pair<double, double>> buckets;  // (bound, cumulative count gained)
  for (auto it = after.lower_bound(prefix); it != after.end() && it->first.starts_with(prefix);
       ++it) {
    const std::string_view le =
        std::string_view(it->first).substr(prefix.size(), it->first.size() - prefix.size() - 2);
    double bound = std::numeric_limits<double>::infinity();
    if (le != "+Inf") {
      auto [end, ec] = std::from_chars(le.data(), le.data() + le.size(), bound);
      if (ec != std::errc() || end != le.data() + le.size()) continue;
    }
    buckets.emplace_back(bound, it->second - Find(before, it->first).value_or(0));
  }
  std::sort(buckets.begin(), buckets.end());
  if (buckets.empty() || buckets.back().second <= 0) return std::nullopt;
  const double wanted = quantile * buckets.back().second;
  for (const auto& [bound, count] : buckets) {
    if (count >= wanted) {
      if (std::isinf(bound)) return std::nullopt;
      return bound;
    }
  }
  return std::nullopt;
}

ServerReport CompareSamples(const ServerSample& before, const ServerSample& after) {
  ServerReport r;
  r.resident_bytes_before = before.resident_bytes;
  r.resident_bytes_after = after.resident_bytes;
  r.has_metrics = !after.metrics.empty();
  if (!r.has_metrics) return r;
  const auto delta = [&](std::string_view name) {
    return Find(after.metrics, name).value_or(0) - Find(before.metrics, name).value_or(0);
  };
  r.timeline_cache_hits = delta(kCacheHits);
  r.timeline_cache_misses = delta(kCacheMisses);
  const double reads = r.timeline_cache_hits + r.timeline_cache_misses;
  if (reads > 0) r.timeline_cache_hit_rate = r.timeline_cache_hits / reads;
  r.timeline_entries = Find(after.metrics, kTimelineEntries);
  r.events_lag_ms = Find(after.metrics, kEventsLag);
  r.timeline_entry_bytes = Find(after.metrics, kTimelineEntryBytes);
  r.fanout_lag_events = delta(std::string(kFanoutLag) + "_count");
  const auto lag_ms = [&](double quantile) -> std::optional<double> {
    auto seconds = HistogramQuantileBetween(before.metrics, after.metrics, kFanoutLag, quantile);
    if (!seconds) return std::nullopt;
    return *seconds * 1000;
  };
  r.fanout_lag_p50_ms = lag_ms(0.5);
  r.fanout_lag_p99_ms = lag_ms(0.99);
  return r;
}

}  // namespace chirp::loadgen
