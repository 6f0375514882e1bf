#include "http/server.h"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <charconv>
#include <cstdio>
#include <limits>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/no_wait.h"
#include "core/secrets.h"
#include "core/text.h"
#include "core/thread_name.h"
#include "http/request_parser.h"

namespace chirp {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

HttpResponse ErrorResponse(int status, std::string_view message) {
  std::string body = "{\"error\":\"";
  body += message;
  body += "\"}";
  return JsonResponse(status, std::move(body));
}

constexpr size_t kReadBuffer = 16 * 1024;
constexpr auto kSweepInterval = std::chrono::seconds(1);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

const char* ReasonOf(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

// Responses that never carry a body (RFC 9110 6.4.1).
bool HasBody(int status) { return status >= 200 && status != 204 && status != 304; }

// The status line and header fields of `response`, with Content-Length,
// and Connection as the request's version needs it.
std::string ResponseHead(const HttpResponse& response, bool keep_alive, int version_minor,
                         bool head_request) {
  std::string out;
  out.reserve(256);
  out += "HTTP/1.1 ";
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, response.status).ptr);
  out += ' ';
  out += ReasonOf(response.status);
  out += "\r\nContent-Type: ";
  out += response.content_type;
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (HasBody(response.status) || head_request) {
    out += "Content-Length: ";
    out.append(digits, std::to_chars(digits, digits + sizeof digits, response.body.size()).ptr);
    out += "\r\n";
  }
  if (!keep_alive) {
    out += "Connection: close\r\n";
  } else if (version_minor == 0) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  return out;
}

