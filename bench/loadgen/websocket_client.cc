#include "websocket_client.h"

#include <algorithm>
#include <charconv>

#include "core/secrets.h"
#include "core/text.h"
#include "stream/websocket_codec.h"
#include "stream/websocket_wire.h"

namespace chirp::loadgen {
namespace {

using namespace websocket;

// A server frame's header: the two first bytes, then 2 or 8 of extended
// length (servers send no mask key).
constexpr uint8_t kBaseHeaderSize = 2;
constexpr uint8_t kHeader16Size = kBaseHeaderSize + 2;
constexpr uint8_t kHeader64Size = kBaseHeaderSize + 8;

bool IsControl(WsOpcode op) { return (static_cast<uint8_t>(op) & kControlBit) != 0; }

bool IsKnown(uint8_t op) { return op <= kOpBinary || (op >= kOpClose && op <= kOpPong); }

// The status of "HTTP/1.x NNN reason"; 0 when the line is not one.
int ParseStatusLine(std::string_view line) {
  if (!line.starts_with("HTTP/1.") || line.size() < 12 || line[8] != ' ') return 0;
  int status = 0;
  const std::string_view digits = line.substr(9, 3);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), status);
  if (ec != std::errc() || end != digits.data() + digits.size()) return 0;
  return status;
}

}  // namespace

std::string NewWebSocketKey(Prng& rng) {
  std::string bytes(kKeySize, '\0');
  for (char& b : bytes) b = static_cast<char>(rng.Next());
  return EncodeBase64(bytes);
}

