// A run's results for people (an aligned table) and for scripts (JSON).
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
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

// Sets out[name] to the value, or to null when there is none.
template <typename T>
void PutOptional(boost::json::object& out, std::string_view name, const std::optional<T>& value) {
  if (value) {
    out[name] = *value;
  } else {
    out[name] = nullptr;
  }
}

// Appends `line` to the file at `path` as one line of JSON (the --json
// files); kUnavailable when it cannot be written.
Status AppendJsonLine(const std::string& path, const boost::json::object& line);

// Units of the reports.
double Seconds(std::chrono::microseconds d);
double Millis(uint64_t micros);

}  // namespace chirp::loadgen
