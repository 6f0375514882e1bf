#include "http/server.h"

#include <sys/sendfile.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <limits>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/no_wait.h"
#include "core/secrets.h"
#include "core/stop_signals.h"
#include "core/text.h"
#include "core/thread_entry.h"
#include "http/blocking_admission.h"
#include "http/request_parser.h"
#include "http/spooled_body.h"

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

// A connection reads into a small buffer until a read fills it, then into a
// large one: an idle or slow connection holds little, a busy one reads much
// at a time.
constexpr size_t kFirstReadBuffer = 1024;
constexpr size_t kReadBuffer = 16 * 1024;
constexpr auto kSweepInterval = std::chrono::seconds(1);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// Connections being refused at once (a cap was reached) that still get
// their 503; beyond, a refused connection is closed without one.
constexpr int kMaxAnsweredRefusals = 256;
// How long a refused connection may take to send what it had sent before
// learning of the refusal.
constexpr auto kRefusalLinger = std::chrono::seconds(1);

// The answer when the server sheds a request or a connection: the client
// should try again in a moment.
HttpResponse BusyResponse(std::string_view message) {
  HttpResponse response = ErrorResponse(503, message);
  response.AddHeader("Retry-After", "1");
  return response;
}

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
    const uint64_t length = response.file ? response.file->length : response.body.size();
    out.append(digits, std::to_chars(digits, digits + sizeof digits, length).ptr);
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

// Whether `request` to `route` (null: none matched) is a file upload the
// route takes: its body has the route's upload limit and goes to disk.
bool IsUpload(const Route* route, const HttpRequest& request) {
  return route != nullptr && route->upload_body_limit != 0 &&
         AsciiLower(TrimAscii(request.Header("content-type"))).starts_with("multipart/form-data");
}

// Where a connection's coroutine ends: what escaped it (a bug: handlers'
// exceptions are answered 500 where they run) is reported, and the
// connection, whose socket closed as the coroutine unwound, is all it costs.
void ReportFailure(const std::exception_ptr& failure) {
  if (failure == nullptr) return;
  std::fprintf(stderr, "chirpd: a connection failed: %s\n", DescribeFailure(failure).c_str());
}

