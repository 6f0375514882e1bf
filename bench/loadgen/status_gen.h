// Deterministic statuses to pre-populate a benchmark graph with: a history of
// each account's posts over the past days, written to a file that chirpd's
// bulk importer and the PostgreSQL baseline both load, so that both serve
// the same timelines.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace chirp::loadgen {

// `per_account` statuses for each account of `accounts` (account numbers,
// as in the graph's edge file), their times drawn uniformly from the `days`
// before `now_ms`, their texts as the post workload writes them without
// mentions (words, sometimes a link and a hashtag; up to 256 characters).
// The output depends only on the options, and `now_ms` moves every time by
// the same amount without changing anything else.
struct StatusOptions {
  std::vector<uint32_t> accounts;
  uint32_t per_account = 100;
  double days = 7;
  int64_t now_ms = 0;
  uint64_t seed = 1;
};

// kBadRequest naming the offending option: no accounts, no statuses per
// account, or days outside (0, 3650].
Status ValidateStatusOptions(const StatusOptions& options);

// Calls sink(account, created_at_ms, text) for every status, oldest first
// (ties by account number, then by the account's own order), so that an
// importer whose ids follow time appends to its tables rather than writing
// all over them. `text` is valid only during the call. Memory: 16 bytes a
// status. Precondition: ValidateStatusOptions(options) is ok.
using StatusSink =
    std::function<void(uint32_t account, int64_t created_at_ms, std::string_view text)>;
void GenerateStatuses(const StatusOptions& options, const StatusSink& sink);

// The accounts numbered in an edge file ("a b" lines; other lines such as
// '#' comments are skipped), ascending. kUnavailable if it cannot be read.
Result<std::vector<uint32_t>> AccountsOfGraph(const std::string& edges_path);

// Writes the statuses to `path`: one '#' line naming the options, then one
// status a line, "ACCOUNT<TAB>CREATED_AT_MS<TAB>TEXT" (texts hold no tab,
// backslash or line break). Returns the number of statuses written;
// kUnavailable if the file cannot be written.
Result<uint64_t> WriteStatuses(const StatusOptions& options, const std::string& path);

}  // namespace chirp::loadgen
