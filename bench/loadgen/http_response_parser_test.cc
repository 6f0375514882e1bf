#include "http_response_parser.h"

#include <gtest/gtest.h>

namespace chirp::loadgen {
namespace {

using State = ResponseParser::State;

constexpr std::string_view kFixed =
    "HTTP/1.1 200 OK\r\nServer: test\r\nContent-Length: 11\r\n\r\nhello world";
constexpr std::string_view kChunked =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5;name=value\r\nhello\r\n6\r\n world\r\nA\r\n, chunked!\r\n0\r\nX-Trailer: t\r\n\r\n";

// Feeds `pieces` in order, each completely unless the response ends.
ResponseParser FeedPieces(const std::vector<std::string_view>& pieces) {
  ResponseParser parser(/*keep_body=*/true);
  for (std::string_view piece : pieces) {
    EXPECT_EQ(parser.state(), State::kNeedMore);
    EXPECT_EQ(parser.Feed(piece), piece.size());
  }
  return parser;
}

TEST(ResponseParser, ReadsAContentLengthResponse) {
  ResponseParser parser = FeedPieces({kFixed});
  ASSERT_EQ(parser.state(), State::kDone);
  EXPECT_EQ(parser.status(), 200);
  EXPECT_TRUE(parser.keep_alive());
  EXPECT_EQ(parser.body(), "hello world");
  EXPECT_EQ(parser.body_bytes(), 11u);
  EXPECT_EQ(parser.bytes(), kFixed.size());
}

TEST(ResponseParser, ReadsAChunkedResponse) {
  ResponseParser parser = FeedPieces({kChunked});
  ASSERT_EQ(parser.state(), State::kDone) << parser.error();
  EXPECT_EQ(parser.body(), "hello world, chunked!");
  EXPECT_EQ(parser.bytes(), kChunked.size());
}

TEST(ResponseParser, AnySplitIntoTwoPiecesGivesTheSameResult) {
  for (std::string_view response : {kFixed, kChunked}) {
    for (size_t at = 1; at < response.size(); ++at) {
      ResponseParser parser = FeedPieces({response.substr(0, at), response.substr(at)});
      ASSERT_EQ(parser.state(), State::kDone) << "split at " << at << ": " << parser.error();
      ASSERT_EQ(parser.body(), response == kFixed ? "hello world" : "hello world, chunked!");
      ASSERT_EQ(parser.bytes(), response.size());
    }
  }
}

TEST(ResponseParser, ByteByByte) {
  for (std::string_view response : {kFixed, kChunked}) {
    ResponseParser parser(/*keep_body=*/true);
    for (size_t i = 0; i < response.size(); ++i) {
      ASSERT_EQ(parser.state(), State::kNeedMore) << i << ": " << parser.error();
      ASSERT_EQ(parser.Feed(response.substr(i, 1)), 1u);
    }
    EXPECT_EQ(parser.state(), State::kDone);
    EXPECT_EQ(parser.bytes(), response.size());
  }
}

TEST(ResponseParser, StopsAtTheEndOfTheResponse) {
  const std::string two = std::string(kFixed) + std::string(kChunked);
  ResponseParser parser(/*keep_body=*/true);
  EXPECT_EQ(parser.Feed(two), kFixed.size());
  EXPECT_EQ(parser.state(), State::kDone);
  EXPECT_EQ(parser.Feed(std::string_view(two).substr(kFixed.size())), 0u);
  parser.Reset();
  EXPECT_EQ(parser.Feed(std::string_view(two).substr(kFixed.size())), kChunked.size());
  EXPECT_EQ(parser.state(), State::kDone);
  EXPECT_EQ(parser.body(), "hello world, chunked!");
}

TEST(ResponseParser, HonoursConnectionHeaders) {
  struct Case {
    std::string_view head;
    bool keep_alive;
  };
  for (const Case& c : {
           Case{"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false},
           Case{"HTTP/1.1 200 OK\r\nconnection: Upgrade, CLOSE\r\nContent-Length: 0\r\n\r\n",
                false},
           Case{"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false},
           Case{"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", true},
           Case{"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", true},
       }) {
    ResponseParser parser;
    parser.Feed(c.head);
    ASSERT_EQ(parser.state(), State::kDone) << c.head;
    EXPECT_EQ(parser.keep_alive(), c.keep_alive) << c.head;
  }
}

TEST(ResponseParser, NoBodyFor204And304) {
  for (std::string_view head :
       {"HTTP/1.1 204 No Content\r\n\r\n", "HTTP/1.1 304 Not Modified\r\n\r\n"}) {
    ResponseParser parser;
    EXPECT_EQ(parser.Feed(head), head.size());
    EXPECT_EQ(parser.state(), State::kDone);
    EXPECT_TRUE(parser.keep_alive());
  }
}

TEST(ResponseParser, BodyUntilEofEndsWithTheConnection) {
  ResponseParser parser(/*keep_body=*/true);
  parser.Feed("HTTP/1.1 200 OK\r\n\r\npart one, ");
  parser.Feed("part two");
  EXPECT_EQ(parser.state(), State::kNeedMore);
  parser.FinishOnEof();
  EXPECT_EQ(parser.state(), State::kDone);
  EXPECT_FALSE(parser.keep_alive());
  EXPECT_EQ(parser.body(), "part one, part two");
}

TEST(ResponseParser, CutShortResponsesFail) {
  ResponseParser parser;
  parser.Feed(kFixed.substr(0, kFixed.size() - 1));
  parser.FinishOnEof();
  EXPECT_EQ(parser.state(), State::kFailed);
}

TEST(ResponseParser, RejectsMalformedResponses) {
  for (std::string_view bad : {
           std::string_view("HTTP/2 200 OK\r\n\r\n"),
           std::string_view("HTTP/1.1 20 OK\r\n\r\n"),
           std::string_view("HTTP/1.1 200OK\r\n\r\n"),
           std::string_view("HTTP/1.1 200 OK\r\nno colon\r\n\r\n"),
           std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n"),
           std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
           std::string_view("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"),
           std::string_view("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
           std::string_view("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX"),
           std::string_view("HTTP/1.1 100 Continue\r\n\r\n"),
       }) {
    ResponseParser parser;
    parser.Feed(bad);
    EXPECT_EQ(parser.state(), State::kFailed) << bad;
    EXPECT_FALSE(parser.error().empty());
    EXPECT_FALSE(parser.keep_alive());
  }
}

TEST(ResponseParser, BoundsTheHead) {
  ResponseParser parser;
  const std::string header = "X-Filler: " + std::string(1000, 'a') + "\r\n";
  parser.Feed("HTTP/1.1 200 OK\r\n");
  for (size_t i = 0; i < ResponseParser::kMaxHeadBytes / header.size() + 1; ++i) {
    parser.Feed(header);
  }
  EXPECT_EQ(parser.state(), State::kFailed);
}

TEST(ResponseParser, ResetKeepsNothingOfTheLastResponse) {
  ResponseParser parser(/*keep_body=*/true);
  parser.Feed("HTTP/1.1 500 Oops\r\nContent-Length: 3\r\n\r\nbad");
  EXPECT_EQ(parser.status(), 500);
  parser.Reset();
  EXPECT_EQ(parser.status(), 0);
  EXPECT_EQ(parser.bytes(), 0u);
  parser.Feed(kFixed);
  EXPECT_EQ(parser.status(), 200);
  EXPECT_EQ(parser.body(), "hello world");
}

}  // namespace
}  // namespace chirp::loadgen
