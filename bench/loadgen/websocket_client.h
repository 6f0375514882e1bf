// The client side of the WebSocket protocol (RFC 6455) for the streaming
// benchmark, free of Asio: the upgrade request and the check of its answer,
// masked client frames, and an incremental parser of the frames a server
// sends. No extensions are offered, so every RSV bit must be zero.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "prng.h"

namespace chirp::loadgen {

enum class WsOpcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// A Sec-WebSocket-Key: base64 of 16 bytes drawn from `rng`.
std::string NewWebSocketKey(Prng& rng);

// The GET request that asks to upgrade `target` (path and query) to a
// WebSocket, offering `key`. With a `bearer` token it adds an
// Authorization header; the streaming API also takes ?access_token=.
std::string WebSocketUpgradeRequest(std::string_view host_header, std::string_view target,
                                    std::string_view key, std::string_view bearer = {});

// The server's answer to the upgrade, judged from the bytes received so far.
struct UpgradeCheck {
  enum class State : uint8_t {
    kNeedMore,  // the head is not complete yet
    kAccepted,  // 101 with Upgrade: websocket and the right accept key
    kRefused,   // anything else; `reason` says what
  };
  State state = State::kNeedMore;
  // kAccepted: the bytes of the head; those after it are the first frames.
  size_t head_bytes = 0;
  // The answer's status once its status line is complete, else 0.
  int status = 0;
  // kRefused: e.g. "status 401", "wrong Sec-WebSocket-Accept".
  std::string reason;
};

// Heads longer than this are refused rather than buffered.
inline constexpr size_t kMaxUpgradeHeadBytes = 16 * 1024;

// Checks the answer to an upgrade that offered `key`. `received` holds every
// byte read since the request was sent; call again with more while kNeedMore.
UpgradeCheck CheckUpgradeAnswer(std::string_view received, std::string_view key);

// Appends one unfragmented client frame to `out`: FIN set, the payload
// masked with `mask_key` (clients must mask every frame), the length in its
// shortest encoding. Control frames (close, ping, pong) must carry at most
// 125 bytes; the caller keeps to that.
void AppendClientFrame(std::string& out, WsOpcode opcode, std::string_view payload,
                       uint32_t mask_key);

// An incremental parser for the frames one server sends on one connection.
// Feed it the bytes read, in pieces of any size: it reassembles fragmented
// messages, delivers control frames that arrive between fragments, and stops
// after each complete message so the caller can handle it before feeding
// more.
//
// A server breaks the protocol (kError, with a reason) when it masks a
// frame, sets an RSV bit, uses an unknown opcode, fragments a control frame
// or gives it more than 125 bytes, sends a continuation outside a message or
// a new data frame inside one, or sends a data message longer than the
// limit. Text is not checked for UTF-8: the benchmark parses it as JSON.
//
// Memory: an idle parser owns no heap memory once a message larger than
// kRetainedCapacity has been taken. Not thread-safe; one per connection.
class ServerFrameParser {
 public:
  enum class State : uint8_t { kNeedMore, kMessage, kError };
  enum class MessageType : uint8_t { kText, kBinary, kPing, kPong, kClose };

  static constexpr size_t kDefaultMessageLimit = 4 * 1024 * 1024;
  static constexpr size_t kRetainedCapacity = 16 * 1024;
  // Reported by close_code() for a close frame without a code.
  static constexpr uint16_t kNoStatus = 1005;

  explicit ServerFrameParser(size_t message_limit = kDefaultMessageLimit)
      : message_limit_(message_limit) {}

  // Consumes bytes up to the end of the next complete message (or the first
  // error) and returns how many; the rest belongs to later frames. Consumes
  // nothing unless state() is kNeedMore.
  size_t Feed(std::string_view bytes);
  State state() const { return state_; }

  // With state() kMessage: the message's type and payload (for a close, the
  // reason after the code), valid until the next Feed or Next.
  MessageType message_type() const { return message_type_; }
  std::string_view payload() const;
  // For a close message: its code, or kNoStatus.
  uint16_t close_code() const { return close_code_; }

  // With state() kError: what the server got wrong.
  std::string_view error() const { return error_; }

  // Done with the ready message: back to kNeedMore, keeping a data message
  // whose fragments a control frame interrupted. Does nothing in other
  // states.
  void Next();

 private:
  // Frame header: 2 bytes and up to 8 of extended length (servers do not mask).
  static constexpr size_t kMaxHeaderSize = 10;

  size_t FeedHeader(std::string_view bytes);
  // Checks a complete header and prepares for its payload; false after
  // failing the parser.
  bool StartFrame();
  void FinishFrame();
  void Fail(std::string reason) {
    state_ = State::kError;
    error_ = std::move(reason);
  }

  const size_t message_limit_;
  std::string data_;     // the data message so far
  std::string control_;  // the control frame being read or ready
  uint64_t frame_left_ = 0;

  State state_ = State::kNeedMore;
  MessageType message_type_ = MessageType::kText;  // the ready message
  MessageType data_type_ = MessageType::kText;     // the data message being assembled
  uint16_t close_code_ = kNoStatus;
  std::string error_;

  uint8_t header_[kMaxHeaderSize] = {};
  uint8_t header_size_ = 0;    // bytes of the current frame's header received
  uint8_t header_needed_ = 2;  // its full size, once known
  bool in_payload_ = false;
  bool frame_is_control_ = false;
  bool frame_fin_ = false;
  WsOpcode frame_opcode_ = WsOpcode::kText;
  bool in_data_message_ = false;  // fragments of a data message have begun
};

}  // namespace chirp::loadgen
