// The HTTP/1.1 server: Asio with C++20 coroutines, requests parsed by
// http/request_parser.h and each answer written with one gathered write
// (head and body). Asio stays inside server.cc; this header is all the rest
// of Chirp sees.
//
// One io_context and one listening socket (SO_REUSEPORT) per network thread,
// so the kernel spreads connections over the cores. Handlers run on the
// network thread or on a blocking pool as http/execution.h describes, so
// that network threads never wait for the store. Each connection has an idle timeout between
// requests, a time limit to send a request's head once it began and one to send its body and take
// the answer (enforced by one sweeping timer per thread, not a timer per request), a header size
// limit (431) and a per-route body limit (413).
//
// What a server holds is bounded: connections in total and per client
// address (http/connection_limits.h; beyond, a 503 with Retry-After and the
// connection closed), and the requests waiting for the blocking pool (beyond,
// or when one waited past its deadline, a 503 with Retry-After instead of
// running it late).
//
// Shutdown (SIGINT, SIGTERM or Stop()): stop accepting, close idle
// connections, let in-flight requests finish and answer with
// "Connection: close", and give up on stragglers after the grace period.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/error.h"
#include "http/connection_limits.h"
#include "http/metrics.h"
#include "http/router.h"

namespace chirp {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;     // 0 picks a free port
  int network_threads = 0;  // 0: one per core
  int blocking_threads = 16;
  size_t header_limit = 16 * 1024;
  // Where file uploads' bodies are written as they arrive (unnamed files,
  // gone when answered): routes' upload_body_limit, multipart bodies.
  std::string spool_dir = "/tmp";
  ConnectionCaps connections;
  size_t blocking_queue_limit = 4096;       // requests waiting for the blocking pool
  std::chrono::seconds queue_deadline{10};  // a request not started on the pool by then: 503
  std::chrono::seconds idle_timeout{75};
  std::chrono::seconds header_timeout{10};  // to send a request's head, from its first byte
  std::chrono::seconds request_timeout{30};
  std::chrono::seconds shutdown_grace{10};
  // Whether SIGINT and SIGTERM stop the server. They are taken on the thread
  // that calls Run(), which unblocks them for itself (core/stop_signals.h:
  // the process blocks them before it starts any thread). Off for a server
  // inside a process that waits for them elsewhere.
  bool stop_on_signals = true;
};

// Answers requests that matched no route. `path_matched` tells whether the
// path exists for another method (405 rather than 404, and CORS preflight).
using FallbackHandler = std::function<HttpResponse(HttpRequest&, bool path_matched)>;

// Adds headers every response carries (CORS, rate-limit headers are the
// API's business; this hook sees the request and its response).
using ResponseDecorator = std::function<void(const HttpRequest&, HttpResponse&)>;

class HttpServer {
 public:
  HttpServer(ServerOptions options, const Router& router, HttpMetrics& metrics,
             FallbackHandler fallback, ResponseDecorator decorate);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening sockets; returns the bound port. SIGPIPE is ignored
  // in the process from then on.
  Result<uint16_t> Listen();
  // Serves until a signal or Stop(), then drains; returns when all threads ended.
  void Run();
  // Begins shutdown; safe from any thread.
  void Stop();
  // Called when shutdown begins, before the server waits for its own
  // connections: the owners of connections taken over close theirs. Add
  // before Run().
  void AddStopListener(std::function<void()> listener);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chirp
