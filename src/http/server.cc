#include "http/server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
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

namespace chirp {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
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
      w->guard.emplace(w->ioc.get_executor());
    }
    for (size_t i = 1; i < workers_.size(); ++i) {
      workers_[i]->thread = std::thread([w = workers_[i].get()] { w->ioc.run(); });
    }
    workers_[0]->ioc.run();
    for (size_t i = 1; i < workers_.size(); ++i) workers_[i]->thread.join();
    pool_.join();
    std::lock_guard lock(stopper_mu_);
    if (stopper_.joinable()) stopper_.join();
  }

  void Stop() {
    if (stopping_.exchange(true)) return;
    for (auto& w : workers_) {
      asio::post(w->ioc, [this, w = w.get()] {
        boost::system::error_code ignored;
        w->acceptor->close(ignored);
        // Close rather than cancel: a read that already completed and waits
        // in the queue would go on to start another one, which a cancel made
        // now could not reach.
        for (Connection* c : w->connections) {
          if (!c->busy) c->stream->socket().close(ignored);
        }
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
  struct Connection {
    beast::tcp_stream* stream;
    bool busy = false;
  };
  struct Worker {
    asio::io_context ioc{1};
    std::unique_ptr<tcp::acceptor> acceptor;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
    std::thread thread;
    std::list<Connection*> connections;  // touched only on this worker's thread
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
    beast::tcp_stream stream(std::move(socket));
    Connection connection{&stream};
    w.connections.push_front(&connection);
    const auto registered = w.connections.begin();
    boost::system::error_code ec;
    const std::string remote = stream.socket().remote_endpoint(ec).address().to_string();
    beast::flat_buffer buffer;

    while (!stopping_) {
      connection.busy = false;
      stream.expires_after(options_.idle_timeout);
      http::request_parser<http::empty_body> header_parser;
      header_parser.header_limit(static_cast<uint32_t>(options_.header_limit));
      // The body limit depends on the route, known only after the header:
      // it is set on the body parser below.
      header_parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      auto [read_ec, n] =
          co_await http::async_read_header(stream, buffer, header_parser, kUseTuple);
      if (read_ec) {
        if (read_ec == http::error::header_limit) {
          co_await WriteBare(stream, ErrorResponse(431, "Request header fields too large"), 11);
        } else if (read_ec != http::error::end_of_stream &&
                   read_ec != asio::error::operation_aborted && read_ec != beast::error::timeout &&
                   read_ec != asio::error::connection_reset && n > 0) {
          co_await WriteBare(stream, ErrorResponse(400, "Bad request"), 11);
        }
        break;
      }
      connection.busy = true;
      const auto started = std::chrono::steady_clock::now();
      metrics_.in_flight().fetch_add(1, std::memory_order_relaxed);
      stream.expires_after(options_.request_timeout);

      const auto& header = header_parser.get();
      HttpRequest request;
      request.method = std::string(header.method_string());
      request.target = std::string(header.target());
      const size_t q = request.target.find('?');
      request.path = request.target.substr(0, q);
      if (q != std::string::npos) request.query = request.target.substr(q + 1);
      for (const auto& field : header) {
        request.headers.emplace_back(AsciiLower(field.name_string()), std::string(field.value()));
      }
      request.remote_address = remote;
      request.request_id = RequestId();
      const unsigned version = header.version();
      bool keep_alive = header.keep_alive();

      RouteMatch match = router_.Match(request.method, request.path);
      const size_t body_limit =
          match.route != nullptr ? match.route->body_limit : kDefaultBodyLimit;
      const size_t route_index =
          match.route != nullptr ? match.route->index : metrics_.route_count();

      HttpResponse response;
      bool read_failed = false;
      const auto declared = header_parser.content_length();
      if (declared && *declared > body_limit) {
        response = ErrorResponse(413, "Request entity too large");
        keep_alive = false;
      } else {
        if (beast::iequals(header[http::field::expect], "100-continue")) {
          co_await WriteContinue(stream, version);
        }
        http::request_parser<http::string_body> parser(std::move(header_parser));
        parser.body_limit(body_limit);
        boost::system::error_code body_ec;
        // Most requests have no body: the header parser is done already, and
        // one more read would only cost a round through the event loop.
        if (!parser.is_done()) {
          auto [read_body_ec, m] = co_await http::async_read(stream, buffer, parser, kUseTuple);
          body_ec = read_body_ec;
        }
        if (body_ec == http::error::body_limit) {
          response = ErrorResponse(413, "Request entity too large");
          keep_alive = false;
        } else if (body_ec) {
          read_failed = true;
        } else {
          request.body = std::move(parser.get().body());
          if (match.route == nullptr) {
            response = fallback_(request, match.path_matched);
          } else if (match.route->execution == Execution::kInline) {
            response = Call(match.route->handler, request, match.params);
          } else if (match.route->execution == Execution::kMemoryFirst) {
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
        }
      }
      if (read_failed) {
        metrics_.in_flight().fetch_sub(1, std::memory_order_relaxed);
        break;
      }
      const bool refused_body = response.status == 413;
      if (stopping_) keep_alive = false;
      response.AddHeader("X-Request-Id", request.request_id);
      if (decorate_) decorate_(request, response);

      http::response<http::string_body> out{static_cast<http::status>(response.status), version};
      out.set(http::field::content_type, response.content_type);
      for (auto& [name, value] : response.headers) out.insert(name, value);
      out.keep_alive(keep_alive);
      if (request.method == "HEAD") {
        out.content_length(response.body.size());
      } else {
        out.body() = std::move(response.body);
        out.prepare_payload();
      }
      auto [write_ec, written] = co_await http::async_write(stream, out, kUseTuple);
      metrics_.in_flight().fetch_sub(1, std::memory_order_relaxed);
      metrics_.Observe(route_index, response.status, MicrosSince(started));
      if (!write_ec && refused_body) co_await LingeringClose(stream);
      if (write_ec || !keep_alive) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    w.connections.erase(registered);
    active_connections_.fetch_sub(1);
  }

  // After refusing a body, the client may still be sending it; closing at
  // once would reset the connection and lose the 413. Half-close, then read
  // and drop what still comes, bounded in bytes and time.
  asio::awaitable<void> LingeringClose(beast::tcp_stream& stream) {
    constexpr size_t kMaxDrain = 64 << 20;
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream.expires_after(std::chrono::seconds(2));
    std::vector<char> sink(64 * 1024);
    size_t drained = 0;
    while (drained < kMaxDrain) {
      auto [read_ec, n] = co_await stream.async_read_some(asio::buffer(sink), kUseTuple);
      if (read_ec) break;
      drained += n;
    }
  }

  // The interim "100 Continue" for a client that waits for it.
  asio::awaitable<void> WriteContinue(beast::tcp_stream& stream, unsigned version) {
    http::response<http::empty_body> interim{http::status::continue_, version};
    co_await http::async_write(stream, interim, kUseTuple);
  }

  // Writes a response outside the normal flow (errors before routing) and
  // marks the connection to close. `response` is a reference: GCC 12
  // destroys by-value class parameters of coroutines twice when the argument
  // is a temporary, and the caller's temporary outlives the co_await.
  asio::awaitable<void> WriteBare(beast::tcp_stream& stream, const HttpResponse& response,
                                  unsigned version) {
    http::response<http::string_body> out{static_cast<http::status>(response.status), version};
    out.set(http::field::content_type, response.content_type);
    out.keep_alive(false);
    out.body() = response.body;
    out.prepare_payload();
    co_await http::async_write(stream, out, kUseTuple);
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
  std::thread stopper_;  // guarded by stopper_mu_
};

HttpServer::HttpServer(ServerOptions options, const Router& router, HttpMetrics& metrics,
                       FallbackHandler fallback, ResponseDecorator decorate)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics, std::move(fallback),
                                   std::move(decorate))) {}
HttpServer::~HttpServer() = default;
Result<uint16_t> HttpServer::Listen() { return impl_->Listen(); }
void HttpServer::Run() { impl_->Run(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace chirp
