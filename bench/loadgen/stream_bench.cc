#include "stream_bench.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <latch>
#include <memory>
#include <thread>

#include "driver.h"
#include "prng.h"
#include "stream_event.h"
#include "websocket_client.h"
#include "workload.h"

namespace chirp::loadgen {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using ErrorCode = boost::system::error_code;

namespace {

// Enough for a few events in one read; a larger message is reassembled by
// the parser over several reads. 10,000 connections hold 80 MB of these.
constexpr size_t kReadBufferBytes = 8 * 1024;
// How often the drain checks whether the last events have come.
constexpr auto kDrainPoll = std::chrono::milliseconds(10);
// The posters' seed stream: apart from the connections' (0, 1, ...).
constexpr uint64_t kPosterSeedStream = 0x706f7374;  // "post"

std::chrono::microseconds Micros(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d);
}

class StreamClient;

// One thread's share of the connections: its event loop, its clients and
// what they saw. Only its thread touches it while the loop runs.
struct Fleet {
  asio::io_context io{1};
  tcp::endpoint endpoint;
  const StreamBenchOptions* options = nullptr;
  DeliveryTracker* tracker = nullptr;  // latency mode only
  std::latch* upgrades_ended = nullptr;
  std::vector<std::unique_ptr<StreamClient>> clients;
  size_t next_start = 0;
  int in_flight = 0;
  int max_in_flight = 1;
  bool stopping = false;
  Clock::time_point last_upgrade_end;
  StreamConnectionStats stats;

  void StartMore();
  void UpgradeEnded();
};

// One WebSocket client: connects, upgrades, then reads events and answers
// pings until the benchmark stops it or the connection ends. Every handler
// captures `this`: clients live until their fleet's loop has stopped.
class StreamClient {
 public:
  StreamClient(Fleet& fleet, const BenchAccount& account, uint64_t seed)
      : fleet_(fleet), socket_(fleet.io), timer_(fleet.io), rng_(seed) {
    key_ = NewWebSocketKey(rng_);
    const StreamBenchOptions& o = *fleet.options;
    const char separator = o.target.find('?') == std::string::npos ? '?' : '&';
    request_ = WebSocketUpgradeRequest(
        o.host_header, o.target + separator + "access_token=" + account.token, key_);
  }

  void Start() {
    phase_ = Phase::kUpgrading;
    started_ = Clock::now();
    timer_.expires_after(fleet_.options->handshake_timeout);
    timer_.async_wait([this](ErrorCode ec) {
      if (ec || phase_ != Phase::kUpgrading) return;
      timed_out_ = true;
      ErrorCode ignored;
      socket_.close(ignored);
    });
    socket_.async_connect(fleet_.endpoint, [this](ErrorCode ec) {
      if (ec) return UpgradeFailed("connect", ec);
      ErrorCode ignored;
      socket_.set_option(tcp::no_delay(true), ignored);
      asio::async_write(socket_, asio::buffer(request_), [this](ErrorCode ec, size_t) {
        if (ec) return UpgradeFailed("write", ec);
        std::string().swap(request_);
        buffer_ = std::make_unique<char[]>(kReadBufferBytes);
        ReadUpgrade();
      });
    });
  }

  // The benchmark is over: close without counting a drop.
  void Stop() {
    phase_ = Phase::kEnded;
    ErrorCode ignored;
    socket_.close(ignored);
    timer_.cancel();
  }

 private:
  enum class Phase : uint8_t { kIdle, kUpgrading, kOpen, kEnded };

  void ReadUpgrade() {
    socket_.async_read_some(asio::buffer(buffer_.get(), kReadBufferBytes),
                            [this](ErrorCode ec, size_t n) {
                              if (ec) return UpgradeFailed("read", ec);
                              answer_.append(buffer_.get(), n);
                              const UpgradeCheck check = CheckUpgradeAnswer(answer_, key_);
                              switch (check.state) {
                                case UpgradeCheck::State::kNeedMore:
                                  return ReadUpgrade();
                                case UpgradeCheck::State::kRefused:
                                  return UpgradeEnded(check.reason);
                                case UpgradeCheck::State::kAccepted:
                                  return Upgraded(check.head_bytes);
                              }
                            });
  }

