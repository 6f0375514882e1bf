// The benchmark's accounts and their credentials, as a tokens file lists
// them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace chirp::loadgen {

struct BenchAccount {
  int64_t id = 0;
  std::string username;
  std::string token;
};

// Parses a tokens file's text: one account a line, "account_id username
// token" separated by spaces or tabs. Blank lines and lines starting with
// '#' are skipped. kBadRequest naming the line for anything else.
Result<std::vector<BenchAccount>> ParseAccounts(std::string_view text);

// Reads and parses the file at `path`; kUnavailable if it cannot be read.
Result<std::vector<BenchAccount>> LoadAccounts(const std::string& path);

// An inclusive range of account ids, for targets that need no credentials.
struct IdRange {
  int64_t first = 0;
  int64_t last = -1;
  bool empty() const { return last < first; }
  uint64_t size() const { return empty() ? 0 : static_cast<uint64_t>(last - first) + 1; }
};

// Parses "FIRST-LAST" (inclusive, non-negative, FIRST <= LAST).
Result<IdRange> ParseIdRange(std::string_view text);

}  // namespace chirp::loadgen
