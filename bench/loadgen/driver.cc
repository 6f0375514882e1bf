#include "driver.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "http_response_parser.h"
#include "prng.h"

namespace chirp::loadgen {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using ErrorCode = boost::system::error_code;

namespace {

// Large enough for a page of timeline in one or two reads.
constexpr size_t kReadBufferBytes = 64 * 1024;
// A refused or failed connect is retried after this pause rather than at
// once, so a server that is down is not hammered with connects.
constexpr auto kConnectRetryDelay = std::chrono::milliseconds(10);

struct Window {
  Clock::time_point start;  // of the run, warm-up included
  Clock::time_point measure;
  Clock::time_point end;
  bool Contains(Clock::time_point t) const { return t >= measure && t < end; }
};

uint64_t Micros(Clock::duration d) {
  return static_cast<uint64_t>(
      std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::microseconds>(d).count()));
}

bool IsErrorStatus(int status) { return status < 200 || status >= 400; }

// One thread's share of the run: its event loop, connections and results.
struct ThreadRun {
  // One thread runs this loop; no other touches it.
  asio::io_context io{1};
  tcp::endpoint endpoint;
  const LoadOptions* options = nullptr;
  Window window;
  RunResult result;
};

// One keep-alive connection carrying one request at a time. Every handler
// captures `this`: connections live until their thread's loop has stopped.
class Connection {
 public:
  Connection(ThreadRun& run, int index, std::unique_ptr<RequestSource> source)
      : run_(run),
        source_(std::move(source)),
        socket_(run.io),
        timer_(run.io),
        buffer_(kReadBufferBytes),
        parser_(/*keep_body=*/static_cast<bool>(run.options->on_answer)) {
    const LoadOptions& o = *run.options;
    if (o.rate > 0) {
      interval_ = std::chrono::duration<double>(o.connections / o.rate);
      first_slot_ =
          run.window.start + std::chrono::duration_cast<Clock::duration>(
                                 interval_ * (static_cast<double>(index) / o.connections));
    }
  }

  void Start() { Connect(); }

  // Ends the run for this connection at the window's end.
  void Stop() {
    stopped_ = true;
    if (open_loop()) CountUnfinished();
    ErrorCode ignored;
    socket_.close(ignored);
    timer_.cancel();
  }

 private:
  bool open_loop() const { return interval_.count() > 0; }

  Clock::time_point Slot(uint64_t k) const {
    return first_slot_ +
           std::chrono::duration_cast<Clock::duration>(interval_ * static_cast<double>(k));
  }

  void Connect() {
    socket_.async_connect(run_.endpoint, [this](ErrorCode ec) {
      if (stopped_) return;
      if (ec) return Broken("connect", ec.message(), kConnectRetryDelay);
      ErrorCode ignored;
      socket_.set_option(tcp::no_delay(true), ignored);
      ++run_.result.connections_opened;
      SendNext();
    });
  }

  // Requests that would start after the window are not sent: they could not
  // count, and the server would still do their work (a post still posts).
  void SendNext() {
    const Clock::time_point now = Clock::now();
    if (!open_loop()) {
      if (now < run_.window.end) Send(now);
      return;
    }
    const Clock::time_point due = Slot(next_slot_);
    if (due >= run_.window.end) return;
    if (due > now) {
      timer_.expires_at(due);
      timer_.async_wait([this](ErrorCode ec) {
        if (stopped_ || ec) return;
        SendNext();
      });
      return;
    }
    ++next_slot_;
    Send(due);
  }

  void Send(Clock::time_point counted_from) {
    kind_ = source_->Next(request_);
    started_ = counted_from;
    in_flight_ = true;
    parser_.Reset();
    asio::async_write(socket_, asio::buffer(request_), [this](ErrorCode ec, size_t) {
      if (stopped_) return;
      if (ec) return Broken("write", ec.message(), {});
      Read();
    });
  }

  void Read() {
    socket_.async_read_some(asio::buffer(buffer_), [this](ErrorCode ec, size_t n) {
      if (stopped_) return;
      if (ec == asio::error::eof) {
        parser_.FinishOnEof();
        if (parser_.state() == ResponseParser::State::kDone) return Answered();
        return Broken("read", "connection closed by peer", {});
      }
      if (ec) return Broken("read", ec.message(), {});
      const size_t used = parser_.Feed(std::string_view(buffer_.data(), n));
      switch (parser_.state()) {
        case ResponseParser::State::kNeedMore:
          return Read();
        case ResponseParser::State::kFailed:
          return Broken("parse", std::string(parser_.error()), {});
        case ResponseParser::State::kDone:
          if (used != n) return Broken("parse", "data after the response", {});
          return Answered();
      }
    });
  }