// Where a network thread's own coroutine ends: what escaped it ends the
// process, as for any thread (core/thread_entry.h).
auto ExitOnFailure(const char* what) {
  return [what](const std::exception_ptr& failure) {
    if (failure != nullptr) ExitOnThreadFailure(what, DescribeFailure(failure));
  };
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
        limits_(options_.connections, &metrics.connections()),
        admission_(options_.blocking_queue_limit, options_.queue_deadline),
        pool_(static_cast<size_t>(std::max(1, options_.blocking_threads))) {
    int n = options_.network_threads;
    if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 0; i < n; ++i) workers_.push_back(std::make_unique<Worker>());
  }

  Result<uint16_t> Listen() {
    // From here on SIGINT and SIGTERM are held for Run(), so a signal that
    // arrives before serving starts still shuts down cleanly.
    if (options_.stop_on_signals) signals_.emplace(workers_[0]->ioc, SIGINT, SIGTERM);
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
    if (signals_) {
      signals_->async_wait([this](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        std::fprintf(stderr, "chirpd: stopping on %s\n", signal == SIGINT ? "SIGINT" : "SIGTERM");
        Stop();
      });
    }
    for (auto& w : workers_) {
      // The acceptor and the sweeper are the thread's own work: if either
      // fails, the thread does (core/thread_entry.h).
      asio::co_spawn(w->ioc, Accept(*w), ExitOnFailure("the acceptor"));
      w->sweep = std::make_unique<asio::steady_timer>(w->ioc);
      asio::co_spawn(w->ioc, Sweep(*w), ExitOnFailure("the sweeper"));
      w->guard.emplace(w->ioc.get_executor());
    }
    // Worker 0 runs on the calling thread, which keeps the process's name.
    for (size_t i = 1; i < workers_.size(); ++i) {
      workers_[i]->thread = std::thread([w = workers_[i].get(), i] {
        RunThread("net-" + std::to_string(i), [w] { w->ioc.run(); });
      });
    }
    // The signals reach this thread alone, which waits in its event loop
    // (the threads started above inherited them blocked).
    if (signals_) UnblockStopSignals();
    try {
      workers_[0]->ioc.run();
    } catch (...) {
      ExitOnThreadFailure("net-0", DescribeFailure(std::current_exception()));
    }
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
      RunThread("net-stopper", [this] {
        const auto deadline = std::chrono::steady_clock::now() + options_.shutdown_grace;
        while (active_connections_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        for (auto& w : workers_) w->ioc.stop();
      });
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

  // A connection on its worker's list (for the sweeper and shutdown) and
  // counted in `count` (by the constructor, unless `counted` says the caller
  // did), from construction until Release or destruction, so that a
  // coroutine unwinding on an exception leaves neither behind.
  class Listed {
   public:
    Listed(Worker& w, Connection& connection, std::atomic<int>& count, bool counted = false)
        : w_(w),
          count_(count),
          it_((w.connections.push_front(&connection), w.connections.begin())) {
      if (!counted) count_.fetch_add(1);
    }
    Listed(const Listed&) = delete;
    Listed& operator=(const Listed&) = delete;
    ~Listed() { Release(); }
    void Release() {
      if (released_) return;
      released_ = true;
      w_.connections.erase(it_);
      count_.fetch_sub(1);
    }

   private:
    Worker& w_;
    std::atomic<int>& count_;
    const std::list<Connection*>::iterator it_;
    bool released_ = false;
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
      boost::system::error_code peer_ec;
      std::string remote = socket.remote_endpoint(peer_ec).address().to_string();
      if (peer_ec) continue;  // gone already
      ConnectionLimits::Lease lease = limits_.Admit(remote);
      if (lease == nullptr) {
        asio::co_spawn(w.ioc, Refuse(w, std::move(socket)), ReportFailure);
        continue;
      }
      socket.set_option(tcp::no_delay(true), peer_ec);
      asio::co_spawn(w.ioc, Serve(w, std::move(socket), std::move(remote), std::move(lease)),
                     ReportFailure);
    }
  }

  // Runs `work` on the blocking pool, unless too many requests wait for it
  // already or this one waited past its deadline: a request shed is
  // answered 503 at once, and one run late would only delay the others.
  // `work` by reference: a coroutine's by-value parameter is destroyed twice
  // by GCC 12 when the argument is a temporary.
  asio::awaitable<HttpResponse> RunBlocking(const std::function<HttpResponse()>& work) {
    const std::optional<Clock::time_point> entered = admission_.Enter(Clock::now());
    if (!entered) {
      metrics_.shed_requests().fetch_add(1, std::memory_order_relaxed);
      co_return BusyResponse("The service is busy, please try again");
    }
    co_return co_await asio::co_spawn(
        pool_,
        [&]() -> asio::awaitable<HttpResponse> {
          if (!admission_.Start(*entered, Clock::now())) {
            metrics_.shed_requests().fetch_add(1, std::memory_order_relaxed);
            co_return BusyResponse("The service is busy, please try again");
          }
          co_return work();
        },
        asio::use_awaitable);
  }

  // Runs `handler`; what it throws becomes a 500 and a log line.
  template <typename Handler>
  static HttpResponse Call(const HttpRequest& request, Handler&& handler) {
    try {
      return handler();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "chirpd: handler failed on %s %s: %s\n", request.method.c_str(),
                   request.path.c_str(), e.what());
      return ErrorResponse(500, "Internal server error");
    }
  }

  // Serves one connection, admitted under `lease`, until it ends or is
  // taken over.
  asio::awaitable<void> Serve(Worker& w, tcp::socket socket, std::string remote,
                              ConnectionLimits::Lease lease) {
    Connection connection{&socket};
    Listed listed(w, connection, active_connections_);
    boost::system::error_code ec;
    // Bytes read but not yet parsed: [start, end) of `in`. What follows one
    // request (a pipelined next one) stays for the next round.
    std::vector<char> in(kFirstReadBuffer);
    size_t start = 0;
    size_t end = 0;
    RequestParser parser(options_.header_limit);
    // Reads and parses until the parser leaves `state`; false when the
    // connection failed or closed. The first bytes of a head start its
    // time limit.
    const auto read_while = [&](RequestParser::State state) -> asio::awaitable<bool> {
      while (parser.state() == state) {
        if (start == end) {
          start = end = 0;
          auto [read_ec, n] = co_await socket.async_read_some(asio::buffer(in), kUseTuple);
          if (read_ec) co_return false;
          end = n;
          if (n == in.size() && in.size() < kReadBuffer) in.resize(kReadBuffer);
        }
        if (state == RequestParser::State::kHead) {
          connection.deadline =
              std::min(connection.deadline, Clock::now() + options_.header_timeout);
        }
        start += parser.Feed(std::string_view(in.data() + start, end - start));
      }
      co_return true;
    };

    // A new connection is there to send a request: its first head has the
    // head's time limit from the start.
    connection.deadline = Clock::now() + std::min(options_.header_timeout, options_.idle_timeout);
    bool first_request = true;
    while (!stopping_) {
      connection.busy = false;
      if (!first_request) connection.deadline = Clock::now() + options_.idle_timeout;
      first_request = false;
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
      const bool upload = IsUpload(match.route, request);
      const size_t body_limit =
          upload ? match.route->upload_body_limit
                 : (match.route != nullptr ? match.route->body_limit : kDefaultBodyLimit);
      const size_t route_index =
          match.route != nullptr ? match.route->index : metrics_.route_count();

      HttpResponse response;
      bool read_failed = false;
      if (parser.has_declared_length() && parser.declared_length() > body_limit) {
        response = ErrorResponse(413, "Request entity too large");
        keep_alive = false;
      } else {
        std::shared_ptr<SpooledBody> spooled;
        if (parser.state() == RequestParser::State::kBody && upload) {
          auto spool = SpooledBody::Create(options_.spool_dir);
          if (spool) {
            spooled = std::move(spool).value();
            parser.set_body_sink(
                [&spooled](std::string_view bytes) { return spooled->Append(bytes); });
          } else {
            std::fprintf(stderr, "chirpd: %s\n", spool.error().message.c_str());
          }
        }
        if (parser.state() == RequestParser::State::kBody) {
          if (parser.expects_continue()) co_await WriteRaw(socket, kContinue);
          parser.set_body_limit(body_limit);
          if (!co_await read_while(RequestParser::State::kBody)) read_failed = true;
        }
        parser.set_body_sink(nullptr);
        bool unkept = false;  // the upload's file could not be read back
        if (spooled && !read_failed && parser.state() == RequestParser::State::kDone) {
          unkept = !spooled->Finish();
          if (!unkept) request.spooled = std::move(spooled);
        }
        if (unkept) {
          response = ErrorResponse(503, "Service unavailable");
          keep_alive = false;
        } else if (!read_failed && parser.state() == RequestParser::State::kError) {
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
              response = Call(request, [&] { return match.route->handler(request, match.params); });
            }
            if (response.finish_blocking) {
              const std::function<HttpResponse()> work =
                  [&request, finish = std::move(response.finish_blocking)] {
                    return Call(request, finish);
                  };
              response = co_await RunBlocking(work);
            }
          } else {
            const std::function<HttpResponse()> work = [&] {
              return Call(request, [&] { return match.route->handler(request, match.params); });
            };
            response = co_await RunBlocking(work);
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
        taken.lease = std::move(lease);
        taken.fd = socket.release(ec);
        listed.Release();
        if (!ec) response.take_over(std::move(taken));
        co_return;
      }
      const bool refused_body = response.status == 413;
      if (stopping_) keep_alive = false;
      response.AddHeader("X-Request-Id", request.request_id);
      if (decorate_) decorate_(request, response);

      const std::string head =
          ResponseHead(response, keep_alive, version_minor, request.method == "HEAD");
      const bool send_body = request.method != "HEAD" && HasBody(response.status);
      std::array<asio::const_buffer, 2> out{asio::buffer(head), asio::buffer(response.body)};
      if (!send_body || response.file) out[1] = asio::const_buffer();
      auto [write_ec, written] = co_await asio::async_write(socket, out, kUseTuple);
      if (!write_ec && send_body && response.file) {
        write_ec = co_await SendFile(socket, *response.file, connection);
      }
      metrics_.in_flight().fetch_sub(1, std::memory_order_relaxed);
      metrics_.Observe(route_index, response.status, MicrosSince(started));
      if (!write_ec && refused_body) co_await LingeringClose(socket, connection);
      if (write_ec || !keep_alive) break;
    }
    socket.shutdown(tcp::socket::shutdown_send, ec);
  }

  // Sends `file` on `socket` with sendfile(2), waiting for room in the
  // socket's buffer whenever it is full. A large file takes a slow client
  // longer than the request's time limit: the limit counts from the last
  // bytes it took instead, so only a client that stops reading is cut off.
  asio::awaitable<boost::system::error_code> SendFile(tcp::socket& socket, const FileBody& file,
                                                      Connection& connection) {
    boost::system::error_code ec;
    socket.native_non_blocking(true, ec);
    if (ec) co_return ec;
    off_t offset = static_cast<off_t>(file.offset);
    uint64_t left = file.length;
    while (left > 0) {
      const ssize_t n = ::sendfile(socket.native_handle(), file.fd, &offset,
                                   static_cast<size_t>(std::min<uint64_t>(left, 1 << 30)));
      if (n > 0) {
        left -= static_cast<uint64_t>(n);
        connection.deadline = Clock::now() + options_.request_timeout;
        continue;
      }
      if (n == 0) co_return asio::error::eof;  // the file is shorter than it was
      if (errno == EINTR) continue;
      if (errno != EAGAIN)
        co_return boost::system::error_code(errno, boost::system::system_category());
      auto [wait_ec] = co_await socket.async_wait(tcp::socket::wait_write, kUseTuple);
      if (wait_ec) co_return wait_ec;
    }
    co_return ec;
  }

  // Answers a connection beyond the caps with a 503 and closes it. The
  // answer is written before the request is read, then whatever the client
  // sent meanwhile is drained for a moment so that closing does not reset
  // the connection and lose the answer. When many are being refused at
  // once, the rest are closed without one.
  asio::awaitable<void> Refuse(Worker& w, tcp::socket socket) {
    boost::system::error_code ec;
    metrics_.refused_connections().fetch_add(1, std::memory_order_relaxed);
    if (refusing_.fetch_add(1) >= kMaxAnsweredRefusals) {
      refusing_.fetch_sub(1);
      socket.close(ec);
      co_return;
    }
    Connection connection{&socket, /*busy=*/true, Clock::now() + kRefusalLinger};
    Listed listed(w, connection, refusing_, /*counted=*/true);
    co_await WriteBare(socket, refused_);
    co_await LingeringClose(socket, connection, kRefusalLinger);
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
  asio::awaitable<void> LingeringClose(tcp::socket& socket, Connection& connection,
                                       Clock::duration linger = std::chrono::seconds(2)) {
    constexpr size_t kMaxDrain = 64 << 20;
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_send, ec);
    connection.deadline = Clock::now() + linger;
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
  ConnectionLimits limits_;
  const HttpResponse refused_ = BusyResponse("Too many connections, please try again");
  std::atomic<int> refusing_{0};
  BlockingAdmission admission_;
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
Result<uint16_t> HttpServer::Listen() {
  // sendfile(2) to a peer that has gone raises SIGPIPE, which would end the
  // process: ignored, the call fails with EPIPE and only that connection
  // ends (Asio's own writes never raise it).
  std::signal(SIGPIPE, SIG_IGN);
  return impl_->Listen();
}
void HttpServer::Run() { impl_->Run(); }
void HttpServer::Stop() { impl_->Stop(); }

void HttpServer::AddStopListener(std::function<void()> listener) {
  impl_->AddStopListener(std::move(listener));
}

}  // namespace chirp
