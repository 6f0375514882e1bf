// The event lanes' series for /metrics, in the Prometheus text format, one
// per consumer (label consumer="NAME"):
//   chirp_event_lane_handled_total     events handled (counter)
//   chirp_event_lane_position          id of the last event handled or set aside
//   chirp_event_lane_pending           newest event seen in the outbox minus the position
//   chirp_event_lane_running           1 while this process runs the lane (durable: holds it)
//   chirp_event_lane_lag_milliseconds  commit to handling of the newest event handled
//   chirp_event_dead_letters_total     dead letters written (counter)
//   chirp_event_dead_letters_waiting   dead letters in the store (gauge)
#pragma once

#include <string>

#include "events/outbox_drainer.h"

namespace chirp {

// Appends the series of every lane of `drainer` to `out`.
void AppendLaneMetrics(const OutboxDrainer& drainer, std::string& out);

// Appends chirp_outbox_depth, the events the outbox holds (not yet
// trimmed), read from `log` (nothing when it cannot be read).
void AppendOutboxDepth(EventLog& log, std::string& out);

}  // namespace chirp