int64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, const Router& router, HttpMetrics& metrics, FallbackHandler fallback,
       ResponseDecorator decorate)
      : options_(std::move(options)),
        router_(router),
        metrics_(metrics),
        fallback_(std::move(fallback)),
        decorate_(std::move(decorate)),
        pool_(static_cast<size_t>(std::max(1, options_.blocking_threads))) {
    int n = options_.network_threads;
    if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 0; i < n; ++i) workers_.push_back(std::make_unique<Worker>());
  }

  Result<uint16_t> Listen() {
    // From here on SIGINT and SIGTERM are held for Run(), so a signal that
    // arrives before serving starts still shuts down cleanly.
    signals_.emplace(workers_[0]->ioc, SIGINT, SIGTERM);
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options_.host, ec);
    if (ec) return Error::BadRequest("invalid listen address: " + options_.host);
    uint16_t port = options_.port;
    for (auto& w : workers_) {
      w->acceptor = std::make_unique<tcp::acceptor>(w->ioc);
      const tcp::endpoint endpoint(address, port);
      w->acceptor->open(endpoint.protocol(), ec);
      if (!ec) w->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) w->acceptor->set_option(ReusePort(true), ec);
      if (!ec) w->acceptor->bind(endpoint, ec);
      if (!ec) w->acceptor->listen(asio::socket_base::max_listen_connections, ec);
      if (ec) {
        return Error::Unavailable("cannot listen on " + options_.host + ":" + std::to_string(port) +
                                  ": " + ec.message());
      }
      port = w->acceptor->local_endpoint().port();
    }
    return port;
  }

  void Run() {
    signals_->async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) Stop();
    });
    for (auto& w : workers_) {
      asio::co_spawn(w->ioc, Accept(*w), asio::detached);
      w->sweep = std::make_unique<asio::steady_timer>(w->ioc);
      asio::co_spawn(w->ioc, Sweep(*w), asio::detached);
      w->guard.emplace(w->ioc.get_executor());
    }
    // Worker 0 runs on the calling thread, which keeps the process's name.
    for (size_t i = 1; i < workers_.size(); ++i) {
      workers_[i]->thread = std::thread([w = workers_[i].get(), i] {
        NameThisThread("net-" + std::to_string(i));
        w->ioc.run();
      });
    }
    workers_[0]->ioc.run();
    for (size_t i = 1; i < workers_.size(); ++i) workers_[i]->thread.join();
    pool_.join();
    std::lock_guard lock(stopper_mu_);
    if (stopper_.joinable()) stopper_.join();
  }

  void AddStopListener(std::function<void()> listener) {
    stop_listeners_.push_back(std::move(listener));
  }

  void Stop() {
    if (stopping_.exchange(true)) return;
    for (const auto& listener : stop_listeners_) listener();
    for (auto& w : workers_) {
      asio::post(w->ioc, [this, w = w.get()] {
        boost::system::error_code ignored;
        w->acceptor->close(ignored);
        // Close rather than cancel: a read that already completed and waits
        // in the queue would go on to start another one, which a cancel made
        // now could not reach.
        for (Connection* c : w->connections) {
          if (!c->busy) c->socket->close(ignored);
        }
        w->sweep->cancel();
        w->guard.reset();
      });
    }
    // Give in-flight requests the grace period, then end whatever remains.
    std::lock_guard lock(stopper_mu_);
    stopper_ = std::thread([this] {
      const auto deadline = std::chrono::steady_clock::now() + options_.shutdown_grace;
      while (active_connections_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      for (auto& w : workers_) w->ioc.stop();
    });
  }

 private:
  using Clock = std::chrono::steady_clock;
  struct Connection {
    tcp::socket* socket;
    bool busy = false;
    Clock::time_point deadline = Clock::time_point::max();  // closed by Sweep after it
  };
  struct Worker {
    asio::io_context ioc{1};
    std::unique_ptr<tcp::acceptor> acceptor;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
    std::thread thread;
    std::list<Connection*> connections;  // touched only on this worker's thread
    std::unique_ptr<asio::steady_timer> sweep;
  };

  asio::awaitable<void> Accept(Worker& w) {
    while (!stopping_) {
      auto [ec, socket] = co_await w.acceptor->async_accept(kUseTuple);
      if (ec) {
        if (stopping_ || ec == asio::error::operation_aborted) co_return;
        // Out of descriptors or a transient error: pause instead of spinning.
        asio::steady_timer pause(w.ioc, std::chrono::milliseconds(50));
        co_await pause.async_wait(kUseTuple);
        continue;
      }
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      asio::co_spawn(w.ioc, Serve(w, std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<HttpResponse> RunBlocking(const Route& route, HttpRequest& request,
                                            const PathParams& params) {
    co_return co_await asio::co_spawn(
        pool_,
        [&]() -> asio::awaitable<HttpResponse> { co_return Call(route.handler, request, params); },
        asio::use_awaitable);
  }

  // `finish` by reference: a coroutine's by-value parameter is destroyed
  // twice by GCC 12 when the argument is a temporary.
  asio::awaitable<HttpResponse> RunBlocking(const HttpRequest& request,
                                            const std::function<HttpResponse()>& finish) {
    co_return co_await asio::co_spawn(
        pool_,
        [&]() -> asio::awaitable<HttpResponse> {
          try {
            co_return finish();
          } catch (const std::exception& e) {
            std::fprintf(stderr, "chirpd: handler failed on %s %s: %s\n", request.method.c_str(),
                         request.path.c_str(), e.what());
            co_return ErrorResponse(500, "Internal server error");
          }
        },
        asio::use_awaitable);
  }

  static HttpResponse Call(const Handler& handler, HttpRequest& request, const PathParams& params) {
    try {
      return handler(request, params);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "chirpd: handler failed on %s %s: %s\n", request.method.c_str(),
                   request.path.c_str(), e.what());
      return ErrorResponse(500, "Internal server error");
    }
  }

  asio::awaitable<void> Serve(Worker& w, tcp::socket socket) {
    active_connections_.fetch_add(1);
    Connection connection{&socket};
    w.connections.push_front(&connection);
    const auto registered = w.connections.begin();
    boost::system::error_code ec;
    const std::string remote = socket.remote_endpoint(ec).address().to_string();
    // Bytes read but not yet parsed: [start, end) of `in`. What follows one
    // request (a pipelined next one) stays for the next round.
    std::vector<char> in(kReadBuffer);
    size_t start = 0;
    size_t end = 0;
    RequestParser parser(options_.header_limit);
    // Reads and parses until the parser leaves `state`; false when the
    // connection failed or closed.
    const auto read_while = [&](RequestParser::State state) -> asio::awaitable<bool> {
      while (parser.state() == state) {
        if (start == end) {
          start = end = 0;
          auto [read_ec, n] = co_await socket.async_read_some(asio::buffer(in), kUseTuple);
          if (read_ec) co_return false;
          end = n;
        }
        start += parser.Feed(std::string_view(in.data() + start, end - start));
      }
      co_return true;
    };

    while (!stopping_) {
      connection.busy = false;
      connection.deadline = Clock::now() + options_.idle_timeout;
      parser.Reset();
      if (!co_await read_while(RequestParser::State::kHead)) break;
      if (parser.state() == RequestParser::State::kError) {
        const int status = parser.error_status();
        co_await WriteBare(socket, ErrorResponse(status, ReasonOf(status)));
        break;
      }
      connection.busy = true;
      const auto started = Clock::now();
      metrics_.in_flight().fetch_add(1, std::memory_order_relaxed);
      connection.deadline = started + options_.request_timeout;

      HttpRequest request;
      request.method = std::move(parser.method());
      request.target = std::move(parser.target());
      const size_t q = request.target.find('?');
      request.path = request.target.substr(0, q);
      if (q != std::string::npos) request.query = request.target.substr(q + 1);
      request.headers = std::move(parser.headers());
      request.remote_address = remote;
      request.request_id = RequestId();
      const int version_minor = parser.version_minor();
      bool keep_alive = parser.keep_alive();

      RouteMatch match = router_.Match(request.method, request.path);
      const size_t body_limit =
          match.route != nullptr ? match.route->body_limit : kDefaultBodyLimit;
      const size_t route_index =
          match.route != nullptr ? match.route->index : metrics_.route_count();

      HttpResponse response;
      bool read_failed = false;
      if (parser.has_declared_length() && parser.declared_length() > body_limit) {
        response = ErrorResponse(413, "Request entity too large");
        keep_alive = false;
      } else {
        if (parser.state() == RequestParser::State::kBody) {
          if (parser.expects_continue()) co_await WriteRaw(socket, kContinue);
          parser.set_body_limit(body_limit);
          if (!co_await read_while(RequestParser::State::kBody)) read_failed = true;
        }
        if (!read_failed && parser.state() == RequestParser::State::kError) {
          const int status = parser.error_status();
          response = ErrorResponse(status, ReasonOf(status));
          keep_alive = false;
        } else if (!read_failed) {
          request.body = std::move(parser.body());
          connection.deadline = Clock::time_point::max();  // handlers take their time
          if (match.route == nullptr) {
            response = fallback_(request, match.path_matched);
          } else if (match.route->execution != Execution::kBlocking) {
            // http/execution.h: memory only here; what must wait goes on.
            {
              NoWaitScope memory_only;
              response = Call(match.route->handler, request, match.params);
            }
            if (response.finish_blocking) {
              const std::function<HttpResponse()> finish = std::move(response.finish_blocking);
              response = co_await RunBlocking(request, finish);
            }
          } else {
            response = co_await RunBlocking(*match.route, request, match.params);
          }
          connection.deadline = Clock::now() + options_.request_timeout;
        }
      }
      if (read_failed) {
        metrics_.in_flight().fetch_sub(1, std::memory_order_relaxed);
        break;
      }
      if (response.take_over) {
        metrics_.in_flight().fetch_sub(1, std::memory_order_relaxed);
        metrics_.Observe(route_index, response.status, MicrosSince(started));
        TakenConnection taken;
        taken.io = &w.ioc;
        taken.unread.assign(in.data() + start, end - start);
        taken.fd = socket.release(ec);
        w.connections.erase(registered);
        active_connections_.fetch_sub(1);
        if (!ec) response.take_over(std::move(taken));
        co_return;
      }
      const bool refused_body = response.status == 413;
      if (stopping_) keep_alive = false;
      response.AddHeader("X-Request-Id", request.request_id);
      if (decorate_) decorate_(request, response);

      const std::string head =
          ResponseHead(response, keep_alive, version_minor, request.method == "HEAD");
      std::array<asio::const_buffer, 2> out{asio::buffer(head), asio::buffer(response.body)};
      if (request.method == "HEAD" || !HasBody(response.status)) out[1] = asio::const_buffer();
      auto [write_ec, written] = co_await asio::async_write(socket, out, kUseTuple);
      metrics_.in_flight().fetch_sub(1, std::memory_order_relaxed);
      metrics_.Observe(route_index, response.status, MicrosSince(started));
      if (!write_ec && refused_body) co_await LingeringClose(socket, connection);
      if (write_ec || !keep_alive) break;
    }
    socket.shutdown(tcp::socket::shutdown_send, ec);
    w.connections.erase(registered);
    active_connections_.fetch_sub(1);
  }

  // Closes the connections whose deadline passed: idle ones, and ones too
  // slow to send a request or take an answer. One timer per worker, so that
  // no request arms one of its own.
  asio::awaitable<void> Sweep(Worker& w) {
    while (!stopping_) {
      w.sweep->expires_after(kSweepInterval);
      auto [wait_ec] = co_await w.sweep->async_wait(kUseTuple);
      if (wait_ec) co_return;
      const auto now = Clock::now();
      for (Connection* c : w.connections) {
        if (c->deadline < now) {
          boost::system::error_code ignored;
          c->socket->close(ignored);
        }
      }
    }
  }

  // After refusing a body, the client may still be sending it; closing at
  // once would reset the connection and lose the 413. Half-close, then read
  // and drop what still comes, bounded in bytes and time.
  asio::awaitable<void> LingeringClose(tcp::socket& socket, Connection& connection) {
    constexpr size_t kMaxDrain = 64 << 20;
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_send, ec);
    connection.deadline = Clock::now() + std::chrono::seconds(2);
    std::vector<char> sink(64 * 1024);
    size_t drained = 0;
    while (drained < kMaxDrain) {
      auto [read_ec, n] = co_await socket.async_read_some(asio::buffer(sink), kUseTuple);
      if (read_ec) break;
      drained += n;
    }
  }

  // Writes bytes as they are (the interim "100 Continue").
  asio::awaitable<void> WriteRaw(tcp::socket& socket, std::string_view bytes) {
    co_await asio::async_write(socket, asio::buffer(bytes.data(), bytes.size()), kUseTuple);
  }

  // Writes a response outside the normal flow (a request that could not be
  // parsed) and marks the connection to close. `response` is a reference:
  // GCC 12 destroys by-value class parameters of coroutines twice when the
  // argument is a temporary, and the caller's temporary outlives the
  // co_await.
  asio::awaitable<void> WriteBare(tcp::socket& socket, const HttpResponse& response) {
    const std::string head = ResponseHead(response, false, 1, false);
    std::array<asio::const_buffer, 2> out{asio::buffer(head), asio::buffer(response.body)};
    co_await asio::async_write(socket, out, kUseTuple);
  }

  ServerOptions options_;
  const Router& router_;
  HttpMetrics& metrics_;
  FallbackHandler fallback_;
  ResponseDecorator decorate_;
  asio::thread_pool pool_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::optional<asio::signal_set> signals_;  // on workers_[0]; set by Listen()
  std::atomic<bool> stopping_{false};
  std::atomic<int> active_connections_{0};
  std::mutex stopper_mu_;
  std::vector<std::function<void()>> stop_listeners_;  // set before Run
  std::thread stopper_;                                // guarded by stopper_mu_
};

HttpServer::HttpServer(ServerOptions options, const Router& router, HttpMetrics& metrics,
                       FallbackHandler fallback, ResponseDecorator decorate)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics, std::move(fallback),
                                   std::move(decorate))) {}
HttpServer::~HttpServer() = default;
Result<uint16_t> HttpServer::Listen() { return impl_->Listen(); }
void HttpServer::Run() { impl_->Run(); }
void HttpServer::Stop() { impl_->Stop(); }

void HttpServer::AddStopListener(std::function<void()> listener) {
  impl_->AddStopListener(std::move(listener));
}

}  // namespace chirp
