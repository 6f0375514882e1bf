#include "events/lane_metrics.h"

#include <cstdint>
#include <functional>

namespace chirp {
namespace {

void AppendSeries(std::string& out, const OutboxDrainer& drainer, const char* name,
                  const char* help, const char* type,
                  const std::function<int64_t(const EventLane&)>& value) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  for (const EventLane* lane : drainer.lanes()) {
    // Lane names are code's, not input: no escaping needed.
    out += std::string(name) + "{consumer=\"" + lane->name() + "\"} " +
           std::to_string(value(*lane)) + "\n";
  }
}

}  // namespace

void AppendLaneMetrics(const OutboxDrainer& drainer, std::string& out) {
  AppendSeries(out, drainer, "chirp_event_lane_handled_total",
               "Outbox events handled, by consumer.", "counter",
               [](const EventLane& l) { return static_cast<int64_t>(l.handled()); });
  AppendSeries(out, drainer, "chirp_event_lane_position",
               "Id of the last outbox event a consumer handled or set aside.", "gauge",
               [](const EventLane& l) { return l.position(); });
  AppendSeries(out, drainer, "chirp_event_lane_pending",
               "Outbox events committed after a consumer's position.", "gauge",
               [](const EventLane& l) { return l.pending(); });
  AppendSeries(out, drainer, "chirp_event_lane_running",
               "1 when this process runs the consumer's lane now (a durable lane, or a "
               "partition of one, runs in one process at a time).",
               "gauge", [](const EventLane& l) { return l.running() ? 1 : 0; });
  AppendSeries(out, drainer, "chirp_event_lane_lag_milliseconds",
               "From the commit of the newest event a consumer handled to its handling.", "gauge",
               [](const EventLane& l) { return l.lag().last_ms(); });
  AppendSeries(out, drainer, "chirp_event_dead_letters_total",
               "Events set aside as dead letters after failing every attempt, by consumer.",
               "counter",
               [](const EventLane& l) { return static_cast<int64_t>(l.dead_letters_written()); });
  AppendSeries(out, drainer, "chirp_event_dead_letters_waiting",
               "Dead letters kept in the store for replay or drop, by consumer.", "gauge",
               [](const EventLane& l) { return l.dead_letters_waiting(); });
}

void AppendOutboxDepth(EventLog& log, std::string& out) {
  auto depth = log.CountOutbox();
  if (!depth) return;
  out += "# HELP chirp_outbox_depth Events the outbox holds, not yet trimmed.\n"
         "# TYPE chirp_outbox_depth gauge\nchirp_outbox_depth " +
         std::to_string(*depth) + "\n";
}

}  // namespace chirp
