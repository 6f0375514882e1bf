#include "redis/redis_write_positions.h"

#include <charconv>

namespace chirp {
namespace {

// KEYS[1] the account's key; ARGV[1] the position, ARGV[2] how long to
// keep it (ms). Positions are below 2^53 (petabytes of log), exact as
// Lua's numbers.
constexpr char kRaise[] = R"lua(
local kept = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > kept then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
)lua";

}  // namespace

RedisWritePositions::RedisWritePositions(RedisCluster& cluster, RedisWritePositionsOptions options)
    : cluster_(cluster), options_(std::move(options)), raise_(kRaise) {}

std::string RedisWritePositions::KeyOf(int64_t account_id) const {
  return options_.prefix + "wal:" + std::to_string(account_id);
}

Status RedisWritePositions::Record(int64_t account_id, uint64_t position) {
  const RedisCommand command = RedisCommand::Script(
      raise_, {KeyOf(account_id)}, {std::to_string(position), std::to_string(options_.keep_ms)});
  auto replies = cluster_.RunAll(std::span(&command, 1), RedisBatchOptions{.replicas = 1});
  if (!replies) return std::move(replies).error();
  if ((*replies)[0].is_error()) return Error::Unavailable("Redis: " + (*replies)[0].str);
  return {};
}

Result<uint64_t> RedisWritePositions::Find(int64_t account_id) {
  auto reply = cluster_.Run({.args = {"GET", KeyOf(account_id)}});
  if (!reply) return std::move(reply).error();
  if (reply->is_nil()) return uint64_t{0};
  if (reply->is_error()) return Error::Unavailable("Redis: " + reply->str);
  uint64_t position = 0;
  const auto r = std::from_chars(reply->str.data(), reply->str.data() + reply->str.size(), position);
  if (r.ec != std::errc()) return Error::Internal("a write position that is not a number");
  return position;
}

}  // namespace chirp
