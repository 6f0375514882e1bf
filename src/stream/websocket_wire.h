// The fixed numbers of the WebSocket frame format (RFC 6455, section 5.2),
// shared by the server's codec and the benchmark's client.
#pragma once

#include <cstddef>
#include <cstdint>

namespace chirp::websocket {

// The first header byte.
inline constexpr uint8_t kFinBit = 0x80;
inline constexpr uint8_t kReservedBits = 0x70;
inline constexpr uint8_t kOpcodeBits = 0x0F;
// The second.
inline constexpr uint8_t kMaskBit = 0x80;
inline constexpr uint8_t kLengthBits = 0x7F;

inline constexpr uint8_t kOpContinuation = 0x0;
inline constexpr uint8_t kOpText = 0x1;
inline constexpr uint8_t kOpBinary = 0x2;
inline constexpr uint8_t kOpClose = 0x8;
inline constexpr uint8_t kOpPing = 0x9;
inline constexpr uint8_t kOpPong = 0xA;
inline constexpr uint8_t kControlBit = 0x8;  // set in the opcodes of control frames

// The 7-bit length field: a length itself up to 125, or which wider field
// follows.
inline constexpr uint8_t kMaxShortLength = 125;
inline constexpr uint8_t kLength16 = 126;
inline constexpr uint8_t kLength64 = 127;
inline constexpr uint64_t kMax16BitLength = 0xFFFF;
inline constexpr uint64_t kLength64HighBit = uint64_t{1} << 63;

inline constexpr size_t kMaskKeySize = 4;
inline constexpr size_t kCloseCodeSize = 2;
inline constexpr size_t kKeySize = 16;  // bytes of a Sec-WebSocket-Key, decoded

}  // namespace chirp::websocket
