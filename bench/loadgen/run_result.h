// What one run of the load generator measured.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "histogram.h"
#include "workload.h"

namespace chirp::loadgen {

// The requests of one kind that belong to the measured window (see
// LoadOptions for which those are).
struct KindResult {
  // Answers received, whatever their status.
  uint64_t requests = 0;
  // Answers with a status outside 200-399, by status.
  std::map<int, uint64_t> errors_by_status;
  // Bytes of the answers, heads included.
  uint64_t bytes = 0;
  // Microseconds from the request's start (its send in a closed loop, its
  // scheduled time in an open one) to its whole answer.
  Histogram latency;
  // A closed loop's latencies corrected for coordinated omission; empty
  // unless an expected interval was given.
  Histogram corrected_latency;

  uint64_t error_count() const;
  void Merge(const KindResult& other);
};

// The sum of counts kept by reason (errors, failures, drops).
uint64_t TotalCount(const std::map<std::string, uint64_t>& by_reason);

struct RunResult {
  std::array<KindResult, kRequestKindCount> kinds;
  // Connections that failed or broke, by "phase: reason" (e.g. "connect:
  // Connection refused"); each lost the request it carried, if any.
  std::map<std::string, uint64_t> transport_errors;
  // Open loop: requests scheduled in the window but not answered by its
  // end. Their latency is recorded as the time from schedule to the end of
  // the window, a lower bound.
  uint64_t unfinished = 0;
  // TCP connections established, warm-up included.
  uint64_t connections_opened = 0;

  // All kinds together.
  KindResult Total() const;
  uint64_t transport_error_count() const;
  void Merge(const RunResult& other);
};

}  // namespace chirp::loadgen
