// Running a tool (ffmpeg, ffprobe) as a child process with limits: its
// memory (address space) and CPU time bounded by the kernel, its wall time
// by a deadline after which it is killed, its output kept within a bound.
// Nothing of the tool is linked into Chirp: a crash or a hang in it costs
// one upload, never the server.
//
// Thread-safe: any number of children may run at once, each waited for by
// the thread that started it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"

namespace chirp {

struct ChildLimits {
  std::chrono::milliseconds wall_time{120'000};
  int cpu_seconds = 240;
  uint64_t address_space_bytes = uint64_t{3} << 30;
  size_t max_output = 1 << 20;  // bytes of stdout kept; stderr keeps its last 4 KiB
};

struct ChildResult {
  int exit_code = -1;      // -1 when it did not exit by itself
  bool timed_out = false;  // killed at the wall-time deadline
  int signal = 0;          // the signal that ended it, if one did
  std::string output;      // its standard output, up to max_output bytes
  std::string errors;      // the end of its standard error
  bool ok() const { return exit_code == 0; }
};

// Runs `argv` (argv[0] looked up in PATH) with `limits`, its standard input
// /dev/null. `inherit` are descriptors the child receives as 3, 4, ... in
// order (/dev/fd/3 names the first), so that it reads files the parent
// opened. kInternal when the child cannot be started.
Result<ChildResult> RunChild(const std::vector<std::string>& argv, const ChildLimits& limits,
                             const std::vector<int>& inherit = {});

}  // namespace chirp