  void Upgraded(size_t head_bytes) {
    const Clock::time_point now = Clock::now();
    phase_ = Phase::kOpen;
    timer_.cancel();
    ++fleet_.stats.opened;
    fleet_.stats.upgrade_latency.Record(static_cast<uint64_t>(Micros(now - started_).count()));
    const std::string first_frames = answer_.substr(head_bytes);
    std::string().swap(answer_);
    std::string().swap(key_);
    fleet_.UpgradeEnded();
    Received(first_frames, now);
    if (phase_ == Phase::kOpen) Read();
  }

  void UpgradeFailed(std::string_view phase, ErrorCode ec) {
    if (phase_ == Phase::kEnded) return;
    UpgradeEnded(timed_out_ ? "timeout" : std::string(phase) + ": " + ec.message());
  }

  void UpgradeEnded(const std::string& failure) {
    ++fleet_.stats.failures[failure];
    phase_ = Phase::kEnded;
    timer_.cancel();
    ErrorCode ignored;
    socket_.close(ignored);
    buffer_.reset();
    fleet_.UpgradeEnded();
  }

  void Read() {
    socket_.async_read_some(asio::buffer(buffer_.get(), kReadBufferBytes),
                            [this](ErrorCode ec, size_t n) {
                              if (phase_ != Phase::kOpen) return;
                              if (ec == asio::error::eof) return Dropped("closed by server (EOF)");
                              if (ec) return Dropped("read: " + ec.message());
                              Received(std::string_view(buffer_.get(), n), Clock::now());
                              if (phase_ == Phase::kOpen) Read();
                            });
  }

  // Handles bytes from the server, read at `arrived`.
  void Received(std::string_view bytes, Clock::time_point arrived) {
    while (phase_ == Phase::kOpen) {
      bytes.remove_prefix(parser_.Feed(bytes));
      switch (parser_.state()) {
        case ServerFrameParser::State::kNeedMore:
          return;
        case ServerFrameParser::State::kError:
          return Dropped("protocol: " + std::string(parser_.error()));
        case ServerFrameParser::State::kMessage:
          break;
      }
      switch (parser_.message_type()) {
        case ServerFrameParser::MessageType::kText:
          Event(parser_.payload(), arrived);
          break;
        case ServerFrameParser::MessageType::kPing: {
          ++fleet_.stats.pings;
          std::string pong;
          AppendClientFrame(pong, WsOpcode::kPong, parser_.payload(),
                            static_cast<uint32_t>(rng_.Next()));
          Write(pong);
          break;
        }
        case ServerFrameParser::MessageType::kClose:
          return Dropped("closed by server, code " + std::to_string(parser_.close_code()));
        case ServerFrameParser::MessageType::kBinary:
        case ServerFrameParser::MessageType::kPong:
          break;
      }
      parser_.Next();
    }
  }

  void Event(std::string_view text, Clock::time_point arrived) {
    StreamConnectionStats& stats = fleet_.stats;
    ++stats.messages;
    auto event = ParseStreamEvent(text);
    if (!event) {
      ++stats.bad_messages;
      return;
    }
    if (event->event != "update") return;
    ++stats.updates;
    if (fleet_.tracker != nullptr) fleet_.tracker->UpdateReceived(event->status_id, arrived);
  }

  // Sends a frame after those already queued.
  void Write(std::string_view frame) {
    pending_ += frame;
    if (!writing_) WriteNext();
  }

  void WriteNext() {
    out_.clear();
    out_.swap(pending_);
    if (out_.empty()) {
      writing_ = false;
      return;
    }
    writing_ = true;
    asio::async_write(socket_, asio::buffer(out_), [this](ErrorCode ec, size_t) {
      if (phase_ != Phase::kOpen) return;
      if (ec) return Dropped("write: " + ec.message());
      WriteNext();
    });
  }

