// What the server says about itself around a run: its Prometheus metrics
// (timeline cache, fan-out lag) and its resident memory.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.h"
#include "http_url.h"

namespace chirp::loadgen {

// Sample lines of the Prometheus text format: series (name with its labels,
// as written) -> value. Comments, blank and malformed lines are skipped;
// timestamps after the value are ignored.
std::map<std::string, double> ParsePrometheusText(std::string_view text);

// The `quantile` (in (0, 1]) of what the Prometheus histogram `name`
// observed between two samples (its `name_bucket{le="..."}` series): the
// upper bound of the bucket it falls in, as the histogram has no finer
// knowledge; nullopt when nothing was observed or it falls beyond the last
// finite bound.
std::optional<double> HistogramQuantileBetween(const std::map<std::string, double>& before,
                                               const std::map<std::string, double>& after,
                                               std::string_view name, double quantile);

// The VmRSS line of a /proc/PID/status text, in bytes; nullopt if absent.
std::optional<uint64_t> ParseResidentBytes(std::string_view proc_status);

// GET `url` on a fresh connection and returns the body of a 200 answer.
// kUnavailable when it cannot connect, the answer is not 200, or nothing
// complete arrives within `timeout`.
Result<std::string> FetchUrl(const HttpUrl& url, std::chrono::milliseconds timeout);

struct ServerSample {
  std::map<std::string, double> metrics;   // empty without a metrics URL
  std::optional<uint64_t> resident_bytes;  // nullopt without a pid
};

// The server-side figures of a run, from a sample before and one after.
struct ServerReport {
  bool has_metrics = false;
  double timeline_cache_hits = 0;                 // delta over the run
  double timeline_cache_misses = 0;               // delta over the run
  std::optional<double> timeline_cache_hit_rate;  // nullopt without reads
  std::optional<double> timeline_entries;         // after the run
  std::optional<double> events_lag_ms;            // after the run
  // Fan-out lag (an event's commit to its handling by every consumer) of
  // the events handled during the run: their number and, from chirpd's
  // histogram, the bucket bounds of their p50 and p99.
  double fanout_lag_events = 0;
  std::optional<double> fanout_lag_p50_ms;
  std::optional<double> fanout_lag_p99_ms;
  std::optional<double> timeline_entry_bytes;  // the size of one entry
  std::optional<uint64_t> resident_bytes_before;
  std::optional<uint64_t> resident_bytes_after;
};

ServerReport CompareSamples(const ServerSample& before, const ServerSample& after);

// Samples a server's metrics (when given a URL) and memory (when given a
// pid greater than 0).
class ServerProbe {
 public:
  ServerProbe(std::optional<HttpUrl> metrics_url, int pid)
      : metrics_url_(std::move(metrics_url)), pid_(pid) {}

  // kUnavailable when the metrics cannot be fetched or the process's
  // status cannot be read.
  Result<ServerSample> Sample() const;

 private:
  std::optional<HttpUrl> metrics_url_;
  int pid_;
};

}  // namespace chirp::loadgen
