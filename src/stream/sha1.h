// SHA-1 (FIPS 180-4), for the one place a protocol fixes it: the WebSocket
// opening handshake (RFC 6455, section 4.2.2). SHA-1 no longer resists
// collisions; never use it to authenticate anything or to tell contents apart.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace chirp {

inline constexpr size_t kSha1DigestSize = 20;

// The 160-bit digest of `data`. Pure; safe from any thread.
std::array<uint8_t, kSha1DigestSize> Sha1(std::string_view data);

}  // namespace chirp
