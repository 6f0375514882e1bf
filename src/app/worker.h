// `chirpd worker`: a process of the scaled-out deployment that serves no
// API and runs the durable consumers of the event stream (the notifier;
// fan-out into Redis), beside the API instances, over the same PostgreSQL
// database. Every process competes for each durable consumer, or each
// partition of one (events/lane_group.h), and one at a time runs it
// (EventLog::HoldLane): a worker killed mid-batch is replaced by another,
// or by an API instance, from the cursor it last saved; its consumers are
// idempotent, so what it did again shows once. With --metrics-listen it
// serves /metrics (its lanes, the outbox's depth) and /ready there.
#pragma once

#include "app/config.h"

namespace chirp {

// Runs until SIGTERM or SIGINT; the process's exit status. Refuses the
// embedded store, whose one process runs every consumer itself.
int Work(const Config& config);

}  // namespace chirp