  void Answered() {
    const Clock::time_point now = Clock::now();
    in_flight_ = false;
    if (run_.window.Contains(started_) && now <= run_.window.end) {
      KindResult& k = run_.result.kinds[static_cast<size_t>(kind_)];
      ++k.requests;
      k.bytes += parser_.bytes();
      const uint64_t us = Micros(now - started_);
      k.latency.Record(us);
      const auto expected = static_cast<uint64_t>(run_.options->expected_interval.count());
      if (expected > 0 && !open_loop()) k.corrected_latency.RecordCorrected(us, expected);
      if (IsErrorStatus(parser_.status())) ++k.errors_by_status[parser_.status()];
    }
    if (run_.options->on_answer) {
      run_.options->on_answer(
          {.kind = kind_, .status = parser_.status(), .body = parser_.body(), .arrived = now});
    }
    if (parser_.keep_alive()) return SendNext();
    Reopen({});
  }

  // The connection failed: count it, drop the request it carried, open a
  // new one after `delay`.
  void Broken(std::string_view phase, const std::string& reason, Clock::duration delay) {
    in_flight_ = false;
    if (run_.window.Contains(Clock::now())) {
      ++run_.result.transport_errors[std::string(phase) + ": " + reason];
    }
    Reopen(delay);
  }

  void Reopen(Clock::duration delay) {
    ErrorCode ignored;
    socket_.close(ignored);
    if (delay == Clock::duration::zero()) return Connect();
    timer_.expires_after(delay);
    timer_.async_wait([this](ErrorCode ec) {
      if (stopped_ || ec) return;
      Connect();
    });
  }

  // The window's scheduled requests without an answer: the one in flight
  // and those never sent (whose kinds the source still draws, so a mix
  // charges each part its share). Each is recorded as waiting until the end.
  void CountUnfinished() {
    const Window& w = run_.window;
    const auto late = [&](RequestKind kind, Clock::time_point scheduled) {
      if (!w.Contains(scheduled)) return;
      ++run_.result.unfinished;
      run_.result.kinds[static_cast<size_t>(kind)].latency.Record(Micros(w.end - scheduled));
    };
    if (in_flight_) late(kind_, started_);
    for (uint64_t k = next_slot_; Slot(k) < w.end; ++k) late(source_->Next(request_), Slot(k));
  }

  ThreadRun& run_;
  std::unique_ptr<RequestSource> source_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  std::vector<char> buffer_;
  std::string request_;
  ResponseParser parser_;
  RequestKind kind_ = RequestKind::kStatic;
  Clock::time_point started_;
  bool in_flight_ = false;
  bool stopped_ = false;
  // Open loop: the schedule, and the next slot not yet sent.
  std::chrono::duration<double> interval_{0};
  Clock::time_point first_slot_;
  uint64_t next_slot_ = 0;
};

void RunThread(ThreadRun& run, std::vector<std::unique_ptr<Connection>>& connections) {
  asio::steady_timer end(run.io);
  end.expires_at(run.window.end);
  end.async_wait([&](ErrorCode) {
    for (auto& c : connections) c->Stop();
  });
  for (auto& c : connections) c->Start();
  run.io.run();
}

}  // namespace

Status ValidateLoadOptions(const LoadOptions& o) {
  if (o.threads < 1) return Error::BadRequest("threads must be at least 1");
  if (o.connections < 1) return Error::BadRequest("connections must be at least 1");
  if (!(o.rate >= 0)) return Error::BadRequest("rate must not be negative");
  if (o.duration.count() <= 0) return Error::BadRequest("duration must be positive");
  if (o.warmup.count() < 0) return Error::BadRequest("warmup must not be negative");
  if (o.expected_interval.count() < 0) {
    return Error::BadRequest("expected interval must not be negative");
  }
  return {};
}

Result<RunResult> RunLoad(const LoadOptions& options, const Workload& workload) {
  if (Status s = ValidateLoadOptions(options); !s) return std::move(s).error();
  tcp::endpoint endpoint;
  {
    asio::io_context io;
    tcp::resolver resolver(io);
    ErrorCode ec;
    auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec || results.empty()) {
      return Error::Unavailable("cannot resolve " + options.host + ": " + ec.message());
    }
    endpoint = results.begin()->endpoint();
  }

  const int threads = std::min(options.threads, options.connections);
  Window window;
  window.start = Clock::now();
  window.measure = window.start + options.warmup;
  window.end = window.measure + options.duration;

  std::vector<std::unique_ptr<ThreadRun>> runs;
  std::vector<std::vector<std::unique_ptr<Connection>>> connections(threads);
  for (int t = 0; t < threads; ++t) {
    auto run = std::make_unique<ThreadRun>();
    run->endpoint = endpoint;
    run->options = &options;
    run->window = window;
    runs.push_back(std::move(run));
  }
  for (int i = 0; i < options.connections; ++i) {
    ThreadRun& run = *runs[i % threads];
    connections[i % threads].push_back(
        std::make_unique<Connection>(run, i, workload.NewSource(DeriveSeed(options.seed, i))));
  }
  std::thread window_start;
  if (options.at_window_start) {
    window_start = std::thread([&] {
      std::this_thread::sleep_until(window.measure);
      options.at_window_start();
    });
  }
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] { RunThread(*runs[t], connections[t]); });
  }
  for (auto& w : workers) w.join();
  if (window_start.joinable()) window_start.join();

  RunResult total;
  for (const auto& run : runs) total.Merge(run->result);
  return total;
}

}  // namespace chirp::loadgen
