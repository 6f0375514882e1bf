// The server side of the WebSocket protocol (RFC 6455), free of Asio: the
// handshake's accept key, an incremental parser for the frames a client sends,
// and writers for the frames the server sends. No extensions are negotiated
// (no permessage-deflate), so every RSV bit must be zero.
//
// Checking the upgrade request itself (GET, Upgrade: websocket, Connection:
// Upgrade, Sec-WebSocket-Version: 13) is the caller's; this file only knows
// the key.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace chirp {

// Close codes (RFC 6455, section 7.4.1) the parser reports or the server sends.
inline constexpr uint16_t kCloseNormal = 1000;
inline constexpr uint16_t kCloseGoingAway = 1001;  // server shutting down
inline constexpr uint16_t kCloseProtocolError = 1002;
// Reported for a close frame without a code; never sent on the wire.
inline constexpr uint16_t kCloseNoStatus = 1005;
inline constexpr uint16_t kCloseInvalidPayload = 1007;  // text that is not UTF-8
inline constexpr uint16_t kClosePolicyViolation = 1008;
inline constexpr uint16_t kCloseMessageTooBig = 1009;
inline constexpr uint16_t kCloseInternalError = 1011;

// The Sec-WebSocket-Accept value answering `sec_websocket_key`: base64 of the
// SHA-1 of the key followed by the protocol's GUID. Call only with a key
// IsValidWebSocketKey accepts.
std::string WebSocketAccept(std::string_view sec_websocket_key);

// True when `key` is canonical padded base64 of exactly 16 bytes (24
// characters), as RFC 6455 requires of Sec-WebSocket-Key. Surrounding white
// space is not accepted; the request parser already trims it.
bool IsValidWebSocketKey(std::string_view key);

// An incremental parser for the frames one client sends on one connection.
// The server feeds it the bytes it reads, in pieces of any size; the parser
// reassembles fragmented messages, delivers control frames that arrive
// between fragments, and stops after each complete message so the caller can
// handle it before feeding more.
//
// Strictness: client frames must be masked, RSV bits zero, opcodes known,
// control frames unfragmented and at most 125 bytes, lengths in their shortest
// encoding and below 2^63, fragments in order; any of these broken is a
// protocol error (1002). Text must be well-formed UTF-8 (1007), checked as it
// arrives, so a message fails at its first bad byte, and a character may be
// split between fragments. A data message longer than the limit fails with
// 1009 as soon as a frame header declares it, before its bytes are buffered.
//
// Memory: an idle parser owns no heap memory; a message's buffer grows with
// the bytes actually received, and is released after a message that made it
// larger than kRetainedCapacity. Not thread-safe; one parser per connection.
class WebSocketParser {
 public:
  enum class State : uint8_t {
    kNeedMore,  // no complete message yet: feed more bytes
    kMessage,   // a message is ready: read it, then call Next()
    kError,     // the client broke the protocol: send a close frame with
                // error_code() and close the connection
  };

  enum class MessageType : uint8_t { kText, kBinary, kPing, kPong, kClose };

  static constexpr size_t kDefaultMessageLimit = 64 * 1024;
  // Buffer capacity kept after a message is taken; more is released.
  static constexpr size_t kRetainedCapacity = 4 * 1024;

  // `message_limit`: the most payload bytes one data message may carry.
  explicit WebSocketParser(size_t message_limit = kDefaultMessageLimit)
      : message_limit_(message_limit) {}

  // Consumes bytes up to the end of the next complete message (or the first
  // error) and returns how many; the rest belongs to later frames. Consumes
  // nothing unless state() is kNeedMore, and at least one byte when it is and
  // `bytes` is not empty.
  size_t Feed(std::string_view bytes);
  State state() const { return state_; }

  // With state() kMessage. The payload of a text, binary, ping or pong
  // message, or the reason of a close (UTF-8, possibly empty); valid until
  // the next call to Feed or Next. close_code() is the code of a close
  // message: kCloseNoStatus when the frame carried none, otherwise a code a
  // client may send (1000-1003, 1007-1011, 3000-4999).
  MessageType message_type() const { return message_type_; }
  std::string_view payload() const;
  uint16_t close_code() const { return code_; }

  // With state() kError: the close code to send (1002, 1007 or 1009).
  uint16_t error_code() const { return code_; }

  // Done with the ready message: back to kNeedMore, keeping any data message
  // whose fragments a control frame interrupted. Does nothing in other
  // states. After a close message the caller answers it and stops feeding.
  void Next();

  // The heap bytes held for message buffering, for memory accounting.
  size_t buffer_capacity() const;

 private:
  // Frame header: 2 bytes, up to 8 of extended length, 4 of mask key.
  static constexpr size_t kMaxHeaderSize = 14;

  size_t FeedHeader(std::string_view bytes);
  // Checks the first two header bytes, which say how long the header is;
  // false after failing the parser.
  bool CheckFirstBytes();
  void StartPayload();
  size_t FeedPayload(std::string_view bytes);
  void FinishFrame();
  void FinishCloseFrame();
  // Feeds text bytes to the running UTF-8 check; false at the first byte
  // that cannot be part of well-formed UTF-8.
  bool CheckUtf8(std::string_view text);
  void Fail(uint16_t code) {
    state_ = State::kError;
    code_ = code;
  }

  const size_t message_limit_;
  // The data message so far, then the payload of a control frame being read
  // or ready: the control payload is buffer_[data_size_, end).
  std::string buffer_;
  size_t data_size_ = 0;
  uint64_t frame_left_ = 0;  // payload bytes of the current frame still to come

  State state_ = State::kNeedMore;
  MessageType message_type_ = MessageType::kText;  // the ready message
  MessageType data_type_ = MessageType::kText;     // the data message being assembled
  uint16_t code_ = 0;                              // close_code() or error_code()

  std::array<uint8_t, kMaxHeaderSize> header_{};
  uint8_t header_size_ = 0;    // header bytes received of the current frame
  uint8_t header_needed_ = 2;  // its full size, once known
  bool in_payload_ = false;
  bool in_data_message_ = false;  // fragments of a data message have begun
  uint8_t mask_phase_ = 0;        // which mask key byte the next payload byte takes

  // The UTF-8 check carried across frames: continuation bytes still expected
  // and the range the next one must fall in (Unicode Table 3-7).
  uint8_t utf8_needed_ = 0;
  uint8_t utf8_lower_ = 0;
  uint8_t utf8_upper_ = 0;
};

// Frame writers: one unfragmented, unmasked server frame appended to `out`,
// with the length in its shortest encoding. Control frames carry at most 125
// bytes: a longer ping or pong payload is cut to 125 bytes, a longer close
// reason to the whole UTF-8 characters within 123.
void AppendTextFrame(std::string& out, std::string_view payload);
void AppendPingFrame(std::string& out, std::string_view payload);
void AppendPongFrame(std::string& out, std::string_view payload);
// `code` must be one a close frame may carry (not 1005, 1006 or 1015).
void AppendCloseFrame(std::string& out, uint16_t code, std::string_view reason = {});

}  // namespace chirp
