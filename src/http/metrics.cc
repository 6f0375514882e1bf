#include "http/metrics.h"

#include <cstdio>

namespace chirp {

HttpMetrics::HttpMetrics(std::vector<std::string> route_names) : names_(std::move(route_names)) {
  names_.push_back("unmatched");
  routes_ = std::make_unique<PerRoute[]>(names_.size());
}

void HttpMetrics::Observe(size_t route, int status, int64_t micros) {
  if (route >= names_.size()) route = names_.size() - 1;
  PerRoute& r = routes_[route];
  if (status >= kMinStatus && status < kMinStatus + kStatusSlots) {
    r.by_status[status - kMinStatus].fetch_add(1, std::memory_order_relaxed);
  }
  const double seconds = static_cast<double>(micros) / 1e6;
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  r.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  r.sum_micros.fetch_add(static_cast<uint64_t>(micros < 0 ? 0 : micros), std::memory_order_relaxed);
}

void HttpMetrics::Render(std::string& out) const {
  char line[512];
  out += "# HELP chirp_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE chirp_http_requests_total counter\n";
  for (size_t i = 0; i < names_.size(); ++i) {
    for (int s = 0; s < kStatusSlots; ++s) {
      const uint64_t n = routes_[i].by_status[s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::snprintf(line, sizeof line,
                    "chirp_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                    names_[i].c_str(), s + kMinStatus, static_cast<unsigned long long>(n));
      out += line;
    }
  }
  out +=
      "# HELP chirp_http_request_duration_seconds Time from request headers read to response "
      "written.\n";
  out += "# TYPE chirp_http_request_duration_seconds histogram\n";
  for (size_t i = 0; i < names_.size(); ++i) {
    const PerRoute& r = routes_[i];
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b)
      cumulative += r.buckets[b].load(std::memory_order_relaxed);
    if (cumulative == 0) continue;
    uint64_t running = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      running += r.buckets[b].load(std::memory_order_relaxed);
      if (b < kBuckets.size()) {
        std::snprintf(line, sizeof line,
                      "chirp_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                      names_[i].c_str(), kBuckets[b], static_cast<unsigned long long>(running));
      } else {
        std::snprintf(line, sizeof line,
                      "chirp_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                      names_[i].c_str(), static_cast<unsigned long long>(running));
      }
      out += line;
    }
    std::snprintf(line, sizeof line,
                  "chirp_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                  "chirp_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                  names_[i].c_str(), static_cast<double>(r.sum_micros.load()) / 1e6,
                  names_[i].c_str(), static_cast<unsigned long long>(running));
    out += line;
  }
  out +=
      "# HELP chirp_http_in_flight Requests being handled now.\n# TYPE chirp_http_in_flight "
      "gauge\n";
  out += "chirp_http_in_flight " + std::to_string(in_flight_.load()) + "\n";
  out +=
      "# HELP chirp_http_connections Connections held now.\n"
      "# TYPE chirp_http_connections gauge\n"
      "chirp_http_connections " +
      std::to_string(connections_.load()) +
      "\n# HELP chirp_http_connections_refused_total Connections refused at a cap.\n"
      "# TYPE chirp_http_connections_refused_total counter\n"
      "chirp_http_connections_refused_total " +
      std::to_string(refused_connections_.load()) +
      "\n# HELP chirp_http_requests_shed_total Requests answered 503 rather than queued for the "
      "blocking pool or run past their deadline.\n"
      "# TYPE chirp_http_requests_shed_total counter\n"
      "chirp_http_requests_shed_total " +
      std::to_string(shed_requests_.load()) + "\n";
}

}  // namespace chirp
