#include "stream_report.h"

#include <boost/json/array.hpp>
#include <string_view>

#include "report.h"

namespace chirp::loadgen {
namespace {

namespace json = boost::json;

constexpr std::string_view kStreamConnections = "chirp_stream_connections";
constexpr double kBytesPerMegabyte = 1024.0 * 1024.0;
// The table's percentiles (the JSON has those of LatencyJson).
struct Column {
  double p;
  const char* name;
};
constexpr Column kTablePercentiles[] = {
    {50, "p50 ms"}, {90, "p90 ms"}, {99, "p99 ms"}, {99.9, "p99.9 ms"}};

double Megabytes(uint64_t bytes) { return static_cast<double>(bytes) / kBytesPerMegabyte; }
unsigned long long Count(uint64_t n) { return static_cast<unsigned long long>(n); }

const char* ModeName(const StreamBenchOptions& o) { return o.latency_mode() ? "latency" : "idle"; }

std::optional<uint64_t> Resident(const std::optional<ServerSample>& s) {
  return s ? s->resident_bytes : std::nullopt;
}

std::optional<double> StreamConnections(const std::optional<ServerSample>& s) {
  if (!s) return std::nullopt;
  auto it = s->metrics.find(std::string(kStreamConnections));
  if (it == s->metrics.end()) return std::nullopt;
  return it->second;
}

json::object CountsJson(const std::map<std::string, uint64_t>& counts) {
  json::object o;
  for (const auto& [what, n] : counts) o[what] = n;
  return o;
}

void PrintCounts(std::FILE* out, const char* what, const std::map<std::string, uint64_t>& counts) {
  for (const auto& [reason, n] : counts) {
    std::fprintf(out, "%s: %s x %llu\n", what, reason.c_str(), Count(n));
  }
}

void PrintLatencyRow(std::FILE* out, const char* name, const char* unit, const Histogram& h) {
  std::fprintf(out, "%-9s %10llu %-7s", name, Count(h.Count()), unit);
  for (const Column& c : kTablePercentiles) {
    std::fprintf(out, " %9.3f", Millis(h.ValueAtPercentile(c.p)));
  }
  std::fprintf(out, " %9.3f\n", Millis(h.Max()));
}

void PrintServer(std::FILE* out, const StreamServerFigures& s, const StreamResult& r) {
  if (s.resident_opened) {
    std::fprintf(out, "server: resident %.1f MB before, %.1f MB with the connections open",
                 Megabytes(s.resident_before.value_or(0)), Megabytes(*s.resident_opened));
    if (s.bytes_per_connection) {
      std::fprintf(out, " (%+.1f MB: %.0f bytes per connection)",
                   static_cast<double>(*s.resident_delta) / kBytesPerMegabyte,
                   *s.bytes_per_connection);
    }
    if (s.resident_end) std::fprintf(out, ", %.1f MB at the end", Megabytes(*s.resident_end));
    std::fprintf(out, "\n");
  }
  if (s.stream_connections_opened) {
    std::fprintf(out, "server: %s %.0f before, %.0f after opening", kStreamConnections.data(),
                 s.stream_connections_before.value_or(0), *s.stream_connections_opened);
    if (s.stream_connections_end) {
      std::fprintf(out, ", %.0f at the end", *s.stream_connections_end);
    }
    std::fprintf(out, "\n");
  }
  for (const std::string& e : r.probe_errors)
    std::fprintf(out, "server sample failed %s\n", e.c_str());
}

}  // namespace

StreamServerFigures ServerFigures(const StreamResult& r) {
  StreamServerFigures s;
  s.resident_before = Resident(r.before);
  s.resident_opened = Resident(r.opened);
  s.resident_end = Resident(r.end);
  if (s.resident_before && s.resident_opened) {
    s.resident_delta =
        static_cast<int64_t>(*s.resident_opened) - static_cast<int64_t>(*s.resident_before);
    if (r.connections.opened > 0) {
      s.bytes_per_connection =
          static_cast<double>(*s.resident_delta) / static_cast<double>(r.connections.opened);
    }
  }
  s.stream_connections_before = StreamConnections(r.before);
  s.stream_connections_opened = StreamConnections(r.opened);
  s.stream_connections_end = StreamConnections(r.end);
  return s;
}

void PrintStreamReport(std::FILE* out, const StreamReport& report) {
  const StreamBenchOptions& o = report.options;
  const StreamResult& r = report.result;
  const StreamConnectionStats& c = r.connections;
  std::fprintf(out, "%s%sstream %s, %d connections over %d threads, ", report.label.c_str(),
               report.label.empty() ? "" : ": ", ModeName(o), o.connections, o.threads);
  if (o.latency_mode()) {
    std::fprintf(out, "%.0f posts/s over %d connections for %.1f s, ", o.post_rate,
                 o.poster_connections, Seconds(o.duration));
  } else {
    std::fprintf(out, "held %.1f s, ", Seconds(o.duration));
  }
  std::fprintf(out, "%s\n", report.url.c_str());
  std::fprintf(out,
               "connections: %llu opened, %llu failed, in %.2f s; %llu dropped before the end; "
               "%llu pings answered; %llu messages (%llu updates, %llu not events)\n",
               Count(c.opened), Count(c.failed()), Seconds(r.open_time), Count(c.dropped()),
               Count(c.pings), Count(c.messages), Count(c.updates), Count(c.bad_messages));
  PrintCounts(out, "upgrade failed", c.failures);
  PrintCounts(out, "dropped", c.drops);

  std::fprintf(out, "%-9s %10s %-7s", "latency", "count", "");
  for (const Column& column : kTablePercentiles) std::fprintf(out, " %9s", column.name);
  std::fprintf(out, " %9s\n", "max ms");
  PrintLatencyRow(out, "upgrade", "conns", c.upgrade_latency);
  if (o.latency_mode()) {
    const KindResult posts = r.posts.Total();
    const DeliveryReport& d = r.delivery;
    PrintLatencyRow(out, "post", "answers", posts.latency);
    PrintLatencyRow(out, "delivery", "events", d.latency);
    std::fprintf(out, "posts: %llu answered with a status id, %llu without one, %llu unfinished\n",
                 Count(d.posts), Count(r.posts_without_id), Count(r.posts.unfinished));
    for (const auto& [status, n] : posts.errors_by_status) {
      std::fprintf(out, "post error: HTTP %d x %llu\n", status, Count(n));
    }
    PrintCounts(out, "post error", r.posts.transport_errors);
    std::fprintf(out,
                 "events: %llu of %llu expected (%llu per post); %llu missing after waiting "
                 "%.2f s, %llu duplicates, %llu before the post's answer (counted as 0 ms), "
                 "%llu of statuses not posted here\n",
                 Count(d.events), Count(d.posts * r.expected_per_post), Count(r.expected_per_post),
                 Count(d.missing), Seconds(r.drain_time), Count(d.duplicates), Count(d.early),
                 Count(d.unmatched));
  }
  PrintServer(out, ServerFigures(r), r);
}

json::object StreamReportJson(const StreamReport& report) {
  const StreamBenchOptions& o = report.options;
  const StreamResult& r = report.result;
  const StreamConnectionStats& c = r.connections;
  json::object out;
  if (!report.label.empty()) out["label"] = report.label;
  out["workload"] = "stream";
  out["mode"] = ModeName(o);
  out["url"] = report.url;
  out["connections"] = o.connections;
  out["threads"] = o.threads;
  out["duration_s"] = Seconds(o.duration);
  out["seed"] = o.seed;
  out["connections_opened"] = c.opened;
  out["connections_failed"] = c.failed();
  out["failures"] = CountsJson(c.failures);
  out["open_s"] = Seconds(r.open_time);
  out["upgrade_latency_ms"] = LatencyJson(c.upgrade_latency);
  out["connections_dropped"] = c.dropped();
  out["drops"] = CountsJson(c.drops);
  out["pings_answered"] = c.pings;
  out["messages"] = c.messages;
  out["updates"] = c.updates;
  out["bad_messages"] = c.bad_messages;
  if (o.latency_mode()) {
    const KindResult posts = r.posts.Total();
    const DeliveryReport& d = r.delivery;
    out["post_rate_rps"] = o.post_rate;
    out["posters"] = o.posters.size();
    out["poster_connections"] = o.poster_connections;
    json::object p;
    p["requests"] = posts.requests;
    p["throughput_rps"] = static_cast<double>(posts.requests) / Seconds(o.duration);
    p["latency_ms"] = LatencyJson(posts.latency);
    json::object by_status;
    for (const auto& [status, n] : posts.errors_by_status) by_status[std::to_string(status)] = n;
    p["errors_by_status"] = std::move(by_status);
    p["errors_by_transport"] = CountsJson(r.posts.transport_errors);
    p["unfinished"] = r.posts.unfinished;
    p["without_id"] = r.posts_without_id;
    out["posts"] = std::move(p);
    json::object e;
    e["posts"] = d.posts;
    e["expected_per_post"] = r.expected_per_post;
    e["expected"] = d.posts * r.expected_per_post;
    e["events"] = d.events;
    e["missing"] = d.missing;
    e["duplicates"] = d.duplicates;
    e["early"] = d.early;
    e["unmatched"] = d.unmatched;
    e["drain_s"] = Seconds(r.drain_time);
    e["latency_ms"] = LatencyJson(d.latency);
    out["delivery"] = std::move(e);
  }
  const StreamServerFigures s = ServerFigures(r);
  if (r.before || !r.probe_errors.empty()) {
    json::object server;
    PutOptional(server, "resident_bytes_before", s.resident_before);
    PutOptional(server, "resident_bytes_opened", s.resident_opened);
    PutOptional(server, "resident_bytes_end", s.resident_end);
    PutOptional(server, "resident_delta_bytes", s.resident_delta);
    PutOptional(server, "bytes_per_connection", s.bytes_per_connection);
    PutOptional(server, "stream_connections_before", s.stream_connections_before);
    PutOptional(server, "stream_connections_opened", s.stream_connections_opened);
    PutOptional(server, "stream_connections_end", s.stream_connections_end);
    json::array errors;
    for (const std::string& e : r.probe_errors) errors.push_back(json::string(e));
    server["sample_errors"] = std::move(errors);
    out["server"] = std::move(server);
  }
  return out;
}

}  // namespace chirp::loadgen