std::string WebSocketUpgradeRequest(std::string_view host_header, std::string_view target,
                                    std::string_view key, std::string_view bearer) {
  std::string out;
  out += "GET ";
  out += target;
  out += " HTTP/1.1\r\nHost: ";
  out += host_header;
  out +=
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: ";
  out += key;
  out += "\r\n";
  if (!bearer.empty()) {
    out += "Authorization: Bearer ";
    out += bearer;
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

UpgradeCheck CheckUpgradeAnswer(std::string_view received, std::string_view key) {
  UpgradeCheck check;
  const auto refuse = [&](std::string reason) {
    check.state = UpgradeCheck::State::kRefused;
    check.reason = std::move(reason);
    return check;
  };
  const size_t first_eol = received.find("\r\n");
  if (first_eol != std::string_view::npos) {
    check.status = ParseStatusLine(received.substr(0, first_eol));
    if (check.status == 0) return refuse("not an HTTP/1.1 status line");
  }
  const size_t head_end = received.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    if (received.size() > kMaxUpgradeHeadBytes) return refuse("answer head too long");
    return check;
  }
  if (check.status != 101) return refuse("status " + std::to_string(check.status));
  bool upgrade = false;
  bool connection = false;
  std::string_view accept;
  std::string_view headers = received.substr(first_eol + 2, head_end - first_eol);
  while (!headers.empty()) {
    const size_t eol = headers.find("\r\n");
    const std::string_view line = headers.substr(0, eol);
    headers.remove_prefix(eol == std::string_view::npos ? headers.size() : eol + 2);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = TrimAscii(line.substr(colon + 1));
    const std::string lower_name = AsciiLower(name);
    if (lower_name == "upgrade") upgrade = HeaderListsToken(value, "websocket");
    if (lower_name == "connection") connection = HeaderListsToken(value, "upgrade");
    if (lower_name == "sec-websocket-accept") accept = value;
  }
  if (!upgrade) return refuse("no Upgrade: websocket");
  if (!connection) return refuse("no Connection: Upgrade");
  if (accept.empty()) return refuse("no Sec-WebSocket-Accept");
  if (accept != WebSocketAccept(key)) return refuse("wrong Sec-WebSocket-Accept");
  check.state = UpgradeCheck::State::kAccepted;
  check.head_bytes = head_end + 4;
  return check;
}

void AppendClientFrame(std::string& out, WsOpcode opcode, std::string_view payload,
                       uint32_t mask_key) {
  out.push_back(static_cast<char>(kFinBit | static_cast<uint8_t>(opcode)));
  const uint64_t size = payload.size();
  if (size <= kMaxShortLength) {
    out.push_back(static_cast<char>(kMaskBit | size));
  } else if (size <= kMax16BitLength) {
    out.push_back(static_cast<char>(kMaskBit | kLength16));
    out.push_back(static_cast<char>(size >> 8));
    out.push_back(static_cast<char>(size));
  } else {
    out.push_back(static_cast<char>(kMaskBit | kLength64));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  }
  const uint8_t mask[4] = {static_cast<uint8_t>(mask_key >> 24),
                           static_cast<uint8_t>(mask_key >> 16),
                           static_cast<uint8_t>(mask_key >> 8), static_cast<uint8_t>(mask_key)};
  out.append(reinterpret_cast<const char*>(mask), sizeof mask);
  for (size_t i = 0; i < payload.size(); ++i) {
    out.push_back(static_cast<char>(static_cast<uint8_t>(payload[i]) ^ mask[i % 4]));
  }
}

std::string_view ServerFrameParser::payload() const {
  if (message_type_ == MessageType::kText || message_type_ == MessageType::kBinary) return data_;
  if (message_type_ == MessageType::kClose && close_code_ != kNoStatus) {
    return std::string_view(control_).substr(kCloseCodeSize);
  }
  return control_;
}

size_t ServerFrameParser::Feed(std::string_view bytes) {
  size_t used = 0;
  while (state_ == State::kNeedMore && used < bytes.size()) {
    const std::string_view rest = bytes.substr(used);
    if (!in_payload_) {
      used += FeedHeader(rest);
      continue;
    }
    const size_t take = static_cast<size_t>(std::min<uint64_t>(frame_left_, rest.size()));
    (frame_is_control_ ? control_ : data_).append(rest.data(), take);
    frame_left_ -= take;
    used += take;
    if (frame_left_ == 0) FinishFrame();
  }
  return used;
}

size_t ServerFrameParser::FeedHeader(std::string_view bytes) {
  size_t used = 0;
  while (header_size_ < header_needed_ && used < bytes.size()) {
    header_[header_size_++] = static_cast<uint8_t>(bytes[used++]);
    if (header_size_ == kBaseHeaderSize) {
      const uint8_t length = header_[1] & kLengthBits;
      header_needed_ = length == kLength16   ? kHeader16Size
                       : length == kLength64 ? kHeader64Size
                                             : kBaseHeaderSize;
    }
  }
  if (header_size_ == header_needed_ && StartFrame() && frame_left_ == 0) FinishFrame();
  return used;
}

bool ServerFrameParser::StartFrame() {
  const uint8_t first = header_[0];
  const uint8_t second = header_[1];
  header_size_ = 0;
  header_needed_ = kBaseHeaderSize;
  if ((first & kReservedBits) != 0) {
    Fail("RSV bits set");
    return false;
  }
  if ((second & kMaskBit) != 0) {
    Fail("masked server frame");
    return false;
  }
  const uint8_t op = first & kOpcodeBits;
  if (!IsKnown(op)) {
    Fail("unknown opcode " + std::to_string(op));
    return false;
  }
  frame_opcode_ = static_cast<WsOpcode>(op);
  frame_fin_ = (first & kFinBit) != 0;
  frame_is_control_ = IsControl(frame_opcode_);
  uint64_t length = second & kLengthBits;
  if (length == kLength16) {
    length = (uint64_t{header_[kBaseHeaderSize]} << 8) | header_[kBaseHeaderSize + 1];
  } else if (length == kLength64) {
    length = 0;
    for (int i = kBaseHeaderSize; i < kHeader64Size; ++i) length = (length << 8) | header_[i];
    if ((length & kLength64HighBit) != 0) {
      Fail("frame length above 2^63");
      return false;
    }
  }
  if (frame_is_control_) {
    if (!frame_fin_) {
      Fail("fragmented control frame");
      return false;
    }
    if (length > kMaxShortLength) {
      Fail("control frame longer than 125 bytes");
      return false;
    }
    control_.clear();
  } else if (frame_opcode_ == WsOpcode::kContinuation) {
    if (!in_data_message_) {
      Fail("continuation outside a message");
      return false;
    }
  } else {
    if (in_data_message_) {
      Fail("new data frame inside a fragmented message");
      return false;
    }
    in_data_message_ = true;
    data_type_ = frame_opcode_ == WsOpcode::kText ? MessageType::kText : MessageType::kBinary;
  }
  if (!frame_is_control_ && length > message_limit_ - std::min(message_limit_, data_.size())) {
    Fail("message longer than " + std::to_string(message_limit_) + " bytes");
    return false;
  }
  frame_left_ = length;
  in_payload_ = true;
  return true;
}

void ServerFrameParser::FinishFrame() {
  in_payload_ = false;
  if (frame_is_control_) {
    switch (frame_opcode_) {
      case WsOpcode::kPing:
        message_type_ = MessageType::kPing;
        break;
      case WsOpcode::kPong:
        message_type_ = MessageType::kPong;
        break;
      default:
        message_type_ = MessageType::kClose;
        if (control_.size() == 1) return Fail("close frame with a one-byte payload");
        close_code_ = control_.size() >= kCloseCodeSize
                          ? static_cast<uint16_t>((static_cast<uint8_t>(control_[0]) << 8) |
                                                  static_cast<uint8_t>(control_[1]))
                          : kNoStatus;
        break;
    }
    state_ = State::kMessage;
    return;
  }
  if (!frame_fin_) return;
  message_type_ = data_type_;
  state_ = State::kMessage;
}

void ServerFrameParser::Next() {
  if (state_ != State::kMessage) return;
  state_ = State::kNeedMore;
  if (message_type_ == MessageType::kText || message_type_ == MessageType::kBinary) {
    in_data_message_ = false;
    if (data_.capacity() > kRetainedCapacity) {
      std::string().swap(data_);
    } else {
      data_.clear();
    }
  } else {
    control_.clear();
    close_code_ = kNoStatus;
  }
}

}  // namespace chirp::loadgen
