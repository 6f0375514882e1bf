#include "app/command_support.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace chirp {

int Fail(const std::string& message) {
  std::fprintf(stderr, "chirpd: %s\n", message.c_str());
  return 2;
}

std::string Env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v != nullptr ? v : "";
}

Result<std::unique_ptr<SqliteStore>> OpenStore(const Config& config, int writer_cache_mib) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Error::Unavailable("cannot create " + config.data_dir + ": " + ec.message());
  SqliteStoreOptions options;
  options.path = (std::filesystem::path(config.data_dir) / "chirp.db").string();
  options.synchronous = config.synchronous;
  // One read connection for every thread that may read, so none waits for one.
  options.readers = config.server.blocking_threads + 4;
  options.writer_cache_mib = writer_cache_mib;
  return SqliteStore::Open(options);
}

}  // namespace chirp
