// `chirpd worker`: a process of the scaled-out deployment that serves no
// HTTP and runs the durable consumers of the event stream (the notifier
// today), beside the API instances, over the same PostgreSQL database.
// Every process competes for each durable consumer and one at a time runs
// it (EventLog::HoldLane): a worker killed mid-batch is replaced by
// another, or by an API instance, from the cursor it last saved; its
// consumers are idempotent, so what it did again shows once.
#pragma once

#include "app/config.h"

namespace chirp {

// Runs until SIGTERM or SIGINT; the process's exit status. Refuses the
// embedded store, whose one process runs every consumer itself.
int Work(const Config& config);

}  // namespace chirp
