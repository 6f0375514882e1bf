// Drains the outbox in process (the embedded deployment): each consumer is
// registered under a name and runs in a lane of its own (event_lane.h),
// with its own thread and cursor, so that a slow or failing consumer delays
// only itself. The drainer wakes every lane on each commit of the store,
// and the outbox keeps an event until every lane has passed it.
//
//   OutboxDrainer drainer(store, clock);
//   EventLane& fan_out_lane = drainer.Add(fan_out, {.name = "fan_out"});
//   drainer.Add(notifier, {.name = "notifier", .cursor = CursorKind::kDurable});
//   drainer.Open();   // before the store takes requests: volatile lanes start at its end
//   drainer.Start();
//
// Consumers must be idempotent: an event may come twice (after a crash, a
// durable lane resumes from its last saved cursor).
#pragma once

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "events/event_consumer.h"
#include "events/event_lane.h"
#include "events/trim_point.h"
#include "store/events.h"

namespace chirp {

class OutboxDrainer {
 public:
  // `log` and `clock` must outlive the drainer.
  OutboxDrainer(EventLog& log, const Clock& clock);
  // For tests and tools: each consumer in a durable lane of its own, named
  // "consumer1", "consumer2"... in order.
  OutboxDrainer(EventLog& log, const Clock& clock, const std::vector<EventConsumer*>& consumers);
  ~OutboxDrainer();  // stops the lanes after the steps in hand
  OutboxDrainer(const OutboxDrainer&) = delete;
  OutboxDrainer& operator=(const OutboxDrainer&) = delete;

  // Registers `consumer` (which must outlive the drainer) in a new lane;
  // before Open.
  EventLane& Add(EventConsumer& consumer, LaneOptions options);

  // Positions every lane (see CursorKind). Fails on a store error or when
  // two lanes share a name. Start and DrainNow open the lanes if this was
  // not called; call it early when volatile lanes must start before writes
  // that their consumers' state does not reflect.
  Status Open();
  // Starts each lane's thread, and wakes them all on every commit.
  Status Start();
  // Stops the lanes and the wake-ups. Idempotent.
  void Stop();
  // Steps every lane on the calling thread until each has caught up or
  // pauses after a failure (the first such failure is returned; the other
  // lanes still drain). For tests and tools; not to be mixed with Start.
  Status DrainNow();

  // The lane named `name`, or null.
  const EventLane* Find(std::string_view name) const;
  // Every lane, in registration order.
  std::vector<const EventLane*> lanes() const;

 private:
  // The commit listener's view of the lanes: emptied by Stop, under its
  // mutex, so that a listener still running on the writer thread never
  // wakes a lane that is going away.
  struct WakeList {
    std::mutex mu;
    std::vector<EventLane*> lanes;  // guarded by mu
  };

  EventLog& log_;
  const Clock& clock_;
  TrimPoint trim_;
  // Shared with the commit listener, which may still be running on the
  // writer's thread while the drainer goes away.
  std::shared_ptr<OutboxWindow> window_;
  std::vector<std::unique_ptr<EventLane>> lanes_;
  std::shared_ptr<WakeList> wake_list_ = std::make_shared<WakeList>();
  bool opened_ = false;
  bool started_ = false;
};

}  // namespace chirp
