// Reads every parameter of a parsed request in every typed way, as handlers
// would, so that fuzzing covers the accessors as well as the parsers.
#pragma once

#include "http/params.h"

namespace chirp {

inline void ExerciseReads(const Params& params, int depth = 0) {
  if (depth > 3) return;
  for (const auto& entry : params.root()) {
    const std::string_view key = entry.key();
    (void)params.String(key);
    (void)params.Bool(key);
    (void)params.Int(key);
    (void)params.StringList(key);
    if (auto group = params.Group(key)) ExerciseReads(*group, depth + 1);
    for (const Params& item : params.GroupList(key)) ExerciseReads(item, depth + 1);
  }
}

}  // namespace chirp
