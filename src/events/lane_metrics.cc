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
  AppendSeries(out, drainer, "chirp_event_dead_letters_total",
               "Events set aside as dead letters after failing every attempt, by consumer.",
               "counter",
               [](const EventLane& l) { return static_cast<int64_t>(l.dead_letters_written()); });
  AppendSeries(out, drainer, "chirp_event_dead_letters_waiting",
               "Dead letters kept in the store for replay or drop, by consumer.", "gauge",
               [](const EventLane& l) { return l.dead_letters_waiting(); });
}

}  // namespace chirp
