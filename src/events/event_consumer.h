// What a consumer of the event stream implements (fan-out, notifications,
// streaming, caches). Each consumer runs in a lane of its own
// (events/event_lane.h): its events come in commit order, so in order per
// account, and at least once, so handling must be idempotent.
#pragma once

#include "core/error.h"
#include "store/events.h"

namespace chirp {

class EventConsumer {
 public:
  virtual ~EventConsumer() = default;
  // Handles one event. An error stops the batch at this event, which is
  // handed out again after a pause (the store may be unavailable for a
  // moment); an event that keeps failing is set aside as a dead letter and
  // the consumer goes on without it.
  virtual Status Handle(const OutboxEvent& event) = 0;
  // Writes what Handle deferred: a consumer may gather the writes of a whole
  // batch into one transaction. Called after each batch (and before an
  // error ends one), before the batch counts as handled; when it fails, the
  // batch is handed out again (one event at a time if it keeps failing), so
  // it must drop what it gathered either way.
  virtual Status Flush() { return {}; }
  // Called on a durable lane's thread when this process takes the lane up
  // (events/event_lane.h: the first time, and again after another process
  // ran it): whatever the consumer derived in memory from earlier events may
  // be older than where the lane resumes, so it drops that.
  virtual void Resumed() {}
};

}  // namespace chirp
