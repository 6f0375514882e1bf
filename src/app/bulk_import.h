// The operators' bulk path (chirpd admin import-graph and import-statuses):
// a follow graph and a history of statuses written straight into the store,
// millions of rows in minutes, in bounded memory. Nothing is fanned out or
// notified, so import while no server uses the store; home timelines are
// built from the store when first read.
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "core/snowflake.h"
#include "store/store.h"

namespace chirp {

struct GraphImport {
  std::string edges_path;
  std::string prefix = "user";
  bool one_way = false;
};

struct GraphImportResult {
  int64_t accounts = 0;  // named in the file, existing ones included
  int64_t follows = 0;   // added
};

// Reads "a b" lines of node numbers (other lines, such as '#' comments, are
// skipped): an account PREFIXa for each node (an existing username keeps its
// account), a follow a -> b, and b -> a as well unless `one_way`; then
// recounts followers. kUnavailable when the file cannot be read, kBadRequest
// for node numbers above 1,000,000,000.
Result<GraphImportResult> ImportGraph(Store& store, SnowflakeGenerator& ids, const Clock& clock,
                                      const GraphImport& options);

struct StatusImport {
  std::string statuses_path;
  std::string prefix = "user";
  // The origin links to hashtags and mentions are rendered with, as a post
  // through the API renders them with the server's URL.
  std::string base_url = "http://localhost";
  // Ids come from each status's time and this worker id.
  int64_t worker_id = SnowflakeGenerator::kMaxWorker;
  int max_characters = 280;
};

struct StatusImportResult {
  int64_t statuses = 0;  // added
  // Lines skipped: not "ACCOUNT<TAB>MS<TAB>TEXT" with a time after 2020 and
  // a text of 1 to max_characters characters (the '#' first line of
  // chirp-bench's files is not counted).
  int64_t malformed = 0;
  int64_t unknown_account = 0;  // lines skipped: no account PREFIXn
};

// Reads "ACCOUNT<TAB>CREATED_AT_MS<TAB>TEXT" lines (chirp-bench
// generate-statuses writes them): a public status of account PREFIX<ACCOUNT>
// created then, its text rendered as a post's (links, hashtags, mentions of
// local accounts), its id from its time (SnowflakeGenerator::IdAt); then
// recounts each account's statuses. kUnavailable when the file cannot be
// read or the store fails.
Result<StatusImportResult> ImportStatuses(Store& store, const StatusImport& options);

}  // namespace chirp
