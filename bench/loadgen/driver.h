// The HTTP driver: keep-alive HTTP/1.1 connections over TCP that send a
// workload's requests and time the answers, in a closed or an open loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "run_result.h"
#include "workload.h"

namespace chirp::loadgen {

// One complete answer, as LoadOptions::on_answer sees it.
struct Answer {
  RequestKind kind = RequestKind::kStatic;
  int status = 0;
  std::string_view body;  // valid during the call only
  std::chrono::steady_clock::time_point arrived;
};

struct LoadOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 80;
  // Threads, each with its own event loop; connections are dealt out to
  // them in turn.
  int threads = 2;
  int connections = 64;
  // Requests per second over all connections. 0 runs a closed loop: each
  // connection sends its next request as soon as the previous one is
  // answered. Above 0 runs an open loop: each connection has a fixed
  // schedule (connections / rate apart, staggered between connections),
  // sends each request at its scheduled time or, when the previous answer
  // is late, as soon as that answer arrives; latency counts from the
  // scheduled time, so a stalled server shows in the percentiles
  // (coordinated omission is corrected).
  double rate = 0;
  // Requests first sent during the warm-up are not counted; the measured
  // window follows it for `duration`. A request belongs to the window when
  // it starts (is sent, or in an open loop is scheduled) within it; a closed
  // loop's requests still unanswered at the end are dropped, an open loop's
  // count as unfinished.
  std::chrono::microseconds warmup{0};
  std::chrono::microseconds duration{std::chrono::seconds(10)};
  // Closed loop only: when non-zero, latencies are also recorded with
  // Histogram::RecordCorrected for this expected interval between requests.
  std::chrono::microseconds expected_interval{0};
  // Connection i's request stream is seeded with DeriveSeed(seed, i).
  uint64_t seed = 1;
  // When set, called once as the measured window starts (after the
  // warm-up), on a thread of its own while the load runs: to sample the
  // server at the start of the window. RunLoad returns after it does.
  std::function<void()> at_window_start;
  // When set, every answer (warm-up and window alike, whatever its status)
  // is handed here as it completes, on its connection's thread, so it must
  // be thread-safe when there are several threads. Bodies are then kept in
  // memory, one per connection at a time.
  std::function<void(const Answer&)> on_answer;
};

// kBadRequest for options out of range (no threads or connections, a
// negative rate, a duration of 0).
Status ValidateLoadOptions(const LoadOptions& options);

// Drives `workload` against host:port for warm-up plus duration and
// returns what the window measured. Connection failures do not end the run:
// they are counted in transport_errors and the connection is opened again
// (after a short pause when connecting failed). kBadRequest for invalid
// options, kUnavailable if the host does not resolve. Blocks the calling
// thread; starts and joins `threads` threads.
Result<RunResult> RunLoad(const LoadOptions& options, const Workload& workload);

}  // namespace chirp::loadgen
