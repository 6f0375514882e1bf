// Request metrics in the Prometheus text format: counts by route and status
// and latency histograms by route. Recording is lock-free (relaxed atomics),
// so every request can record without contention.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace chirp {

class HttpMetrics {
 public:
  // Latency bucket upper bounds, in seconds.
  static constexpr std::array<double, 14> kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0};

  // `route_names` by route index; requests that matched no route are counted
  // under the name "unmatched".
  explicit HttpMetrics(std::vector<std::string> route_names);

  // Thread-safe. `route` is a route index, or route_count() for unmatched.
  void Observe(size_t route, int status, int64_t micros);
  size_t route_count() const { return names_.size() - 1; }

  // Appends chirp_http_requests_total, chirp_http_request_duration_seconds,
  // chirp_http_in_flight and the connection and shedding figures to `out`.
  void Render(std::string& out) const;

  std::atomic<int64_t>& in_flight() { return in_flight_; }
  // Connections held now (those taken over by the streaming API included).
  std::atomic<int64_t>& connections() { return connections_; }
  // Connections refused at a cap, and requests shed before the blocking pool.
  std::atomic<uint64_t>& refused_connections() { return refused_connections_; }
  std::atomic<uint64_t>& shed_requests() { return shed_requests_; }

 private:
  static constexpr int kMinStatus = 100;
  static constexpr int kStatusSlots = 500;  // 100..599
  struct PerRoute {
    std::array<std::atomic<uint64_t>, kStatusSlots> by_status{};
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  // last: +Inf
    std::atomic<uint64_t> sum_micros{0};
  };
  std::vector<std::string> names_;
  std::unique_ptr<PerRoute[]> routes_;
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int64_t> connections_{0};
  std::atomic<uint64_t> refused_connections_{0};
  std::atomic<uint64_t> shed_requests_{0};
};

}  // namespace chirp
