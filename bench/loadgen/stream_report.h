// The streaming benchmark's results for people (a summary and a latency
// table) and for scripts (one JSON object).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "stream_bench.h"

namespace chirp::loadgen {

struct StreamReport {
  std::string label;  // free text from the command line, may be empty
  std::string url;
  StreamBenchOptions options;
  StreamResult result;
};

// The server's side of a run, from the samples of StreamResult.
struct StreamServerFigures {
  std::optional<uint64_t> resident_before;
  std::optional<uint64_t> resident_opened;
  std::optional<uint64_t> resident_end;
  // resident_opened - resident_before, over the connections opened (which
  // must be above 0); negative when the server shrank meanwhile.
  std::optional<int64_t> resident_delta;
  std::optional<double> bytes_per_connection;
  // chirp_stream_connections in each sample.
  std::optional<double> stream_connections_before;
  std::optional<double> stream_connections_opened;
  std::optional<double> stream_connections_end;
};

StreamServerFigures ServerFigures(const StreamResult& result);

void PrintStreamReport(std::FILE* out, const StreamReport& report);

// One JSON object describing the run; the fields are documented in
// bench/loadgen/README.md.
boost::json::object StreamReportJson(const StreamReport& report);

}  // namespace chirp::loadgen
