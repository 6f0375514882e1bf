// Redis Cluster's key space: 16,384 hash slots, a key's slot being the
// CRC16 (XMODEM) of the key modulo 16,384, or of its hash tag: the part
// between the first '{' and the next '}' when that part is not empty. Keys
// that must live on one node (a script's keys) share a hash tag.
#pragma once

#include <cstdint>
#include <string_view>

namespace chirp {

inline constexpr int kRedisSlots = 16384;

// CRC16 with polynomial 0x1021 and initial value 0, as Redis Cluster uses.
uint16_t RedisCrc16(std::string_view bytes);

// The hash slot that serves `key`.
int RedisHashSlot(std::string_view key);

}  // namespace chirp
