// A run's results for people (an aligned table) and for scripts (JSON).
#pragma once

#include <boost/json/object.hpp>
#include <cstdio>
#include <optional>
#include <string>

#include "driver.h"
#include "run_result.h"
#include "server_probe.h"

namespace chirp::loadgen {

struct RunReport {
  std::string label;  // free text from the command line, may be empty
  std::string url;
  std::string workload;
  LoadOptions options;
  RunResult result;
  std::optional<ServerReport> server;
};

// The table: one row per kind of request seen, and a total row when there
// are several; then bytes, errors and the server's figures. Latencies in
// milliseconds.
void PrintReport(std::FILE* out, const RunReport& report);

// One JSON object describing the run; the fields are documented in
// bench/loadgen/README.md.
boost::json::object ReportJson(const RunReport& report);

// A histogram of microseconds in milliseconds: count, mean, min, p50, p90,
// p99, p99_9 and max (the `latency_ms` objects of the reports).
boost::json::object LatencyJson(const Histogram& h);

}  // namespace chirp::loadgen
