// Fuzzes WebSocketParser: any bytes, fed whole and again in pieces whose sizes
// come from the input, must give the same messages and end the same way,
// never crash, never consume more than given, and always make progress.
// Delivered messages must keep the parser's promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"
#include "stream/websocket_codec.h"

namespace {

using chirp::WebSocketParser;

// Small enough that inputs reach the 1009 path.
constexpr size_t kMessageLimit = 1024;
constexpr size_t kMaxControlPayload = 125;

struct Message {
  WebSocketParser::MessageType type;
  std::string payload;
  uint16_t close_code;
  bool operator==(const Message&) const = default;
};

struct Outcome {
  std::vector<Message> messages;
  WebSocketParser::State state;
  uint16_t error_code;
  bool operator==(const Outcome&) const = default;
};

void CheckPromises(const WebSocketParser& p) {
  using Type = WebSocketParser::MessageType;
  const std::string_view payload = p.payload();
  switch (p.message_type()) {
    case Type::kText:
      if (!chirp::IsValidUtf8(payload) || payload.size() > kMessageLimit) std::abort();
      break;
    case Type::kBinary:
      if (payload.size() > kMessageLimit) std::abort();
      break;
    case Type::kPing:
    case Type::kPong:
      if (payload.size() > kMaxControlPayload) std::abort();
      break;
    case Type::kClose:
      if (!chirp::IsValidUtf8(payload) || payload.size() > kMaxControlPayload) std::abort();
      if (p.close_code() < 1000 || p.close_code() > 4999) std::abort();
      break;
  }
}

Outcome FeedAll(std::string_view input, size_t piece) {
  WebSocketParser p(kMessageLimit);
  Outcome out;
  size_t used = 0;
  while (p.state() != WebSocketParser::State::kError) {
    if (p.state() == WebSocketParser::State::kMessage) {
      CheckPromises(p);
      const bool close = p.message_type() == WebSocketParser::MessageType::kClose;
      out.messages.push_back({p.message_type(), std::string(p.payload()),
                              static_cast<uint16_t>(close ? p.close_code() : 0)});
      p.Next();
      continue;
    }
    if (used == input.size()) break;
    const size_t n = p.Feed(input.substr(used, piece));
    if (n == 0 || n > piece) std::abort();  // no progress, or more than given
    used += n;
  }
  out.state = p.state();
  out.error_code = out.state == WebSocketParser::State::kError ? p.error_code() : 0;
  if (out.error_code != 0 && out.error_code != chirp::kCloseProtocolError &&
      out.error_code != chirp::kCloseInvalidPayload && out.error_code != chirp::kCloseMessageTooBig)
    std::abort();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = 1 + data[0] % 13;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (FeedAll(input, input.size() + 1) != FeedAll(input, piece)) std::abort();
  return 0;
}
