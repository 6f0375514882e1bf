// The streaming benchmark (chirp-bench stream): many WebSocket clients of
// chirpd's /api/v1/streaming, each on a stream (by default the user stream).
//
//   idle     opens every connection, holds them while answering the
//            server's pings, and samples the server before and after, for
//            its memory per connection.
//   latency  also posts statuses at a fixed rate over HTTP and times, on
//            every connection, the update event of each post from the
//            moment its answer arrived.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "accounts.h"
#include "core/error.h"
#include "delivery_tracker.h"
#include "histogram.h"
#include "run_result.h"
#include "server_probe.h"

namespace chirp::loadgen {

struct StreamBenchOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 80;
  std::string host_header;  // the Host header, e.g. "127.0.0.1:8080"
  // The streaming request target; each connection appends its account's
  // token as access_token.
  std::string target = "/api/v1/streaming?stream=user";
  // Connection i authenticates as accounts[i % accounts.size()].
  std::vector<BenchAccount> accounts;
  int connections = 1000;
  // Event-loop threads; connections are dealt out to them in turn.
  int threads = 2;
  // Upgrades under way at once, over all threads.
  int max_handshakes = 256;
  // An upgrade not answered within this fails as "timeout".
  std::chrono::milliseconds handshake_timeout{10'000};
  // Idle: how long the connections are held once all are open. Latency:
  // how long statuses are posted.
  std::chrono::microseconds duration{std::chrono::seconds(10)};
  // The pause after the last upgrade before the server is sampled and
  // posting starts, so its last allocations and subscriptions have settled.
  std::chrono::milliseconds settle{1000};

  // Latency mode when above 0: statuses posted per second in all (open
  // loop), each by one of `posters` drawn at random, over
  // `poster_connections` keep-alive connections. Every connection's account
  // must follow every poster: each post is expected once on every
  // connection.
  double post_rate = 0;
  std::vector<BenchAccount> posters;
  int poster_connections = 8;
  // After the last post, how long to wait for the events still expected.
  std::chrono::milliseconds drain{2000};

  uint64_t seed = 1;

  bool latency_mode() const { return post_rate > 0; }
};

// kBadRequest for options out of range: no connections, threads, accounts
// or handshake slots; latency mode without posters or poster connections.
Status ValidateStreamBenchOptions(const StreamBenchOptions& options);

// What the connections saw, summed over the threads.
struct StreamConnectionStats {
  uint64_t opened = 0;  // answered 101 with the right accept key
  // Upgrades that failed, by reason ("status 401", "connect: ...", "timeout").
  std::map<std::string, uint64_t> failures;
  // Microseconds from the start of the connect to the 101 answer.
  Histogram upgrade_latency;
  // Connections that ended after their upgrade and before the benchmark
  // did, by reason ("closed by server, code 1000", "read: ...").
  std::map<std::string, uint64_t> drops;
  uint64_t pings = 0;         // pings received, each answered with a pong
  uint64_t messages = 0;      // text messages received
  uint64_t updates = 0;       // of those, update events
  uint64_t bad_messages = 0;  // text messages that were no event

  uint64_t failed() const;
  uint64_t dropped() const;
  void Merge(const StreamConnectionStats& other);
};

struct StreamResult {
  StreamConnectionStats connections;
  // From the first connect to the end of the last upgrade.
  std::chrono::microseconds open_time{0};
  // The server sampled before the first connect, after all upgrades and the
  // settle pause, and at the end (before closing); nullopt without a probe
  // or when sampling failed (the reason is in probe_errors).
  std::optional<ServerSample> before;
  std::optional<ServerSample> opened;
  std::optional<ServerSample> end;
  std::vector<std::string> probe_errors;

  // Latency mode: the posts (kind "post"), the answers whose body held no
  // status id, the delivery of their events (expected on every connection
  // opened), and how long the wait for the last events took.
  RunResult posts;
  uint64_t posts_without_id = 0;
  DeliveryReport delivery;
  uint64_t expected_per_post = 0;
  std::chrono::microseconds drain_time{0};
};

// Runs the benchmark against host:port. Failed upgrades and dropped
// connections are counted, not retried. `probe`, when given, samples the
// server as StreamResult says. kBadRequest for invalid options, kUnavailable
// when the host does not resolve or the server cannot be sampled before the
// start. Blocks the calling thread for the whole run; starts and joins
// `threads` threads (and the posters' one).
Result<StreamResult> RunStreamBench(const StreamBenchOptions& options, const ServerProbe* probe);

}  // namespace chirp::loadgen
