#include "stream/websocket_codec.h"

#include <gtest/gtest.h>

#include <array>
#include <limits>
#include <ostream>
#include <vector>

namespace chirp {
namespace {

using State = WebSocketParser::State;
using Type = WebSocketParser::MessageType;

constexpr uint8_t kFin = 0x80;
constexpr uint8_t kContinuation = 0x0;
constexpr uint8_t kText = 0x1;
constexpr uint8_t kBinary = 0x2;
constexpr uint8_t kClose = 0x8;
constexpr uint8_t kPing = 0x9;
constexpr uint8_t kPong = 0xA;
constexpr std::array<uint8_t, 4> kMask = {0x37, 0xfa, 0x21, 0x3d};  // RFC 6455, section 5.7

std::string Bytes(std::initializer_list<uint8_t> bytes) {
  return std::string(bytes.begin(), bytes.end());
}

// A frame as a client sends it: masked, its length in the shortest encoding.
std::string ClientFrame(uint8_t first_byte, std::string_view payload) {
  std::string frame(1, static_cast<char>(first_byte));
  const uint64_t size = payload.size();
  if (size <= 125) {
    frame.push_back(static_cast<char>(0x80 | size));
  } else if (size <= 0xFFFF) {
    frame += Bytes({0x80 | 126, static_cast<uint8_t>(size >> 8), static_cast<uint8_t>(size)});
  } else {
    frame.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) frame.push_back(static_cast<char>(size >> shift));
  }
  frame.append(kMask.begin(), kMask.end());
  for (size_t i = 0; i < payload.size(); ++i) {
    frame.push_back(static_cast<char>(payload[i] ^ kMask[i % 4]));
  }
  return frame;
}

std::string CloseBody(uint16_t code, std::string_view reason = {}) {
  return Bytes({static_cast<uint8_t>(code >> 8), static_cast<uint8_t>(code)}) + std::string(reason);
}

struct Received {
  Type type;
  std::string payload;
  uint16_t close_code = 0;
  bool operator==(const Received&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Received& r) {
  return os << "{type " << static_cast<int>(r.type) << ", " << r.payload.size() << " bytes, close "
            << r.close_code << "}";
}

// What a connection sees: the messages in order, and how the stream ends.
struct Outcome {
  std::vector<Received> messages;
  State state = State::kNeedMore;
  uint16_t error_code = 0;
  size_t used = 0;
  bool operator==(const Outcome&) const = default;
};

// Feeds `bytes` in pieces of `piece` bytes, as reads from a socket would,
// taking each message as it completes.
Outcome FeedAll(std::string_view bytes, size_t piece = std::numeric_limits<size_t>::max(),
                size_t limit = WebSocketParser::kDefaultMessageLimit) {
  WebSocketParser parser(limit);
  Outcome out;
  while (parser.state() != State::kError) {
    if (parser.state() == State::kMessage) {
      Received r{parser.message_type(), std::string(parser.payload())};
      if (r.type == Type::kClose) r.close_code = parser.close_code();
      out.messages.push_back(std::move(r));
      parser.Next();
      continue;
    }
    if (out.used == bytes.size()) break;
    const size_t n = parser.Feed(bytes.substr(out.used, piece));
    if (n == 0) break;  // would loop forever; the test then fails on the outcome
    out.used += n;
  }
  out.state = parser.state();
  if (out.state == State::kError) out.error_code = parser.error_code();
  return out;
}

uint16_t ErrorOf(std::string_view bytes, size_t limit = WebSocketParser::kDefaultMessageLimit) {
  const Outcome out = FeedAll(bytes, std::numeric_limits<size_t>::max(), limit);
  return out.state == State::kError ? out.error_code : 0;
}

// RFC 6455, section 1.3 (also what OpenSSL and Python's hashlib give).
TEST(WebSocketHandshake, AcceptKeyMatchesTheRfcExample) {
  EXPECT_EQ(WebSocketAccept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, KeyMustBeSixteenBytesOfCanonicalBase64) {
  EXPECT_TRUE(IsValidWebSocketKey("dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_TRUE(IsValidWebSocketKey("AAAAAAAAAAAAAAAAAAAAAA=="));
  for (const char* key : {
           "",
           "dGhlIHNhbXBsZSBub25jZQ",        // no padding
           "dGhlIHNhbXBsZSBub25j",          // 15 bytes
           "dGhlIHNhbXBsZSBub25jZSE=",      // 17 bytes
           "dGhlIHNhbXBsZSBub25jZXMhIQ==",  // 19 bytes
           "dGhlIHNhbXBsZSBub25jZR==",      // stray bits after the last byte
           "dGhlIHNhbXBsZSBub25jZQ=!",
           "dGhlIHNhbXBsZSBub25j ZQ==",
           " dGhlIHNhbXBsZSBub25jZQ==",
           "dGhlIHNhbXBsZSBub25jZQ==\n",
           "dGhlIHNhbXBsZSBub25jZQ-_",
       }) {
    EXPECT_FALSE(IsValidWebSocketKey(key)) << key;
  }
}

TEST(WebSocketWriter, WritesTheRfcUnmaskedExamples) {
  std::string out;
  AppendTextFrame(out, "Hello");
  EXPECT_EQ(out, Bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
  out.clear();
  AppendPingFrame(out, "Hello");
  EXPECT_EQ(out, Bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
  out.clear();
  AppendPongFrame(out, "");
  EXPECT_EQ(out, Bytes({0x8a, 0x00}));
}

TEST(WebSocketWriter, AppendsToWhatIsThere) {
  std::string out = "x";
  AppendPongFrame(out, "a");
  AppendTextFrame(out, "b");
  EXPECT_EQ(out, "x" + Bytes({0x8a, 0x01, 'a', 0x81, 0x01, 'b'}));
}

TEST(WebSocketWriter, UsesTheShortestLengthEncoding) {
  const std::pair<size_t, std::string> cases[] = {
      {0, Bytes({0x81, 0})},
      {125, Bytes({0x81, 125})},
      {126, Bytes({0x81, 126, 0x00, 126})},
      {65535, Bytes({0x81, 126, 0xff, 0xff})},
      {65536, Bytes({0x81, 127, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00})},
      {100000, Bytes({0x81, 127, 0, 0, 0, 0, 0, 0x01, 0x86, 0xa0})},
  };
  for (const auto& [size, header] : cases) {
    const std::string payload(size, 'p');
    std::string out;
    AppendTextFrame(out, payload);
    EXPECT_EQ(out.substr(0, header.size()), header) << size;
    EXPECT_EQ(out.substr(header.size()), payload) << size;
  }
}

TEST(WebSocketWriter, CloseFrameCarriesTheCodeAndReason) {
  std::string out;
  AppendCloseFrame(out, kCloseNormal, "bye");
  EXPECT_EQ(out, Bytes({0x88, 0x05, 0x03, 0xe8, 'b', 'y', 'e'}));
  out.clear();
  AppendCloseFrame(out, kCloseGoingAway);
  EXPECT_EQ(out, Bytes({0x88, 0x02, 0x03, 0xe9}));
}

TEST(WebSocketWriter, CutsControlPayloadsToTheirLimit) {
  std::string out;
  AppendPongFrame(out, std::string(200, 'a'));
  EXPECT_EQ(out, Bytes({0x8a, 125}) + std::string(125, 'a'));

  // 123 bytes of reason would end inside a two-byte character.
  std::string reason;
  for (int i = 0; i < 100; ++i) reason += "\xc3\xa9";
  out.clear();
  AppendCloseFrame(out, kClosePolicyViolation, reason);
  ASSERT_EQ(out.size(), 2u + 2 + 122);
  EXPECT_EQ(static_cast<uint8_t>(out[1]), 124);
  EXPECT_EQ(out.substr(4), reason.substr(0, 122));
}

TEST(WebSocketParser, ParsesTheRfcMaskedExamples) {
  const Outcome text =
      FeedAll(Bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
  EXPECT_EQ(text.messages, (std::vector<Received>{{Type::kText, "Hello"}}));
  const Outcome pong =
      FeedAll(Bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
  EXPECT_EQ(pong.messages, (std::vector<Received>{{Type::kPong, "Hello"}}));
  EXPECT_EQ(pong.state, State::kNeedMore);
}

TEST(WebSocketParser, ReadsEveryLengthEncoding) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{125}, size_t{126}, size_t{127}, size_t{65535},
                      size_t{65536}, size_t{100000}}) {
    std::string payload(size, '\0');
    for (size_t i = 0; i < size; ++i) payload[i] = static_cast<char>(i * 7);
    const Outcome out = FeedAll(ClientFrame(kFin | kBinary, payload), 4096, 1 << 20);
    EXPECT_EQ(out.state, State::kNeedMore) << size;
    EXPECT_EQ(out.messages, (std::vector<Received>{{Type::kBinary, payload}})) << size;
  }
}

TEST(WebSocketParser, ReassemblesFragmentsAroundControlFrames) {
  const std::string valid = ClientFrame(kText, "Hel") + ClientFrame(kFin | kPing, "are you there") +
                            ClientFrame(kContinuation, "lo ") + ClientFrame(kFin | kPong, "") +
                            ClientFrame(kFin | kContinuation, "world");
  const std::vector<Received> expected = {
      {Type::kPing, "are you there"}, {Type::kPong, ""}, {Type::kText, "Hello world"}};
  for (size_t piece : {size_t{1}, size_t{3}, valid.size()}) {
    const Outcome out = FeedAll(valid, piece);
    EXPECT_EQ(out.messages, expected) << piece;
    EXPECT_EQ(out.state, State::kNeedMore) << piece;
    EXPECT_EQ(out.used, valid.size()) << piece;
  }
}

TEST(WebSocketParser, StopsAfterEachMessage) {
  const std::string first = ClientFrame(kFin | kText, "one");
  const std::string both = first + ClientFrame(kFin | kBinary, "two");
  WebSocketParser parser;
  EXPECT_EQ(parser.Feed(both), first.size());
  ASSERT_EQ(parser.state(), State::kMessage);
  EXPECT_EQ(parser.payload(), "one");
  EXPECT_EQ(parser.Feed(std::string_view(both).substr(first.size())), 0u);  // until Next()
  parser.Next();
  EXPECT_EQ(parser.Feed(std::string_view(both).substr(first.size())), both.size() - first.size());
  ASSERT_EQ(parser.state(), State::kMessage);
  EXPECT_EQ(parser.message_type(), Type::kBinary);
  EXPECT_EQ(parser.payload(), "two");
  parser.Next();
  EXPECT_EQ(parser.state(), State::kNeedMore);
  EXPECT_EQ(parser.payload(), "");
}

TEST(WebSocketParser, FeedingInAnyPiecesAgreesWithFeedingWhole) {
  const std::string stream =
      ClientFrame(kFin | kText, "") + ClientFrame(kFin | kText, "h\xc3\xa9llo \xf0\x9f\x90\xa6") +
      ClientFrame(kFin | kBinary, std::string(300, '\xff')) + ClientFrame(kFin | kPing, "") +
      ClientFrame(kBinary, "ab") + ClientFrame(kFin | kPing, "x") + ClientFrame(kContinuation, "") +
      ClientFrame(kFin | kContinuation, std::string(70000, 'c')) +
      ClientFrame(kFin | kClose, CloseBody(kCloseNormal, "done"));
  const Outcome whole = FeedAll(stream, stream.size(), 1 << 20);
  ASSERT_EQ(whole.messages.size(), 7u);
  EXPECT_EQ(whole.messages[5], (Received{Type::kBinary, "ab" + std::string(70000, 'c')}));
  EXPECT_EQ(whole.messages[6], (Received{Type::kClose, "done", kCloseNormal}));
  for (size_t piece : {size_t{1}, size_t{2}, size_t{3}, size_t{5}, size_t{13}, size_t{1000}}) {
    EXPECT_EQ(FeedAll(stream, piece, 1 << 20), whole) << piece;
  }
  // And an error after some messages is found at the same byte.
  const std::string bad = ClientFrame(kFin | kText, "ok") + ClientFrame(kFin | kPing, "") +
                          ClientFrame(kFin | kText, "\xc3\x28");
  const Outcome bad_whole = FeedAll(bad);
  EXPECT_EQ(bad_whole.error_code, kCloseInvalidPayload);
  EXPECT_EQ(bad_whole.messages.size(), 2u);
  for (size_t piece : {size_t{1}, size_t{7}}) EXPECT_EQ(FeedAll(bad, piece), bad_whole) << piece;
}

TEST(WebSocketParser, AcceptsACharacterSplitBetweenFragments) {
  // "é" (C3 A9) across two fragments; "🐦" (F0 9F 90 A6) across three.
  const Outcome two =
      FeedAll(ClientFrame(kText, "caf\xc3") + ClientFrame(kFin | kContinuation, "\xa9"));
  EXPECT_EQ(two.messages, (std::vector<Received>{{Type::kText, "caf\xc3\xa9"}}));
  const Outcome three =
      FeedAll(ClientFrame(kText, "\xf0") + ClientFrame(kContinuation, "\x9f\x90") +
              ClientFrame(kFin | kContinuation, "\xa6!"));
  EXPECT_EQ(three.messages, (std::vector<Received>{{Type::kText, "\xf0\x9f\x90\xa6!"}}));
  EXPECT_EQ(three.state, State::kNeedMore);
}

TEST(WebSocketParser, RejectsTextThatIsNotUtf8) {
  for (const char* text : {
           "\xc0\x80",          // overlong NUL
           "\xc1\xbf",          // overlong
           "\xe0\x80\xaf",      // overlong '/'
           "\xf0\x80\x80\xaf",  // overlong '/'
           "\xed\xa0\x80",      // surrogate U+D800
           "\xed\xbf\xbf",      // surrogate U+DFFF
           "\xf4\x90\x80\x80",  // U+110000
           "\xf5\x80\x80\x80", "\xff",
           "\x80",      // a continuation byte alone
           "ok\xc3",    // ends inside a character
           "\xe2\x82",  // likewise
           "\xc3\x28",  // a character cut short
       }) {
    EXPECT_EQ(ErrorOf(ClientFrame(kFin | kText, text)), kCloseInvalidPayload) << text;
  }
  // Ending inside a character is caught at the last fragment too.
  EXPECT_EQ(ErrorOf(ClientFrame(kText, "a") + ClientFrame(kFin | kContinuation, "\xf0\x9f")),
            kCloseInvalidPayload);
  // The same bytes are fine in a binary message.
  EXPECT_EQ(FeedAll(ClientFrame(kFin | kBinary, "\xc0\x80\xff")).messages.size(), 1u);
}

TEST(WebSocketParser, FailsOnBadUtf8BeforeTheMessageEnds) {
  WebSocketParser parser;
  parser.Feed(ClientFrame(kText, "fine \xed\xa0"));
  EXPECT_EQ(parser.state(), State::kError);
  EXPECT_EQ(parser.error_code(), kCloseInvalidPayload);
}

TEST(WebSocketParser, RejectsUnmaskedFrames) {
  EXPECT_EQ(ErrorOf(Bytes({0x81, 0x05, 'H', 'e', 'l', 'l', 'o'})), kCloseProtocolError);
  EXPECT_EQ(ErrorOf(Bytes({0x89, 0x00})), kCloseProtocolError);
}

TEST(WebSocketParser, RejectsReservedBits) {
  for (uint8_t rsv : {0x40, 0x20, 0x10}) {
    EXPECT_EQ(ErrorOf(ClientFrame(kFin | rsv | kText, "x")), kCloseProtocolError) << int{rsv};
  }
}

TEST(WebSocketParser, RejectsUnknownOpcodes) {
  for (uint8_t opcode : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    EXPECT_EQ(ErrorOf(ClientFrame(kFin | opcode, "")), kCloseProtocolError) << int{opcode};
  }
}

TEST(WebSocketParser, RejectsFragmentedOrLongControlFrames) {
  for (uint8_t opcode : {kPing, kPong, kClose}) {
    EXPECT_EQ(ErrorOf(ClientFrame(opcode, "")), kCloseProtocolError) << int{opcode};
    EXPECT_EQ(ErrorOf(ClientFrame(kFin | opcode, std::string(126, 'a'))), kCloseProtocolError);
  }
  const Outcome max = FeedAll(ClientFrame(kFin | kPing, std::string(125, 'a')));
  EXPECT_EQ(max.messages, (std::vector<Received>{{Type::kPing, std::string(125, 'a')}}));
}

TEST(WebSocketParser, RejectsAContinuationWithoutAMessage) {
  EXPECT_EQ(ErrorOf(ClientFrame(kFin | kContinuation, "x")), kCloseProtocolError);
  EXPECT_EQ(ErrorOf(ClientFrame(kContinuation, "x")), kCloseProtocolError);
  // Nor after a message has ended.
  EXPECT_EQ(ErrorOf(ClientFrame(kFin | kText, "a") + ClientFrame(kFin | kContinuation, "b")),
            kCloseProtocolError);
}

TEST(WebSocketParser, RejectsANewMessageInsideAFragmentedOne) {
  EXPECT_EQ(ErrorOf(ClientFrame(kText, "a") + ClientFrame(kFin | kText, "b")), kCloseProtocolError);
  EXPECT_EQ(
      ErrorOf(ClientFrame(kBinary, "a") + ClientFrame(kFin | kPing, "") + ClientFrame(kText, "b")),
      kCloseProtocolError);
}

TEST(WebSocketParser, RejectsLengthsWithTheHighBitSet) {
  const std::string frame =
      Bytes({0x82, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 0x01}) + Bytes({1, 2, 3, 4});
  EXPECT_EQ(ErrorOf(frame), kCloseProtocolError);
}

TEST(WebSocketParser, RejectsLengthsNotInTheirShortestForm) {
  const std::string mask = Bytes({0, 0, 0, 0});
  EXPECT_EQ(ErrorOf(Bytes({0x82, 0x80 | 126, 0, 5}) + mask + "hello"), kCloseProtocolError);
  EXPECT_EQ(ErrorOf(Bytes({0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 5}) + mask + "hello"),
            kCloseProtocolError);
  EXPECT_EQ(ErrorOf(Bytes({0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0xff, 0xff}) + mask),
            kCloseProtocolError);
}

TEST(WebSocketParser, RejectsAMessageDeclaredOverTheLimitBeforeItsPayload) {
  const std::string frame = ClientFrame(kFin | kBinary, std::string(1001, 'a'));
  WebSocketParser parser(1000);
  EXPECT_EQ(parser.Feed(std::string_view(frame).substr(0, 8)), 8u);  // header only
  EXPECT_EQ(parser.state(), State::kError);
  EXPECT_EQ(parser.error_code(), kCloseMessageTooBig);
  EXPECT_EQ(ErrorOf(ClientFrame(kFin | kBinary, std::string(1000, 'a')), 1000), 0);

  // A 64-bit length far beyond any buffer is refused the same way.
  EXPECT_EQ(ErrorOf(Bytes({0x82, 0x80 | 127, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) +
                    Bytes({1, 2, 3, 4})),
            kCloseMessageTooBig);
}

TEST(WebSocketParser, RejectsFragmentsAddingUpOverTheLimit) {
  const std::string half(600, 'a');
  EXPECT_EQ(ErrorOf(ClientFrame(kText, half) + ClientFrame(kFin | kContinuation, half), 1000),
            kCloseMessageTooBig);
  // Control frames between fragments do not count.
  EXPECT_EQ(ErrorOf(ClientFrame(kText, half) + ClientFrame(kFin | kPing, std::string(125, 'p')) +
                        ClientFrame(kFin | kContinuation, std::string(400, 'b')),
                    1000),
            0);
}

TEST(WebSocketParser, ReadsCloseFramesWithAndWithoutACode) {
  EXPECT_EQ(FeedAll(ClientFrame(kFin | kClose, "")).messages,
            (std::vector<Received>{{Type::kClose, "", kCloseNoStatus}}));
  EXPECT_EQ(FeedAll(ClientFrame(kFin | kClose, CloseBody(kCloseGoingAway, "tab closed"))).messages,
            (std::vector<Received>{{Type::kClose, "tab closed", kCloseGoingAway}}));
  for (uint16_t code : {1000, 1003, 1007, 1011, 3000, 4999}) {
    EXPECT_EQ(FeedAll(ClientFrame(kFin | kClose, CloseBody(code))).messages,
              (std::vector<Received>{{Type::kClose, "", code}}))
        << code;
  }
}

TEST(WebSocketParser, RejectsMalformedCloseFrames) {
  EXPECT_EQ(ErrorOf(ClientFrame(kFin | kClose, "\x03")), kCloseProtocolError);
  for (uint16_t code : {0, 999, 1004, 1005, 1006, 1012, 1015, 1016, 2999, 5000, 65535}) {
    EXPECT_EQ(ErrorOf(ClientFrame(kFin | kClose, CloseBody(code))), kCloseProtocolError) << code;
  }
  EXPECT_EQ(ErrorOf(ClientFrame(kFin | kClose, CloseBody(kCloseNormal, "\xed\xa0\x80"))),
            kCloseInvalidPayload);
}

TEST(WebSocketParser, ConsumesNothingAfterAnError) {
  WebSocketParser parser;
  EXPECT_EQ(parser.Feed(Bytes({0x81, 0x05}) + "Hello"), 2u);
  EXPECT_EQ(parser.state(), State::kError);
  EXPECT_EQ(parser.Feed(ClientFrame(kFin | kText, "x")), 0u);
  parser.Next();
  EXPECT_EQ(parser.state(), State::kError);
}

TEST(WebSocketParser, StaysSmallWhenIdle) {
  EXPECT_LE(sizeof(WebSocketParser), 96u);
  WebSocketParser parser;
  const size_t idle = parser.buffer_capacity();  // what std::string holds inline
  EXPECT_LT(idle, sizeof(std::string));
  parser.Feed(ClientFrame(kFin | kPing, "hi"));
  parser.Next();
  EXPECT_EQ(parser.buffer_capacity(), idle);
}

TEST(WebSocketParser, ReleasesTheBufferOfALargeMessage) {
  WebSocketParser parser;
  parser.Feed(ClientFrame(kFin | kText, std::string(60000, 'a')));
  ASSERT_EQ(parser.state(), State::kMessage);
  EXPECT_GE(parser.buffer_capacity(), 60000u);
  parser.Next();
  EXPECT_LE(parser.buffer_capacity(), WebSocketParser::kRetainedCapacity);

  // A small message keeps its buffer for the next one.
  parser.Feed(ClientFrame(kFin | kText, std::string(1000, 'a')));
  parser.Next();
  EXPECT_GE(parser.buffer_capacity(), 1000u);
}

}  // namespace
}  // namespace chirp
