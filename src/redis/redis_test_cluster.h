// For tests: a real Redis Cluster of this machine's Redis (Debian's
// redis-server 7.0), three masters with a replica each, on 127.0.0.1 and
// ephemeral ports, started by scripts/redis.sh and stopped with the test
// process (also when the process dies: the script's watcher stops it).
//
// Shared() is started on first use and shared by a binary's tests, which
// keep apart by their keys (Prefix()); tests that break the cluster (kill a
// master, move slots) Start() one of their own.
//
// CHIRP_TEST_REDIS=redis://host:port,... makes Shared() use that cluster.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "redis/redis_cluster.h"

namespace chirp {

class RedisTestCluster {
 public:
  // The binary's shared cluster. Thread-safe.
  static Result<RedisTestCluster*> Shared();
  // A new client of the shared cluster (Shared, then Connect).
  static Result<std::unique_ptr<RedisCluster>> ConnectShared();
  // A cluster of the caller's own, stopped when the result is destroyed.
  static Result<std::unique_ptr<RedisTestCluster>> Start();
  ~RedisTestCluster();

  // The seed list: redis://127.0.0.1:PORT,...
  const std::string& url() const { return url_; }
  // A new client of the cluster, with a short retry window unless given.
  Result<std::unique_ptr<RedisCluster>> Connect(int retry_window_ms = 15000) const;
  // A key prefix no other test of this process has used ("t7:").
  static std::string Prefix();
  // Ends the node at `address` with SIGKILL, as a crash would.
  Status Kill(const std::string& address) const;

 private:
  RedisTestCluster() = default;
  std::string dir_;  // empty for an external cluster
  std::string url_;
};

}  // namespace chirp