  void Dropped(const std::string& reason) {
    if (phase_ != Phase::kOpen) return;
    phase_ = Phase::kEnded;
    if (!fleet_.stopping) ++fleet_.stats.drops[reason];
    ErrorCode ignored;
    socket_.close(ignored);
  }

  Fleet& fleet_;
  tcp::socket socket_;
  asio::steady_timer timer_;  // the upgrade's deadline
  Prng rng_;                  // mask keys
  std::string key_;
  std::string request_;
  std::string answer_;              // the upgrade answer's bytes so far
  std::unique_ptr<char[]> buffer_;  // reads, from the connect on
  ServerFrameParser parser_;
  std::string pending_;  // frames queued while a write is under way
  std::string out_;      // the frames being written
  bool writing_ = false;
  bool timed_out_ = false;
  Phase phase_ = Phase::kIdle;
  Clock::time_point started_;
};

void Fleet::StartMore() {
  while (in_flight < max_in_flight && next_start < clients.size()) {
    ++in_flight;
    clients[next_start++]->Start();
  }
}

void Fleet::UpgradeEnded() {
  --in_flight;
  last_upgrade_end = Clock::now();
  upgrades_ended->count_down();
  StartMore();
}

// Samples the server if there is a probe, noting a failure.
std::optional<ServerSample> SampleServer(const ServerProbe* probe, std::string_view when,
                                         StreamResult& result) {
  if (probe == nullptr) return std::nullopt;
  auto sample = probe->Sample();
  if (!sample) {
    result.probe_errors.push_back(std::string(when) + ": " + sample.error().message);
    return std::nullopt;
  }
  return std::move(*sample);
}

// Posts for `options.duration` and then waits for the events still
// expected, at most `options.drain`.
Status PostAndTrack(const StreamBenchOptions& options, DeliveryTracker& tracker,
                    StreamResult& result) {
  auto workload = MakeWorkload(
      "post",
      {.host = options.host_header, .path = "/", .accounts = options.posters, .targets = {}});
  if (!workload) return std::move(workload).error();
  std::atomic<uint64_t> without_id{0};
  LoadOptions load;
  load.host = options.host;
  load.port = options.port;
  load.threads = 1;
  load.connections = options.poster_connections;
  load.rate = options.post_rate;
  load.duration = options.duration;
  load.seed = DeriveSeed(options.seed, kPosterSeedStream);
  load.on_answer = [&](const Answer& answer) {
    if (answer.kind != RequestKind::kPost || answer.status != 200) return;
    auto id = ParseStatusId(answer.body);
    if (!id) {
      without_id.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    tracker.PostAnswered(*id, answer.arrived);
  };
  auto posts = RunLoad(load, **workload);
  if (!posts) return std::move(posts).error();
  result.posts = std::move(*posts);
  result.posts_without_id = without_id.load();

  const Clock::time_point posted = Clock::now();
  const Clock::time_point give_up = posted + options.drain;
  while (tracker.Missing(result.expected_per_post) > 0 && Clock::now() < give_up) {
    std::this_thread::sleep_for(kDrainPoll);
  }
  result.drain_time = Micros(Clock::now() - posted);
  return {};
}

}  // namespace

uint64_t StreamConnectionStats::failed() const { return TotalCount(failures); }

uint64_t StreamConnectionStats::dropped() const { return TotalCount(drops); }

void StreamConnectionStats::Merge(const StreamConnectionStats& other) {
  opened += other.opened;
  for (const auto& [reason, count] : other.failures) failures[reason] += count;
  upgrade_latency.Merge(other.upgrade_latency);
  for (const auto& [reason, count] : other.drops) drops[reason] += count;
  pings += other.pings;
  messages += other.messages;
  updates += other.updates;
  bad_messages += other.bad_messages;
}

Status ValidateStreamBenchOptions(const StreamBenchOptions& o) {
  if (o.connections < 1) return Error::BadRequest("connections must be at least 1");
  if (o.threads < 1) return Error::BadRequest("threads must be at least 1");
  if (o.max_handshakes < 1) return Error::BadRequest("handshakes in flight must be at least 1");
  if (o.accounts.empty()) return Error::BadRequest("the streams need accounts (--tokens)");
  if (o.duration.count() <= 0) return Error::BadRequest("duration must be positive");
  if (!(o.post_rate >= 0)) return Error::BadRequest("post rate must not be negative");
  if (o.latency_mode()) {
    if (o.posters.empty()) return Error::BadRequest("posting needs posters (--poster-tokens)");
    if (o.poster_connections < 1) {
      return Error::BadRequest("poster connections must be at least 1");
    }
  }
  return {};
}

Result<StreamResult> RunStreamBench(const StreamBenchOptions& options, const ServerProbe* probe) {
  if (Status s = ValidateStreamBenchOptions(options); !s) return std::move(s).error();
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
  StreamResult result;
  if (probe != nullptr) {
    auto before = probe->Sample();
    if (!before) return std::move(before).error();
    result.before = std::move(*before);
  }

  const int threads = std::min(options.threads, options.connections);
  DeliveryTracker tracker;
  std::latch upgrades_ended(options.connections);
  std::vector<std::unique_ptr<Fleet>> fleets;
  for (int t = 0; t < threads; ++t) {
    auto fleet = std::make_unique<Fleet>();
    fleet->endpoint = endpoint;
    fleet->options = &options;
    fleet->tracker = options.latency_mode() ? &tracker : nullptr;
    fleet->upgrades_ended = &upgrades_ended;
    fleet->max_in_flight = std::max(1, options.max_handshakes / threads);
    fleets.push_back(std::move(fleet));
  }
  for (int i = 0; i < options.connections; ++i) {
    Fleet& fleet = *fleets[i % threads];
    const BenchAccount& account = options.accounts[i % options.accounts.size()];
    fleet.clients.push_back(
        std::make_unique<StreamClient>(fleet, account, DeriveSeed(options.seed, i)));
  }

  const Clock::time_point start = Clock::now();
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::thread> workers;
  for (auto& fleet : fleets) {
    guards.push_back(asio::make_work_guard(fleet->io));
    asio::post(fleet->io, [f = fleet.get()] { f->StartMore(); });
    workers.emplace_back([f = fleet.get()] { f->io.run(); });
  }
  upgrades_ended.wait();
  Clock::time_point last_upgrade = start;
  // The fleets' threads wrote last_upgrade_end before counting down.
  for (const auto& fleet : fleets) last_upgrade = std::max(last_upgrade, fleet->last_upgrade_end);
  result.open_time = Micros(last_upgrade - start);

  std::this_thread::sleep_for(options.settle);
  result.opened = SampleServer(probe, "after opening", result);
  Status posting;
  if (options.latency_mode()) {
    uint64_t opened = 0;
    for (const auto& fleet : fleets) {
      // Upgrades have all ended: no thread changes `opened` any more.
      opened += fleet->stats.opened;
    }
    result.expected_per_post = opened;
    posting = PostAndTrack(options, tracker, result);
  } else {
    std::this_thread::sleep_for(options.duration);
  }
  result.end = SampleServer(probe, "at the end", result);

  for (auto& fleet : fleets) {
    asio::post(fleet->io, [f = fleet.get()] {
      f->stopping = true;
      for (auto& client : f->clients) client->Stop();
    });
  }
  for (auto& guard : guards) guard.reset();
  for (auto& worker : workers) worker.join();
  if (!posting) return std::move(posting).error();

  for (const auto& fleet : fleets) result.connections.Merge(fleet->stats);
  if (options.latency_mode()) result.delivery = tracker.Report(result.expected_per_post);
  return result;
}

}  // namespace chirp::loadgen
