#include "stream/websocket_codec.h"

#include <nettle/sha1.h>

#include <algorithm>

#include "core/secrets.h"
#include "core/text.h"
#include "stream/websocket_wire.h"

namespace chirp {
namespace {

// RFC 6455, section 1.3: appended to the client's key before hashing.
constexpr std::string_view kHandshakeGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
using namespace websocket;

// Bytes of a multi-byte UTF-8 character after its first (Unicode Table 3-7).
constexpr uint8_t kContinuationLow = 0x80;
constexpr uint8_t kContinuationHigh = 0xBF;

bool IsControl(uint8_t opcode) { return (opcode & kControlBit) != 0; }

// The codes a peer may put in a close frame (section 7.4): those defined for
// use on the wire, and the ranges for libraries and applications. 1004, 1005,
// 1006 and 1015 are reserved or local-only; others below 3000 are unassigned.
bool IsValidReceivedCloseCode(uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
         (code >= 3000 && code <= 4999);
}

void AppendFrame(std::string& out, uint8_t opcode, std::string_view payload) {
  out.push_back(static_cast<char>(kFinBit | opcode));
  const uint64_t size = payload.size();
  if (size <= kMaxShortLength) {
    out.push_back(static_cast<char>(size));
  } else if (size <= kMax16BitLength) {
    out.push_back(static_cast<char>(kLength16));
    out.push_back(static_cast<char>(size >> 8));
    out.push_back(static_cast<char>(size));
  } else {
    out.push_back(static_cast<char>(kLength64));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  }
  out.append(payload);
}

}  // namespace

std::string WebSocketAccept(std::string_view sec_websocket_key) {
  std::string input(sec_websocket_key);
  input += kHandshakeGuid;
  // SHA-1 because RFC 6455 fixes it here; it authenticates nothing.
  sha1_ctx ctx;
  sha1_init(&ctx);
  sha1_update(&ctx, input.size(), reinterpret_cast<const uint8_t*>(input.data()));
  std::array<uint8_t, SHA1_DIGEST_SIZE> digest;
  sha1_digest(&ctx, digest.size(), digest.data());
  return EncodeBase64(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

bool IsValidWebSocketKey(std::string_view key) {
  // Anything but canonical padded base64 fails to decode.
  auto decoded = DecodeBase64(key);
  return decoded && decoded->size() == kKeySize;
}

size_t WebSocketParser::Feed(std::string_view bytes) {
  size_t used = 0;
  while (state_ == State::kNeedMore) {
    const std::string_view rest = bytes.substr(used);
    if (!in_payload_) {
      if (rest.empty()) break;
      used += FeedHeader(rest);
    } else {
      // A frame whose payload is complete (or empty) finishes without input.
      if (rest.empty() && frame_left_ > 0) break;
      used += FeedPayload(rest);
    }
  }
  return used;
}

size_t WebSocketParser::FeedHeader(std::string_view bytes) {
  size_t used = 0;
  while (used < bytes.size() && header_size_ < header_needed_) {
    header_[header_size_++] = static_cast<uint8_t>(bytes[used++]);
    // The first two bytes are checked at once, so a bad frame fails before
    // the rest of its header arrives.
    if (header_size_ == 2 && !CheckFirstBytes()) return used;
  }
  if (header_size_ == header_needed_) StartPayload();
  return used;
}

bool WebSocketParser::CheckFirstBytes() {
  const uint8_t opcode = header_[0] & kOpcodeBits;
  const bool fin = (header_[0] & kFinBit) != 0;
  const uint8_t length = header_[1] & kLengthBits;
  bool valid = (header_[0] & kReservedBits) == 0 && (header_[1] & kMaskBit) != 0;
  switch (opcode) {
    case kOpContinuation:
      valid = valid && in_data_message_;
      break;
    case kOpText:
    case kOpBinary:
      valid = valid && !in_data_message_;
      break;
    case kOpClose:
    case kOpPing:
    case kOpPong:
      valid = valid && fin && length <= kMaxShortLength;
      break;
    default:
      valid = false;
  }
  if (!valid) {
    Fail(kCloseProtocolError);
    return false;
  }
  const size_t length_size = length == kLength16 ? 2 : length == kLength64 ? 8 : 0;
  header_needed_ = static_cast<uint8_t>(2 + length_size + kMaskKeySize);
  return true;
}

void WebSocketParser::StartPayload() {
  const uint8_t opcode = header_[0] & kOpcodeBits;
  const uint8_t short_length = header_[1] & kLengthBits;
  uint64_t length = short_length;
  if (short_length == kLength16) {
    length = uint64_t{header_[2]} << 8 | header_[3];
    if (length <= kMaxShortLength) return Fail(kCloseProtocolError);  // not the shortest form
  } else if (short_length == kLength64) {
    length = 0;
    for (size_t i = 2; i < 10; ++i) length = length << 8 | header_[i];
    if ((length & kLength64HighBit) != 0 || length <= kMax16BitLength) {
      return Fail(kCloseProtocolError);
    }
  }
  if (!IsControl(opcode)) {
    // data_size_ is at most the limit, so the sum cannot overflow.
    if (data_size_ + length > message_limit_) return Fail(kCloseMessageTooBig);
    if (opcode != kOpContinuation) {
      data_type_ = opcode == kOpText ? MessageType::kText : MessageType::kBinary;
      in_data_message_ = true;
      utf8_needed_ = 0;
    }
  }
  frame_left_ = length;
  mask_phase_ = 0;
  in_payload_ = true;
}

size_t WebSocketParser::FeedPayload(std::string_view bytes) {
  const size_t take = static_cast<size_t>(std::min<uint64_t>(frame_left_, bytes.size()));
  const size_t start = buffer_.size();
  buffer_.append(bytes.substr(0, take));
  const uint8_t* mask = header_.data() + header_needed_ - kMaskKeySize;
  for (size_t i = 0; i < take; ++i) {
    buffer_[start + i] = static_cast<char>(buffer_[start + i] ^ mask[(mask_phase_ + i) % 4]);
  }
  mask_phase_ = static_cast<uint8_t>((mask_phase_ + take) % 4);
  frame_left_ -= take;
  if (!IsControl(header_[0] & kOpcodeBits)) {
    data_size_ = buffer_.size();
    if (data_type_ == MessageType::kText && !CheckUtf8(std::string_view(buffer_).substr(start))) {
      Fail(kCloseInvalidPayload);
      return take;
    }
  }
  if (frame_left_ == 0) FinishFrame();
  return take;
}

void WebSocketParser::FinishFrame() {
  const uint8_t opcode = header_[0] & kOpcodeBits;
  const bool fin = (header_[0] & kFinBit) != 0;
  in_payload_ = false;
  header_size_ = 0;
  header_needed_ = 2;
  switch (opcode) {
    case kOpPing:
      message_type_ = MessageType::kPing;
      state_ = State::kMessage;
      return;
    case kOpPong:
      message_type_ = MessageType::kPong;
      state_ = State::kMessage;
      return;
    case kOpClose:
      FinishCloseFrame();
      return;
    default:
      if (!fin) return;  // more fragments to come
      if (data_type_ == MessageType::kText && utf8_needed_ != 0) {
        return Fail(kCloseInvalidPayload);  // the text ends inside a character
      }
      in_data_message_ = false;
      message_type_ = data_type_;
      state_ = State::kMessage;
  }
}

void WebSocketParser::FinishCloseFrame() {
  const std::string_view body = std::string_view(buffer_).substr(data_size_);
  uint16_t code = kCloseNoStatus;
  if (!body.empty()) {
    if (body.size() < kCloseCodeSize) return Fail(kCloseProtocolError);
    code =
        static_cast<uint16_t>(static_cast<uint8_t>(body[0]) << 8 | static_cast<uint8_t>(body[1]));
    if (!IsValidReceivedCloseCode(code)) return Fail(kCloseProtocolError);
    if (!IsValidUtf8(body.substr(kCloseCodeSize))) return Fail(kCloseInvalidPayload);
  }
  code_ = code;
  message_type_ = MessageType::kClose;
  state_ = State::kMessage;
}

bool WebSocketParser::CheckUtf8(std::string_view text) {
  // Unicode Table 3-7: the first byte fixes how many continuation bytes
  // follow and narrows the range of the first of them, which is what rules
  // out overlong forms (E0, F0), surrogates (ED) and code points above
  // U+10FFFF (F4). C0, C1 and F5-FF never appear.
  for (const char ch : text) {
    const auto c = static_cast<uint8_t>(ch);
    if (utf8_needed_ > 0) {
      if (c < utf8_lower_ || c > utf8_upper_) return false;
      --utf8_needed_;
      utf8_lower_ = kContinuationLow;
      utf8_upper_ = kContinuationHigh;
      continue;
    }
    if (c < 0x80) continue;
    utf8_lower_ = kContinuationLow;
    utf8_upper_ = kContinuationHigh;
    if (c >= 0xC2 && c <= 0xDF) {
      utf8_needed_ = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      utf8_needed_ = 2;
      if (c == 0xE0) utf8_lower_ = 0xA0;
      if (c == 0xED) utf8_upper_ = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      utf8_needed_ = 3;
      if (c == 0xF0) utf8_lower_ = 0x90;
      if (c == 0xF4) utf8_upper_ = 0x8F;
    } else {
      return false;
    }
  }
  return true;
}

std::string_view WebSocketParser::payload() const {
  if (state_ != State::kMessage) return {};
  const std::string_view all = buffer_;
  switch (message_type_) {
    case MessageType::kText:
    case MessageType::kBinary:
      return all;
    case MessageType::kClose:
      return all.substr(data_size_ + (code_ == kCloseNoStatus ? 0 : kCloseCodeSize));
    case MessageType::kPing:
    case MessageType::kPong:
      break;
  }
  return all.substr(data_size_);
}

void WebSocketParser::Next() {
  if (state_ != State::kMessage) return;
  state_ = State::kNeedMore;
  if (message_type_ != MessageType::kText && message_type_ != MessageType::kBinary) {
    buffer_.resize(data_size_);  // drop the control payload, keep the fragments before it
    return;
  }
  data_size_ = 0;
  buffer_.clear();
  // Most connections sit idle between small messages: one large message
  // must not pin its buffer for the life of the connection.
  if (buffer_.capacity() > kRetainedCapacity) std::string().swap(buffer_);
}

size_t WebSocketParser::buffer_capacity() const { return buffer_.capacity(); }

void AppendTextFrame(std::string& out, std::string_view payload) {
  AppendFrame(out, kOpText, payload);
}

void AppendPingFrame(std::string& out, std::string_view payload) {
  AppendFrame(out, kOpPing, payload.substr(0, kMaxShortLength));
}

void AppendPongFrame(std::string& out, std::string_view payload) {
  AppendFrame(out, kOpPong, payload.substr(0, kMaxShortLength));
}

void AppendCloseFrame(std::string& out, uint16_t code, std::string_view reason) {
  size_t reason_size = std::min(reason.size(), kMaxShortLength - kCloseCodeSize);
  // Back up to the start of a character, so the cut reason stays UTF-8.
  while (reason_size > 0 && reason_size < reason.size() &&
         (static_cast<uint8_t>(reason[reason_size]) & 0xC0) == kContinuationLow) {
    --reason_size;
  }
  std::string body;
  body.push_back(static_cast<char>(code >> 8));
  body.push_back(static_cast<char>(code));
  body.append(reason.substr(0, reason_size));
  AppendFrame(out, kOpClose, body);
}

}  // namespace chirp
