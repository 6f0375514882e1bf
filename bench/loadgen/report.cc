#include "report.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <string_view>
#include <vector>

namespace chirp::loadgen {

constexpr double kMicrosPerMilli = 1000.0;

double Seconds(std::chrono::microseconds d) { return static_cast<double>(d.count()) / 1e6; }

double Millis(uint64_t micros) { return static_cast<double>(micros) / kMicrosPerMilli; }

Status AppendJsonLine(const std::string& path, const boost::json::object& line) {
  std::ofstream out(path, std::ios::app);
  out << boost::json::serialize(line) << "\n";
  if (!out) return Error::Unavailable("cannot write " + path);
  return {};
}

namespace {

namespace json = boost::json;

constexpr double kBytesPerMegabyte = 1024.0 * 1024.0;

// The percentiles reported, with their JSON and table names.
struct Percentile {
  double p;
  const char* json_name;
  const char* column;
};
constexpr Percentile kPercentiles[] = {
    {50, "p50", "p50 ms"},
    {90, "p90", "p90 ms"},
    {99, "p99", "p99 ms"},
    {99.9, "p99_9", "p99.9 ms"},
};

double PerSecond(uint64_t n, const LoadOptions& o) {
  return static_cast<double>(n) / Seconds(o.duration);
}

const char* Mode(const LoadOptions& o) { return o.rate > 0 ? "open" : "closed"; }

json::object StatusJson(const std::map<int, uint64_t>& by_status) {
  json::object o;
  for (const auto& [status, count] : by_status) o[std::to_string(status)] = count;
  return o;
}

json::object KindJson(const KindResult& k, const LoadOptions& o) {
  json::object out;
  out["requests"] = k.requests;
  out["throughput_rps"] = PerSecond(k.requests, o);
  out["bytes_received"] = k.bytes;
  out["latency_ms"] = LatencyJson(k.latency);
  if (k.corrected_latency.Count() > 0)
    out["corrected_latency_ms"] = LatencyJson(k.corrected_latency);
  out["errors_by_status"] = StatusJson(k.errors_by_status);
  return out;
}

// The kinds a run touched, in their enum order.
std::vector<RequestKind> KindsSeen(const RunResult& r) {
  std::vector<RequestKind> seen;
  for (size_t i = 0; i < r.kinds.size(); ++i) {
    const KindResult& k = r.kinds[i];
    if (k.requests > 0 || k.latency.Count() > 0 || !k.errors_by_status.empty()) {
      seen.push_back(static_cast<RequestKind>(i));
    }
  }
  return seen;
}

void PrintRow(std::FILE* out, std::string_view name, const KindResult& k, const LoadOptions& o) {
  std::fprintf(out, "%-10.*s %10llu %11.1f", static_cast<int>(name.size()), name.data(),
               static_cast<unsigned long long>(k.requests), PerSecond(k.requests, o));
  for (const Percentile& p : kPercentiles) {
    std::fprintf(out, " %9.3f", Millis(k.latency.ValueAtPercentile(p.p)));
  }
  std::fprintf(out, " %9.3f %8llu\n", Millis(k.latency.Max()),
               static_cast<unsigned long long>(k.error_count()));
}

}  // namespace

json::object LatencyJson(const Histogram& h) {
  json::object o;
  o["count"] = h.Count();
  o["mean"] = h.Mean() / kMicrosPerMilli;
  o["min"] = Millis(h.Min());
  for (const Percentile& p : kPercentiles) o[p.json_name] = Millis(h.ValueAtPercentile(p.p));
  o["max"] = Millis(h.Max());
  return o;
}

void PrintReport(std::FILE* out, const RunReport& report) {
  const LoadOptions& o = report.options;
  const RunResult& r = report.result;
  std::fprintf(out, "%s%s%s workload, %s loop, ", report.label.c_str(),
               report.label.empty() ? "" : ": ", report.workload.c_str(), Mode(o));
  if (o.rate > 0) std::fprintf(out, "%.0f req/s over ", o.rate);
  std::fprintf(out, "%d connections, %d threads, %.1f s after %.1f s warm-up, %s\n", o.connections,
               o.threads, Seconds(o.duration), Seconds(o.warmup), report.url.c_str());
  std::fprintf(out, "%-10s %10s %11s", "kind", "requests", "req/s");
  for (const Percentile& p : kPercentiles) std::fprintf(out, " %9s", p.column);
  std::fprintf(out, " %9s %8s\n", "max ms", "errors");
  const std::vector<RequestKind> kinds = KindsSeen(r);
  for (RequestKind kind : kinds) {
    PrintRow(out, RequestKindName(kind), r.kinds[static_cast<size_t>(kind)], o);
  }
  const KindResult total = r.Total();
  if (kinds.size() != 1) PrintRow(out, "total", total, o);
  if (total.corrected_latency.Count() > 0) {
    std::fprintf(out, "corrected for a %lld us interval:",
                 static_cast<long long>(o.expected_interval.count()));
    for (const Percentile& p : kPercentiles) {
      std::fprintf(out, " %s %.3f", p.column,
                   Millis(total.corrected_latency.ValueAtPercentile(p.p)));
    }
    std::fprintf(out, "\n");
  }
  std::fprintf(out, "received %.1f MB (%.1f MB/s), %llu connections opened\n",
               static_cast<double>(total.bytes) / kBytesPerMegabyte,
               static_cast<double>(total.bytes) / kBytesPerMegabyte / Seconds(o.duration),
               static_cast<unsigned long long>(r.connections_opened));
  if (r.unfinished > 0) {
    std::fprintf(out, "unfinished: %llu scheduled requests not answered by the end\n",
                 static_cast<unsigned long long>(r.unfinished));
  }
  for (const auto& [status, count] : total.errors_by_status) {
    std::fprintf(out, "error: HTTP %d x %llu\n", status, static_cast<unsigned long long>(count));
  }
  for (const auto& [what, count] : r.transport_errors) {
    std::fprintf(out, "error: %s x %llu\n", what.c_str(), static_cast<unsigned long long>(count));
  }
  if (report.server) {
    const ServerReport& s = *report.server;
    if (s.has_metrics) {
      std::fprintf(out, "server: timeline cache hits +%.0f misses +%.0f", s.timeline_cache_hits,
                   s.timeline_cache_misses);
      if (s.timeline_cache_hit_rate)
        std::fprintf(out, " (hit rate %.3f)", *s.timeline_cache_hit_rate);
      if (s.timeline_entries) std::fprintf(out, ", timeline entries %.0f", *s.timeline_entries);
      if (s.timeline_entry_bytes) std::fprintf(out, " of %.0f bytes", *s.timeline_entry_bytes);
      if (s.events_lag_ms) std::fprintf(out, ", events lag %.0f ms", *s.events_lag_ms);
      std::fprintf(out, "\n");
      if (s.fanout_lag_events > 0) {
        std::fprintf(out, "server: fan-out lag of %.0f events:", s.fanout_lag_events);
        const auto bound = [&](const char* name, const std::optional<double>& ms) {
          if (ms) {
            std::fprintf(out, " %s <= %g ms", name, *ms);
          } else {
            std::fprintf(out, " %s beyond the histogram", name);
          }
        };
        bound("p50", s.fanout_lag_p50_ms);
        bound("p99", s.fanout_lag_p99_ms);
        std::fprintf(out, "\n");
      }
    }
    if (s.resident_bytes_after) {
      std::fprintf(out, "server: resident %.1f MB before, %.1f MB after\n",
                   static_cast<double>(s.resident_bytes_before.value_or(0)) / kBytesPerMegabyte,
                   static_cast<double>(*s.resident_bytes_after) / kBytesPerMegabyte);
    }
  }
}

json::object ReportJson(const RunReport& report) {
  const LoadOptions& o = report.options;
  const RunResult& r = report.result;
  json::object out;
  if (!report.label.empty()) out["label"] = report.label;
  out["workload"] = report.workload;
  out["mode"] = Mode(o);
  out["url"] = report.url;
  out["threads"] = o.threads;
  out["connections"] = o.connections;
  out["rate_rps"] = o.rate;
  out["duration_s"] = Seconds(o.duration);
  out["warmup_s"] = Seconds(o.warmup);
  out["seed"] = o.seed;
  const KindResult total = r.Total();
  out["requests"] = total.requests;
  out["throughput_rps"] = PerSecond(total.requests, o);
  out["bytes_received"] = total.bytes;
  out["errors"] = total.error_count() + r.transport_error_count();
  out["unfinished"] = r.unfinished;
  out["connections_opened"] = r.connections_opened;
  out["latency_ms"] = LatencyJson(total.latency);
  if (total.corrected_latency.Count() > 0) {
    out["expected_interval_us"] = o.expected_interval.count();
    out["corrected_latency_ms"] = LatencyJson(total.corrected_latency);
  }
  out["errors_by_status"] = StatusJson(total.errors_by_status);
  json::object transport;
  for (const auto& [what, count] : r.transport_errors) transport[what] = count;
  out["errors_by_transport"] = std::move(transport);
  json::object kinds;
  for (RequestKind kind : KindsSeen(r)) {
    kinds[RequestKindName(kind)] = KindJson(r.kinds[static_cast<size_t>(kind)], o);
  }
  out["kinds"] = std::move(kinds);
  if (report.server) {
    const ServerReport& s = *report.server;
    json::object server;
    if (s.has_metrics) {
      server["timeline_cache_hits"] = s.timeline_cache_hits;
      server["timeline_cache_misses"] = s.timeline_cache_misses;
      PutOptional(server, "timeline_cache_hit_rate", s.timeline_cache_hit_rate);
      PutOptional(server, "timeline_entries", s.timeline_entries);
      PutOptional(server, "events_lag_ms", s.events_lag_ms);
      PutOptional(server, "timeline_entry_bytes", s.timeline_entry_bytes);
      server["fanout_lag_events"] = s.fanout_lag_events;
      PutOptional(server, "fanout_lag_p50_ms", s.fanout_lag_p50_ms);
      PutOptional(server, "fanout_lag_p99_ms", s.fanout_lag_p99_ms);
    }
    if (s.resident_bytes_after) {
      PutOptional(server, "resident_bytes_before", s.resident_bytes_before);
      PutOptional(server, "resident_bytes_after", s.resident_bytes_after);
    }
    out["server"] = std::move(server);
  }
  return out;
}

}  // namespace chirp::loadgen
