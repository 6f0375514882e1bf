// HTTP requests and responses as the rest of Chirp sees them: plain structs,
// free of Asio, so that only the server's own translation unit includes it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace chirp {

// A connection the server hands over to a handler that keeps it open beyond
// one answer (a WebSocket, a stream of server-sent events). The taker owns
// the socket from then on and writes everything itself, its response head
// included.
struct TakenConnection {
  int fd = -1;                            // the connected socket
  boost::asio::io_context* io = nullptr;  // the network thread it was served on
  std::string unread;                     // bytes received after the request
  // Counts the connection against the server's caps until it is dropped
  // (http/connection_limits.h): the new owner keeps it while the
  // connection lives.
  std::shared_ptr<const void> lease;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class SpooledBody;

struct HttpRequest {
  std::string method;  // upper case, e.g. "GET"
  std::string target;  // as sent: path and query
  std::string path;    // target up to '?', not percent-decoded
  std::string query;   // after '?', without it; "" when absent
  HeaderList headers;  // names lower-cased
  std::string body;
  // A file upload's body, written to disk as it arrived instead of `body`
  // (http/spooled_body.h); null otherwise.
  std::shared_ptr<const SpooledBody> spooled;
  std::string remote_address;  // the peer's IP address, textual
  std::string request_id;      // set by the server; echoed as X-Request-Id

  // The body, wherever it was kept.
  std::string_view Body() const;

  // The first header named `name` (lower case), or "" when absent.
  std::string_view Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return {};
  }
};

// A response body sent from an open file: `length` bytes from `offset`,
// which the server has the kernel copy straight from the page cache to the
// socket (sendfile), never through a buffer of its own.
struct FileBody {
  int fd = -1;
  uint64_t offset = 0;
  uint64_t length = 0;
  std::shared_ptr<const void> keep;  // keeps `fd` open until the body is sent
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  HeaderList headers;
  std::string body;
  // When set, the body instead of `body`.
  std::optional<FileBody> file;
  // Set by a handler of an Execution::kMemoryFirst route that needs the
  // store after all: the server runs it on the blocking pool, and its
  // response is the answer (this one is not sent).
  std::function<HttpResponse()> finish_blocking;
  // Set by a handler that keeps the connection: the server sends nothing and
  // hands the connection over (on its network thread). `status` is still
  // what the metrics record.
  std::function<void(TakenConnection)> take_over;

  // Out of line: inlined into every caller, GCC 12 reports a false
  // -Warray-bounds in std::string's copy.
  void AddHeader(std::string name, std::string value);
};

// A JSON response with `status` and the body given as serialized JSON.
inline HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace chirp
