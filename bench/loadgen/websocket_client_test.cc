#include "websocket_client.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stream/websocket_codec.h"

namespace chirp::loadgen {
namespace {

// RFC 6455, section 1.3: a key and the accept value that answers it.
constexpr std::string_view kRfcKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view kRfcAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

std::string Upgraded(std::string_view accept = kRfcAccept) {
  return "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\n"
         "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Accept: " +
         std::string(accept) + "\r\n\r\n";
}

TEST(NewWebSocketKey, IsSixteenBytesOfBase64AndVariesWithTheSeed) {
  Prng a(1);
  Prng b(2);
  const std::string key = NewWebSocketKey(a);
  EXPECT_EQ(key.size(), 24u);
  EXPECT_TRUE(IsValidWebSocketKey(key)) << key;
  EXPECT_NE(key, NewWebSocketKey(b));
  EXPECT_NE(key, NewWebSocketKey(a));
}

TEST(WebSocketUpgradeRequest, AsksForVersion13WithTheKey) {
  const std::string request =
      WebSocketUpgradeRequest("127.0.0.1:8080", "/api/v1/streaming?stream=user", kRfcKey, "tok");
  EXPECT_EQ(request,
            "GET /api/v1/streaming?stream=user HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Authorization: Bearer tok\r\n\r\n");
  EXPECT_EQ(WebSocketUpgradeRequest("h", "/", kRfcKey).find("Authorization"), std::string::npos);
}

TEST(CheckUpgradeAnswer, AcceptsTheRightKeyAndKeepsTheFramesAfterTheHead) {
  const std::string head = Upgraded();
  std::string received = head;
  AppendTextFrame(received, "{}");
  const UpgradeCheck check = CheckUpgradeAnswer(received, kRfcKey);
  EXPECT_EQ(check.state, UpgradeCheck::State::kAccepted) << check.reason;
  EXPECT_EQ(check.status, 101);
  EXPECT_EQ(check.head_bytes, head.size());
}

TEST(CheckUpgradeAnswer, WaitsForTheWholeHead) {
  const std::string head = Upgraded();
  EXPECT_EQ(CheckUpgradeAnswer("HTTP/1.1 10", kRfcKey).state, UpgradeCheck::State::kNeedMore);
  for (size_t n = 0; n < head.size(); ++n) {
    const UpgradeCheck check = CheckUpgradeAnswer(head.substr(0, n), kRfcKey);
    EXPECT_EQ(check.state, UpgradeCheck::State::kNeedMore) << n;
  }
  const UpgradeCheck line_only = CheckUpgradeAnswer("HTTP/1.1 101 Switching\r\nUpg", kRfcKey);
  EXPECT_EQ(line_only.status, 101);
}

TEST(CheckUpgradeAnswer, RefusesOtherAnswersSayingWhy) {
  const auto reason = [](std::string_view received) {
    const UpgradeCheck check = CheckUpgradeAnswer(received, kRfcKey);
    EXPECT_EQ(check.state, UpgradeCheck::State::kRefused) << received;
    return check.reason;
  };
  EXPECT_EQ(reason("HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\n{}"), "status 401");
  EXPECT_EQ(reason(Upgraded("AAAAAAAAAAAAAAAAAAAAAAAAAAA=")), "wrong Sec-WebSocket-Accept");
  EXPECT_EQ(reason("HTTP/1.1 101 OK\r\nConnection: Upgrade\r\n\r\n"), "no Upgrade: websocket");
  EXPECT_EQ(reason("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\r\n"), "no Connection: Upgrade");
  EXPECT_EQ(reason("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n"),
            "no Sec-WebSocket-Accept");
  EXPECT_EQ(reason("SSH-2.0-OpenSSH\r\n"), "not an HTTP/1.1 status line");
  EXPECT_EQ(reason("HTTP/1.1 101 OK\r\n" + std::string(kMaxUpgradeHeadBytes, 'x')),
            "answer head too long");
}

TEST(AppendClientFrame, MasksAsTheRfcExampleDoes) {
  // RFC 6455, section 5.7: a masked "Hello".
  std::string frame;
  AppendClientFrame(frame, WsOpcode::kText, "Hello", 0x37fa213d);
  const std::string expected = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
  EXPECT_EQ(frame, expected);
}

TEST(AppendClientFrame, FramesEveryLengthEncodingTheServerAccepts) {
  for (size_t size : {0u, 125u, 126u, 65535u, 65536u, 70000u}) {
    std::string payload(size, 'a');
    for (size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
    std::string frame;
    AppendClientFrame(frame, WsOpcode::kBinary, payload, 0xdeadbeef);
    WebSocketParser server(/*message_limit=*/100000);
    EXPECT_EQ(server.Feed(frame), frame.size()) << size;
    ASSERT_EQ(server.state(), WebSocketParser::State::kMessage) << size;
    EXPECT_EQ(server.message_type(), WebSocketParser::MessageType::kBinary);
    EXPECT_EQ(server.payload(), payload) << size;
  }
}

TEST(AppendClientFrame, PongsCarryThePingsData) {
  std::string frame;
  AppendClientFrame(frame, WsOpcode::kPong, "tag", 0x01020304);
  WebSocketParser server;
  server.Feed(frame);
  ASSERT_EQ(server.state(), WebSocketParser::State::kMessage);
  EXPECT_EQ(server.message_type(), WebSocketParser::MessageType::kPong);
  EXPECT_EQ(server.payload(), "tag");
}

// Feeds `bytes` in pieces of `piece` bytes and collects every message as
// "type:payload" ("close:CODE:reason" for a close).
std::vector<std::string> Messages(ServerFrameParser& parser, std::string_view bytes, size_t piece) {
  std::vector<std::string> out;
  while (!bytes.empty() && parser.state() != ServerFrameParser::State::kError) {
    std::string_view chunk = bytes.substr(0, piece);
    bytes.remove_prefix(chunk.size());
    while (!chunk.empty() || parser.state() == ServerFrameParser::State::kMessage) {
      chunk.remove_prefix(parser.Feed(chunk));
      if (parser.state() != ServerFrameParser::State::kMessage) break;
      static constexpr const char* kNames[] = {"text", "binary", "ping", "pong", "close"};
      std::string m = kNames[static_cast<int>(parser.message_type())];
      if (parser.message_type() == ServerFrameParser::MessageType::kClose) {
        m += ":" + std::to_string(parser.close_code());
      }
      out.push_back(m + ":" + std::string(parser.payload()));
      parser.Next();
    }
  }
  return out;
}

TEST(ServerFrameParser, ReadsServerFramesInPiecesOfAnySize) {
  std::string bytes;
  AppendTextFrame(bytes, R"({"event":"update"})");
  AppendPingFrame(bytes, "");
  AppendTextFrame(bytes, std::string(300, 'x'));    // a 16-bit length
  AppendTextFrame(bytes, std::string(70000, 'y'));  // a 64-bit length
  AppendCloseFrame(bytes, kCloseGoingAway, "bye");
  const std::vector<std::string> expected = {R"(text:{"event":"update"})",
                                             "ping:", "text:" + std::string(300, 'x'),
                                             "text:" + std::string(70000, 'y'), "close:1001:bye"};
  for (size_t piece : {1u, 2u, 3u, 7u, 1000u, 100000u}) {
    ServerFrameParser parser;
    EXPECT_EQ(Messages(parser, bytes, piece), expected) << "pieces of " << piece;
    EXPECT_EQ(parser.state(), ServerFrameParser::State::kNeedMore) << parser.error();
  }
}

TEST(ServerFrameParser, ReassemblesFragmentsAroundAPing) {
  // "Hel" (text, no FIN), a ping, "lo" (continuation, FIN), unmasked.
  const std::string bytes = std::string("\x01\x03Hel\x89\x01p\x80\x02lo", 12);
  for (size_t piece : {1u, 12u}) {
    ServerFrameParser parser;
    EXPECT_EQ(Messages(parser, bytes, piece), (std::vector<std::string>{"ping:p", "text:Hello"}));
  }
}

TEST(ServerFrameParser, StopsAfterEachMessage) {
  std::string bytes;
  AppendTextFrame(bytes, "one");
  AppendTextFrame(bytes, "two");
  ServerFrameParser parser;
  const size_t used = parser.Feed(bytes);
  EXPECT_EQ(used, 5u);
  EXPECT_EQ(parser.payload(), "one");
  EXPECT_EQ(parser.Feed(std::string_view(bytes).substr(used)), 0u) << "until Next";
  parser.Next();
  EXPECT_EQ(parser.Feed(std::string_view(bytes).substr(used)), 5u);
  EXPECT_EQ(parser.payload(), "two");
}

TEST(ServerFrameParser, ReadsACloseWithoutACode) {
  ServerFrameParser parser;
  parser.Feed(std::string("\x88\x00", 2));
  ASSERT_EQ(parser.state(), ServerFrameParser::State::kMessage);
  EXPECT_EQ(parser.message_type(), ServerFrameParser::MessageType::kClose);
  EXPECT_EQ(parser.close_code(), ServerFrameParser::kNoStatus);
  EXPECT_EQ(parser.payload(), "");
}

TEST(ServerFrameParser, FailsOnWhatAServerMustNotSend) {
  const auto error = [](std::string bytes, size_t limit = 1000) {
    ServerFrameParser parser(limit);
    Messages(parser, bytes, bytes.size());
    EXPECT_EQ(parser.state(), ServerFrameParser::State::kError);
    return std::string(parser.error());
  };
  std::string masked;
  AppendClientFrame(masked, WsOpcode::kText, "hi", 1);
  EXPECT_EQ(error(masked), "masked server frame");
  EXPECT_EQ(error(std::string("\xC1\x00", 2)), "RSV bits set");
  EXPECT_EQ(error(std::string("\x83\x00", 2)), "unknown opcode 3");
  EXPECT_EQ(error(std::string("\x80\x00", 2)), "continuation outside a message");
  EXPECT_EQ(error(std::string("\x01\x01"
                              "a\x81\x01"
                              "b",
                              6)),
            "new data frame inside a fragmented message");
  EXPECT_EQ(error(std::string("\x09\x00", 2)), "fragmented control frame");
  EXPECT_EQ(error(std::string("\x89\x7E\x00\x7E", 4)), "control frame longer than 125 bytes");
  EXPECT_EQ(error(std::string("\x88\x01\x03", 3)), "close frame with a one-byte payload");
  std::string big;
  AppendTextFrame(big, std::string(1001, 'z'));
  EXPECT_EQ(error(big), "message longer than 1000 bytes");
  // The limit holds over fragments too.
  EXPECT_EQ(error(std::string("\x01\x03"
                              "abc\x80\x03"
                              "def",
                              10),
                  5),
            "message longer than 5 bytes");
}

}  // namespace
}  // namespace chirp::loadgen
