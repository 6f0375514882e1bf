// An incremental parser of HTTP/1.1 responses for the load generator: it
// reads what a client needs (status, framing, keep-alive) from bytes that
// arrive in arbitrary pieces, and skips bodies without copying them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace chirp::loadgen {

// Parses one response at a time: Feed it bytes until state() leaves
// kNeedMore, read the result, then Reset for the next response. Bodies are
// delimited by Content-Length, by chunked transfer coding (extensions and
// trailers are skipped), or by the end of the connection (FinishOnEof);
// 204 and 304 answers have none. Malformed input sets kFailed with a
// reason; it never throws or asserts. Responses to HEAD requests and
// interim 1xx answers are not supported (the load generator sends neither
// HEAD nor Expect) and fail.
//
// After the first responses Feed allocates nothing unless a head or a kept
// body grows beyond what it has seen. Not thread-safe; one per connection.
class ResponseParser {
 public:
  enum class State { kNeedMore, kDone, kFailed };

  // With keep_body the body is collected for body(); otherwise only counted.
  explicit ResponseParser(bool keep_body = false) : keep_body_(keep_body) {}

  // Consumes a prefix of `data`, stopping at the end of the response:
  // returns the bytes consumed. Bytes after a complete response belong to
  // the next one (the caller keeps them). Feeding a finished parser
  // consumes nothing.
  size_t Feed(std::string_view data);

  // The peer closed the connection: completes a response whose body runs to
  // the end of the connection, fails one that is cut short.
  void FinishOnEof();

  // Forgets the response, keeping allocated capacity.
  void Reset();

  State state() const {
    return state_ == Step::kDone     ? State::kDone
           : state_ == Step::kFailed ? State::kFailed
                                     : State::kNeedMore;
  }
  // Valid once the status line has been parsed (0 before).
  int status() const { return status_; }
  // Whether the connection may carry another request after this response:
  // HTTP/1.1 unless "Connection: close", HTTP/1.0 only with "keep-alive",
  // never when the body ran to the end of the connection.
  bool keep_alive() const { return keep_alive_; }
  // Bytes of the response so far, head and framing included.
  uint64_t bytes() const { return bytes_; }
  // Bytes of the body (payload only, without chunk framing).
  uint64_t body_bytes() const { return body_bytes_; }
  // The body, when constructed with keep_body.
  std::string_view body() const { return body_; }
  // Why parsing failed; empty otherwise.
  std::string_view error() const { return error_; }

  // Bounds against a misbehaving peer.
  static constexpr size_t kMaxHeadBytes = 64 * 1024;
  static constexpr size_t kMaxLineBytes = 4 * 1024;

 private:
  enum class Step {
    kHead,          // status line and headers, until an empty line
    kFixedBody,     // remaining_ bytes of Content-Length body
    kChunkSize,     // a chunk-size line
    kChunkData,     // remaining_ bytes of chunk data
    kChunkDataEnd,  // the CRLF after chunk data
    kTrailers,      // trailer lines after the last chunk, until an empty line
    kUntilEof,      // body delimited by the end of the connection
    kDone,
    kFailed,
  };

  size_t FeedHead(std::string_view data);
  bool ParseHead(std::string_view head);
  // Accumulates a CRLF-terminated line into line_; returns bytes consumed
  // and sets *complete when the line ended (line_ then excludes the CRLF).
  size_t FeedLine(std::string_view data, bool* complete);
  void TakeBody(std::string_view data);
  void Fail(std::string_view why);

  bool keep_body_;
  Step state_ = Step::kHead;
  int status_ = 0;
  bool keep_alive_ = false;
  uint64_t remaining_ = 0;
  uint64_t bytes_ = 0;
  uint64_t body_bytes_ = 0;
  std::string head_;
  std::string line_;
  std::string body_;
  std::string error_;
};

}  // namespace chirp::loadgen
