#include "http/request_parser.h"

#include <gtest/gtest.h>

#include "http/spooled_body.h"

namespace chirp {
namespace {

// Feeds `text` in pieces of `piece` bytes, as reads from a socket would.
RequestParser Parse(std::string_view text, size_t piece = 1 << 20, size_t* used = nullptr) {
  RequestParser p;
  size_t total = 0;
  while (total < text.size() &&
         (p.state() == RequestParser::State::kHead || p.state() == RequestParser::State::kBody)) {
    total += p.Feed(text.substr(total, piece));
  }
  if (used != nullptr) *used = total;
  return p;
}

TEST(RequestParser, ParsesAGetInAnyPieces) {
  const std::string text =
      "GET /api/v1/timelines/home?limit=5 HTTP/1.1\r\nHost: a.example\r\n"
      "Authorization: Bearer  abc \r\n\r\n";
  for (size_t piece : {size_t{1}, size_t{2}, size_t{7}, text.size()}) {
    RequestParser p = Parse(text, piece);
    ASSERT_EQ(p.state(), RequestParser::State::kDone) << piece;
    EXPECT_EQ(p.method(), "GET");
    EXPECT_EQ(p.target(), "/api/v1/timelines/home?limit=5");
    ASSERT_EQ(p.headers().size(), 2u);
    EXPECT_EQ(p.headers()[1].first, "authorization");
    EXPECT_EQ(p.headers()[1].second, "Bearer  abc");
    EXPECT_TRUE(p.keep_alive());
    EXPECT_TRUE(p.body().empty());
  }
}

TEST(RequestParser, StopsAtTheEndOfOneRequest) {
  const std::string two = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n";
  size_t used = 0;
  RequestParser p = Parse(two, two.size(), &used);
  EXPECT_EQ(p.target(), "/a");
  EXPECT_EQ(used, two.size() / 2);
  p.Reset();
  EXPECT_EQ(p.Feed(std::string_view(two).substr(used)), two.size() / 2);
  EXPECT_EQ(p.target(), "/b");
}

TEST(RequestParser, ReadsABodyByContentLength) {
  RequestParser p = Parse("POST /s HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello!", 3);
  ASSERT_EQ(p.state(), RequestParser::State::kDone);
  EXPECT_EQ(p.body(), "hello");
  EXPECT_EQ(p.declared_length(), 5u);
}

TEST(RequestParser, ReadsAChunkedBodyWithExtensionsAndTrailers) {
  const std::string text =
      "POST /s HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n";
  for (size_t piece : {size_t{1}, size_t{4}, text.size()}) {
    RequestParser p = Parse(text, piece);
    ASSERT_EQ(p.state(), RequestParser::State::kDone) << piece;
    EXPECT_EQ(p.body(), "hello world");
    EXPECT_FALSE(p.has_declared_length());
  }
}

TEST(RequestParser, KeepAliveFollowsTheVersionAndConnection) {
  EXPECT_FALSE(Parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n").keep_alive());
  EXPECT_FALSE(Parse("GET / HTTP/1.0\r\n\r\n").keep_alive());
  EXPECT_TRUE(Parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keep_alive());
  EXPECT_TRUE(
      Parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade, keep-alive\r\n\r\n").keep_alive());
}

TEST(RequestParser, ToleratesLeadingEmptyLinesAndBareLf) {
  RequestParser p = Parse("\r\n\nGET / HTTP/1.1\nHost: x\n\n");
  ASSERT_EQ(p.state(), RequestParser::State::kDone);
  EXPECT_EQ(p.headers()[0].second, "x");
}

TEST(RequestParser, ExpectContinueOnlyOnHttp11) {
  EXPECT_TRUE(
      Parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n")
          .expects_continue());
  EXPECT_FALSE(Parse("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n")
                   .expects_continue());
}

TEST(RequestParser, RefusesWhatCouldSmuggleARequest) {
  const std::pair<const char*, int> cases[] = {
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
       400},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
      {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n folded\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nX: a\x01"
       "b\r\n\r\n",
       400},
      {"GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"GET / HTTP/1.1 extra\r\n\r\n", 400},
      {"G@T / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\n\r\n", 505},
      {"GET / HTTX/1.1\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", 400},
  };
  for (const auto& [text, status] : cases) {
    RequestParser p = Parse(text);
    EXPECT_EQ(p.state(), RequestParser::State::kError) << text;
    EXPECT_EQ(p.error_status(), status) << text;
  }
}

void ExpectRefused(std::string_view text, size_t piece = 1 << 20) {
  RequestParser p = Parse(text, piece);
  EXPECT_EQ(p.state(), RequestParser::State::kError) << text << " in pieces of " << piece;
  EXPECT_EQ(p.error_status(), 400) << text;
}

constexpr std::string_view kChunkedHead =
    "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";

TEST(RequestParser, RefusesABareLfInChunkedFraming) {
  for (std::string_view body :
       {"5\nhello\r\n0\r\n\r\n", "5\r\nhello\n0\r\n\r\n", "5\r\nhello\r\n0\n\r\n",
        "5\r\nhello\r\n0\r\n\n", "5\r\nhello\r\n0\r\nX: 1\n\r\n"}) {
    for (size_t piece : {size_t{1}, size_t{1} << 20}) {
      ExpectRefused(std::string(kChunkedHead) + std::string(body), piece);
    }
  }
}

TEST(RequestParser, RefusesFramingFieldsInTheTrailer) {
  for (std::string_view trailer : {"Transfer-Encoding: chunked", "content-length: 5"}) {
    ExpectRefused(std::string(kChunkedHead) + "5\r\nhello\r\n0\r\n" + std::string(trailer) +
                  "\r\n\r\n");
  }
  RequestParser p = Parse(std::string(kChunkedHead) + "5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n");
  EXPECT_EQ(p.state(), RequestParser::State::kDone);
}

TEST(RequestParser, ReadsOnlyWellFormedChunkExtensions) {
  for (std::string_view size_line :
       {"5;a", "5 ;a", "5; a = b", "5;a=\"q \\\" d\";b", "5;a=b;c=\"\""}) {
    RequestParser p =
        Parse(std::string(kChunkedHead) + std::string(size_line) + "\r\nhello\r\n0\r\n\r\n");
    EXPECT_EQ(p.state(), RequestParser::State::kDone) << size_line;
    EXPECT_EQ(p.body(), "hello") << size_line;
  }
  for (std::string_view size_line :
       {"5;", "5;=b", "5;a=", "5;a=\"open", "5;a=b c", "5;a=\"x\"y", "5;a@b", "5 ", " 5", "5 6",
        "5;a=\"\x01\"", "+5", "0x5", "5;a ", "5;a=b "}) {
    ExpectRefused(std::string(kChunkedHead) + std::string(size_line) + "\r\nhello\r\n0\r\n\r\n");
  }
}

TEST(RequestParser, ReadsOneChunkedCodingAndNothingElse) {
  for (std::string_view coding : {"chunked, chunked", "gzip, chunked", "chunked, gzip", "identity",
                                  "identity, chunked", "", ",", "chunked;q=1"}) {
    ExpectRefused("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: " + std::string(coding) +
                  "\r\n\r\n0\r\n\r\n");
  }
  ExpectRefused(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"
      "\r\n0\r\n\r\n");
  RequestParser upper =
      Parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:  Chunked \r\n\r\n0\r\n\r\n");
  EXPECT_EQ(upper.state(), RequestParser::State::kDone);
}

TEST(RequestParser, WantsExactlyOneHost) {
  ExpectRefused("GET / HTTP/1.1\r\n\r\n");
  ExpectRefused("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n");
  ExpectRefused("GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n");
  EXPECT_EQ(Parse("GET / HTTP/1.0\r\n\r\n").state(), RequestParser::State::kDone);
}

TEST(RequestParser, ReadsContentLengthAsOneFieldOfDigits) {
  for (std::string_view length : {"+5", "-5", "5 5", "5,5", "5, 5", " ", "1e1", "0005x"}) {
    ExpectRefused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::string(length) +
                  "\r\n\r\nhello");
  }
  ExpectRefused(
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello");
  ExpectRefused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1234567890123456789\r\n\r\n");
  RequestParser padded = Parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:  05 \r\n\r\nhello");
  EXPECT_EQ(padded.state(), RequestParser::State::kDone);
  EXPECT_EQ(padded.body(), "hello");
}

TEST(RequestParser, EnforcesTheHeaderAndBodyLimits) {
  RequestParser big(64);
  big.Feed("GET / HTTP/1.1\r\nHost: h\r\nX-Long: " + std::string(100, 'a') + "\r\n\r\n");
  EXPECT_EQ(big.error_status(), 431);

  RequestParser body;
  body.Feed("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n");
  ASSERT_EQ(body.state(), RequestParser::State::kBody);
  body.set_body_limit(4);
  body.Feed("0123456789");
  EXPECT_EQ(body.error_status(), 413);

  RequestParser chunked;
  chunked.Feed("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
  chunked.set_body_limit(4);
  chunked.Feed("5\r\n");
  EXPECT_EQ(chunked.error_status(), 413);
}

TEST(RequestParser, ABodySinkTakesTheBodyInsteadOfKeepingItAndCanFailTheRequest) {
  for (const bool chunked : {false, true}) {
    RequestParser parser;
    // The head and the body's first bytes in one piece, before the sink is set.
    parser.Feed(chunked ? "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n01"
                        : "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n01");
    std::string sunk;
    parser.set_body_sink([&](std::string_view bytes) {
      sunk += bytes;
      return true;
    });
    parser.set_body_limit(10);
    if (chunked) {
      parser.Feed("23\r\n6\r\n456");
      parser.Feed("789\r\n0\r\n\r\n");
    } else {
      parser.Feed("234");
      parser.Feed("56789");
    }
    EXPECT_EQ(parser.state(), RequestParser::State::kDone) << chunked;
    EXPECT_EQ(sunk, "0123456789");
    EXPECT_TRUE(parser.body().empty());
    parser.Reset();  // the next request keeps its body again
    parser.Feed("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok");
    EXPECT_EQ(parser.body(), "ok");
  }
  RequestParser refused;
  refused.Feed("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\n");
  refused.set_body_sink([](std::string_view) { return false; });
  refused.Feed("abcd");
  EXPECT_EQ(refused.state(), RequestParser::State::kError);
  EXPECT_EQ(refused.error_status(), 500);
}

TEST(SpooledBody, WhatIsAppendedIsReadBackWhole) {
  auto spooled = SpooledBody::Create("/tmp");
  ASSERT_TRUE(spooled.ok()) << spooled.error().message;
  const std::string big(3 << 20, 'x');
  ASSERT_TRUE((*spooled)->Append("head:"));
  ASSERT_TRUE((*spooled)->Append(big));
  ASSERT_TRUE((*spooled)->Finish());
  EXPECT_EQ((*spooled)->view().size(), big.size() + 5);
  EXPECT_EQ((*spooled)->view().substr(0, 6), "head:x");
  auto empty = SpooledBody::Create("/tmp");
  ASSERT_TRUE(empty.ok());
  ASSERT_TRUE((*empty)->Finish());
  EXPECT_TRUE((*empty)->view().empty());
  EXPECT_FALSE(SpooledBody::Create("/nonexistent-directory").ok());
}

}  // namespace
}  // namespace chirp
