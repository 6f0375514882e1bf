// What chirpd's commands share: reporting a failure and opening the store
// a configuration names.
#pragma once

#include <memory>
#include <string>

#include "app/config.h"
#include "core/error.h"
#include "store/sqlite/sqlite_store.h"

namespace chirp {

// Prints "chirpd: MESSAGE" to stderr; returns the exit status of a failed
// command (2).
int Fail(const std::string& message);

// The process environment, for ParseConfig.
std::string Env(const std::string& name);

// The store in config.data_dir (created when missing), migrated to the
// current schema, its writer with a page cache of `writer_cache_mib`.
Result<std::unique_ptr<SqliteStore>> OpenStore(const Config& config, int writer_cache_mib = 64);

}  // namespace chirp
