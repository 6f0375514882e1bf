// An incremental HTTP/1.1 request parser (RFC 9112), free of Asio: the server feeds it the bytes it
// reads, in pieces of any size, and it says when the head and then the whole request are in. Strict
// where laxness lets requests be smuggled past a proxy that reads them otherwise: a Content-Length
// that is not one field of digits, any Transfer-Encoding but a single `chunked`, both at once, a
// missing or repeated Host, obsolete line folding, spaces before a colon, a bare LF or a malformed
// extension in chunked framing, a framing field in a trailer. Lenient where RFC 9112 allows it:
// empty lines before the request line, a bare LF ending a line of the head.
// tests/fuzz/differential.md lists where it differs from Boost.Beast's parser and why.
//
// One parser serves one connection; Reset() readies it for the next request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chirp {

class RequestParser {
 public:
  enum class State {
    kHead,   // reading the request line and header fields
    kBody,   // the head is complete; reading the body
    kDone,   // a whole request is in
    kError,  // malformed or over a limit: error_status() says how to answer
  };

  explicit RequestParser(size_t header_limit = 16 * 1024) : header_limit_(header_limit) {}

  // Consumes from `data` what belongs to the current request; returns how
  // many bytes that was (the rest starts the next request, on a keep-alive
  // connection). Stops consuming once kDone or kError.
  size_t Feed(std::string_view data);
  State state() const { return state_; }
  // 400, 413, 431, 505, or 500 when the body sink failed.
  int error_status() const { return error_status_; }

  // Known once the head is complete. Header names are lower-cased.
  const std::string& method() const { return method_; }
  const std::string& target() const { return target_; }
  std::string& method() { return method_; }
  std::string& target() { return target_; }
  int version_minor() const { return version_minor_; }  // HTTP/1.x
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  std::vector<std::pair<std::string, std::string>>& headers() { return headers_; }
  bool keep_alive() const { return keep_alive_; }
  bool expects_continue() const { return expects_continue_; }
  // The length the head declares: Content-Length, or for a chunked body
  // nothing (`has_declared_length` false).
  bool has_declared_length() const { return !chunked_; }
  uint64_t declared_length() const { return content_length_; }

  // The most body bytes accepted (413 beyond); may be set once the head is
  // in, when the route is known.
  void set_body_limit(uint64_t limit) { body_limit_ = limit; }
  // Sends the body's bytes to `sink` as they come instead of keeping them
  // in body(), the bytes already kept first; a sink that returns false
  // fails the request (500). Set once the head is in; Reset() drops it.
  void set_body_sink(std::function<bool(std::string_view)> sink);
  std::string& body() { return body_; }

  // For the next request on the same connection.
  void Reset();

 private:
  enum class ChunkState { kSize, kData, kDataEnd, kTrailer };

  // A line of the head (or of the trailer) into line_, counted against the
  // header limit: the bytes consumed, and whether the line is complete (false
  // too when over the limit, which fails the request).
  std::pair<size_t, bool> TakeHeadLine(std::string_view data, bool* bare_lf = nullptr);
  // Counts `n` more bytes of the head (or trailer) against the header
  // limit; false, with the parser failed (431), past it.
  bool CountHeadBytes(size_t n);
  size_t FeedHead(std::string_view data);
  // Keeps body bytes (in body_ or through the sink); false, failed, when the
  // sink refused them.
  bool KeepBody(std::string_view bytes);
  size_t FeedBody(std::string_view data);
  size_t FeedChunked(std::string_view data);
  bool ParseRequestLine(std::string_view line);
  bool ParseField(std::string_view line);
  bool FinishHead();
  void Fail(int status) {
    state_ = State::kError;
    error_status_ = status;
  }

  const size_t header_limit_;
  uint64_t body_limit_ = uint64_t{1} << 20;
  std::function<bool(std::string_view)> sink_;
  uint64_t body_bytes_ = 0;  // of the body so far, kept or sunk
  State state_ = State::kHead;
  int error_status_ = 0;

  std::string line_;  // the head line being assembled
  size_t head_bytes_ = 0;
  bool seen_request_line_ = false;

  std::string method_;
  std::string target_;
  int version_minor_ = 1;
  std::vector<std::pair<std::string, std::string>> headers_;
  bool keep_alive_ = true;
  bool expects_continue_ = false;
  bool chunked_ = false;
  uint64_t content_length_ = 0;

  std::string body_;
  ChunkState chunk_state_ = ChunkState::kSize;
  uint64_t chunk_left_ = 0;
};

}  // namespace chirp
