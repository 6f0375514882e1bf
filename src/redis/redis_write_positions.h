// Accounts' write positions (store/write_positions.h) in the Redis
// Cluster, so that every API instance sees where an account's last write
// through any of them ended: one key an account, `<prefix>wal:<id>`, raised
// by a Lua script (never lowered, whatever order two writes' records
// arrive in) and expiring `keep_ms` after the last write. A record counts
// once a replica of its master has it, so a master's failover loses none.
#pragma once

#include <string>

#include "redis/redis_cluster.h"
#include "store/write_positions.h"

namespace chirp {

struct RedisWritePositionsOptions {
  std::string prefix = "chirp:";
  int64_t keep_ms = 60'000;
};

class RedisWritePositions final : public WritePositions {
 public:
  // `cluster` must outlive this.
  RedisWritePositions(RedisCluster& cluster, RedisWritePositionsOptions options);
  Status Record(int64_t account_id, uint64_t position) override;
  Result<uint64_t> Find(int64_t account_id) override;

  std::string KeyOf(int64_t account_id) const;

 private:
  RedisCluster& cluster_;
  const RedisWritePositionsOptions options_;
  const RedisScript raise_;
};

}  // namespace chirp
