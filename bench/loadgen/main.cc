// chirp-bench: the benchmark suite's load generator and graph generator.
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "driver.h"
#include "flags.h"
#include "graph_gen.h"
#include "http_url.h"
#include "report.h"
#include "server_probe.h"
#include "status_gen.h"
#include "stream_bench.h"
#include "stream_report.h"
#include "workload.h"

namespace chirp::loadgen {
namespace {

constexpr const char* kUsage =
    "chirp-bench: drives a Chirp server (or any HTTP/1.1 server) over keep-alive\n"
    "connections and reports throughput and latency; generates social graphs.\n"
    "\n"
    "Usage:\n"
    "  chirp-bench [run] --url http://HOST:PORT [options]\n"
    "      --workload NAME      static, home, user, post, follow or mix (default static)\n"
    "      --path TARGET        static: the request target (default: the URL's, else /)\n"
    "      --tokens FILE        accounts, one 'account_id username token' a line\n"
    "      --targets FIRST-LAST user/follow: target account ids (default: the tokens')\n"
    "      --connections N      keep-alive connections (default 64)\n"
    "      --rate R             open loop at R requests/s in all (default 0: closed loop)\n"
    "      --threads N          event-loop threads (default 2)\n"
    "      --duration S         measured seconds (default 10)\n"
    "      --warmup S           seconds run before measuring (default 0)\n"
    "      --expected-interval-us N  closed loop: also report latencies corrected\n"
    "                           for coordinated omission at this interval\n"
    "      --seed N             request streams (default 1)\n"
    "      --metrics-url URL    scrape this Prometheus endpoint before and after\n"
    "      --pid PID            report this process's resident memory before and after\n"
    "      --json FILE          append the results to FILE as one JSON object a line\n"
    "      --label TEXT         a name for the run, copied into the report\n"
    "  chirp-bench stream --url http://HOST:PORT --tokens FILE (--idle | --post-rate R) [options]\n"
    "      WebSockets on /api/v1/streaming, connection i as the i-th account (cycling)\n"
    "      --idle               open them all, hold them for --duration answering pings;\n"
    "                           with --pid, report the server's memory per connection\n"
    "      --post-rate R        also post R statuses/s (open loop) and time each one's\n"
    "                           update event on every connection from the post's answer;\n"
    "                           every account of --tokens must follow every poster\n"
    "      --poster-tokens FILE who posts (needed with --post-rate)\n"
    "      --poster-connections N  keep-alive connections posting (default 8)\n"
    "      --stream NAME        the stream each connection opens (default user)\n"
    "      --connections N      WebSockets (default 1000)\n"
    "      --threads N          event-loop threads (default 2)\n"
    "      --handshakes N       upgrades under way at once (default 256)\n"
    "      --duration S         idle: seconds held; latency: seconds posting (default 10)\n"
    "      --settle S           pause after opening, before sampling and posting (default 1)\n"
    "      --drain S            wait at most this for events after the last post (default 2)\n"
    "      --seed N, --metrics-url URL, --pid PID, --json FILE, --label TEXT  as for run\n"
    "  chirp-bench generate-graph --out FILE [options]\n"
    "      --accounts N         accounts 0..N-1 (default 100000)\n"
    "      --seed N             (default 1)\n"
    "      --median-following D, --following-sigma S, --popular-share P,\n"
    "      --zipf-exponent E    the model (defaults 200, 0.5, 0.6, 1.0; see graph_gen.h)\n"
    "      writes 'follower followed' lines, one directed follow each; import\n"
    "      with: chirpd admin import-graph --edges FILE --one-way on\n"
    "  chirp-bench --help\n";

// What --metrics-url and --pid ask to sample of the server; none when
// neither is given.
Result<std::optional<ServerProbe>> ProbeOf(const Flags& flags, int64_t pid) {
  std::optional<ServerProbe> probe;
  if (!flags.Has("metrics-url") && pid <= 0) return probe;
  std::optional<HttpUrl> metrics_url;
  if (flags.Has("metrics-url")) {
    auto parsed = ParseHttpUrl(flags.String("metrics-url"));
    if (!parsed) return std::move(parsed).error();
    metrics_url = std::move(*parsed);
  }
  probe.emplace(std::move(metrics_url), static_cast<int>(pid));
  return probe;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "chirp-bench: %s\n", message.c_str());
  return 2;
}

// The first failed result's error, or null.
template <typename... Results>
const Error* FirstError(const Results&... results) {
  const Error* first = nullptr;
  const auto check = [&](const auto& r) {
    if (first == nullptr && !r.ok()) first = &r.error();
  };
  (check(results), ...);
  return first;
}

std::chrono::microseconds SecondsToMicros(double s) {
  return std::chrono::microseconds(static_cast<int64_t>(s * 1e6));
}

int Run(const std::vector<std::string>& args) {
  static constexpr std::string_view kKnown[] = {
      "url",  "workload", "path",        "tokens", "targets", "connections",
      "rate", "threads",  "duration",    "warmup", "seed",    "expected-interval-us",
      "json", "label",    "metrics-url", "pid"};
  auto flags = Flags::Parse(args, kKnown);
  if (!flags) return Fail(flags.error().message);
  if (!flags->Has("url")) return Fail("run needs --url http://HOST:PORT");
  auto url = ParseHttpUrl(flags->String("url"));
  if (!url) return Fail(url.error().message);

  LoadOptions options;
  options.host = url->host;
  options.port = url->port;
  constexpr int64_t kMaxConnections = 100'000;
  constexpr int64_t kMaxThreads = 256;
  constexpr double kMaxSeconds = 24 * 3600;
  auto connections = flags->Int("connections", options.connections, 1, kMaxConnections);
  auto threads = flags->Int("threads", options.threads, 1, kMaxThreads);
  auto rate = flags->Number("rate", 0, 0, 1e9);
  auto duration = flags->Number("duration", 10, 1e-3, kMaxSeconds);
  auto warmup = flags->Number("warmup", 0, 0, kMaxSeconds);
  auto expected = flags->Int("expected-interval-us", 0, 0, INT64_MAX);
  auto seed = flags->Unsigned("seed", 1);
  auto pid = flags->Int("pid", 0, 0, INT32_MAX);
  if (const Error* e =
          FirstError(connections, threads, rate, duration, warmup, expected, seed, pid)) {
    return Fail(e->message);
  }
  options.connections = static_cast<int>(*connections);
  options.threads = static_cast<int>(*threads);
  options.rate = *rate;
  options.duration = SecondsToMicros(*duration);
  options.warmup = SecondsToMicros(*warmup);
  options.expected_interval = std::chrono::microseconds(*expected);
  options.seed = *seed;

  WorkloadOptions workload_options;
  workload_options.host = url->HostHeader();
  workload_options.path = flags->String("path", url->target);
  if (flags->Has("tokens")) {
    auto accounts = LoadAccounts(flags->String("tokens"));
    if (!accounts) return Fail(accounts.error().message);
    workload_options.accounts = std::move(*accounts);
  }
  if (flags->Has("targets")) {
    auto targets = ParseIdRange(flags->String("targets"));
    if (!targets) return Fail(targets.error().message);
    workload_options.targets = *targets;
  }
  const std::string workload_name = flags->String("workload", "static");
  auto workload = MakeWorkload(workload_name, std::move(workload_options));
  if (!workload) return Fail(workload.error().message);

  auto probed = ProbeOf(*flags, *pid);
  if (!probed) return Fail(probed.error().message);
  std::optional<ServerProbe>& probe = *probed;
  // The server is sampled as the measured window starts and after it ends,
  // so the warm-up's cache misses and memory growth stay out of the report.
  std::optional<Result<ServerSample>> before;
  if (probe) {
    // Fail before any load if the server cannot be sampled at all.
    if (auto sample = probe->Sample(); !sample) return Fail(sample.error().message);
    options.at_window_start = [&] { before = probe->Sample(); };
  }

  auto result = RunLoad(options, **workload);
  if (!result) return Fail(result.error().message);
  if (before && !before->ok()) return Fail(before->error().message);

  RunReport report{.label = flags->String("label"),
                   .url = flags->String("url"),
                   .workload = workload_name,
                   .options = options,
                   .result = std::move(*result)};
  if (probe) {
    auto after = probe->Sample();
    if (!after) return Fail(after.error().message);
    report.server = CompareSamples(**before, *after);
  }
  PrintReport(stdout, report);
  if (flags->Has("json")) {
    if (Status s = AppendJsonLine(flags->String("json"), ReportJson(report)); !s) {
      return Fail(s.error().message);
    }
  }
  return 0;
}

// Raises the soft limit on open files to the hard one; returns the limit.
uint64_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur;
}

int Stream(const std::vector<std::string>& args) {
  static constexpr std::string_view kKnown[] = {
      "url",    "tokens",      "poster-tokens", "post-rate",   "poster-connections",
      "stream", "connections", "threads",       "handshakes",  "duration",
      "settle", "drain",       "seed",          "metrics-url", "pid",
      "json",   "label"};
  static constexpr std::string_view kSwitches[] = {"idle"};
  auto flags = Flags::Parse(args, kKnown, kSwitches);
  if (!flags) return Fail(flags.error().message);
  if (!flags->Has("url")) return Fail("stream needs --url http://HOST:PORT");
  if (!flags->Has("tokens")) return Fail("stream needs --tokens FILE");
  if (flags->Has("idle") == flags->Has("post-rate")) {
    return Fail("stream needs either --idle or --post-rate R");
  }
  auto url = ParseHttpUrl(flags->String("url"));
  if (!url) return Fail(url.error().message);

  StreamBenchOptions options;
  options.host = url->host;
  options.port = url->port;
  options.host_header = url->HostHeader();
  constexpr int64_t kMaxConnections = 1'000'000;
  constexpr int64_t kMaxThreads = 256;
  constexpr double kMaxSeconds = 24 * 3600;
  auto connections = flags->Int("connections", options.connections, 1, kMaxConnections);
  auto threads = flags->Int("threads", options.threads, 1, kMaxThreads);
  auto handshakes = flags->Int("handshakes", options.max_handshakes, 1, kMaxConnections);
  auto poster_connections =
      flags->Int("poster-connections", options.poster_connections, 1, kMaxConnections);
  auto rate = flags->Number("post-rate", 0, 1e-3, 1e9);
  auto duration = flags->Number("duration", 10, 1e-3, kMaxSeconds);
  auto settle = flags->Number("settle", 1, 0, kMaxSeconds);
  auto drain = flags->Number("drain", 2, 0, kMaxSeconds);
  auto seed = flags->Unsigned("seed", 1);
  auto pid = flags->Int("pid", 0, 0, INT32_MAX);
  if (const Error* e = FirstError(connections, threads, handshakes, poster_connections, rate,
                                  duration, settle, drain, seed, pid)) {
    return Fail(e->message);
  }
  options.connections = static_cast<int>(*connections);
  options.threads = static_cast<int>(*threads);
  options.max_handshakes = static_cast<int>(*handshakes);
  options.poster_connections = static_cast<int>(*poster_connections);
  options.post_rate = *rate;
  options.duration = SecondsToMicros(*duration);
  options.settle = std::chrono::duration_cast<std::chrono::milliseconds>(SecondsToMicros(*settle));
  options.drain = std::chrono::duration_cast<std::chrono::milliseconds>(SecondsToMicros(*drain));
  options.seed = *seed;
  options.target = "/api/v1/streaming?stream=" + flags->String("stream", "user");
  auto accounts = LoadAccounts(flags->String("tokens"));
  if (!accounts) return Fail(accounts.error().message);
  options.accounts = std::move(*accounts);
  if (flags->Has("poster-tokens")) {
    auto posters = LoadAccounts(flags->String("poster-tokens"));
    if (!posters) return Fail(posters.error().message);
    options.posters = std::move(*posters);
  }
  if (Status s = ValidateStreamBenchOptions(options); !s) return Fail(s.error().message);

  // Every WebSocket and poster connection is a descriptor, plus a few for
  // the probe and the standard streams.
  constexpr uint64_t kSpareFiles = 64;
  const uint64_t needed = static_cast<uint64_t>(options.connections) +
                          (options.latency_mode() ? options.poster_connections : 0) + kSpareFiles;
  if (const uint64_t limit = RaiseOpenFileLimit(); limit < needed) {
    return Fail("open files are limited to " + std::to_string(limit) + ", " +
                std::to_string(needed) + " needed (raise the hard limit: ulimit -Hn)");
  }

  auto probed = ProbeOf(*flags, *pid);
  if (!probed) return Fail(probed.error().message);
  std::optional<ServerProbe>& probe = *probed;
  auto result = RunStreamBench(options, probe ? &*probe : nullptr);
  if (!result) return Fail(result.error().message);

  StreamReport report{.label = flags->String("label"),
                      .url = flags->String("url"),
                      .options = std::move(options),
                      .result = std::move(*result)};
  PrintStreamReport(stdout, report);
  if (flags->Has("json")) {
    if (Status s = AppendJsonLine(flags->String("json"), StreamReportJson(report)); !s) {
      return Fail(s.error().message);
    }
  }
  return 0;
}

int GenerateGraph(const std::vector<std::string>& args) {
  static constexpr std::string_view kKnown[] = {
      "accounts",        "seed",          "out",          "median-following",
      "following-sigma", "popular-share", "zipf-exponent"};
  auto flags = Flags::Parse(args, kKnown);
  if (!flags) return Fail(flags.error().message);
  if (!flags->Has("out")) return Fail("generate-graph needs --out FILE");
  GraphOptions options;
  auto accounts = flags->Int("accounts", options.accounts, 2, UINT32_MAX);
  auto seed = flags->Unsigned("seed", options.seed);
  auto median = flags->Number("median-following", options.median_following, 1, 1e9);
  auto sigma = flags->Number("following-sigma", options.following_sigma, 0, 10);
  auto share = flags->Number("popular-share", options.popular_share, 0, 0.99);
  auto exponent = flags->Number("zipf-exponent", options.zipf_exponent, 0, 10);
  if (const Error* e = FirstError(accounts, seed, median, sigma, share, exponent)) {
    return Fail(e->message);
  }
  options.accounts = static_cast<uint32_t>(*accounts);
  options.seed = *seed;
  options.median_following = *median;
  options.following_sigma = *sigma;
  options.popular_share = *share;
  options.zipf_exponent = *exponent;

  const auto start = std::chrono::steady_clock::now();
  auto summary = WriteGraph(options, flags->String("out"));
  if (!summary) return Fail(summary.error().message);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const GraphSummary& s = *summary;
  std::printf("accounts %llu, follows %llu, written in %.1f s\n",
              static_cast<unsigned long long>(s.accounts),
              static_cast<unsigned long long>(s.follows), seconds);
  std::printf("following per account: mean %.1f, median %u, max %u\n", s.mean_following,
              s.median_following, s.max_following);
  std::printf("followers per account: median %u\n", s.median_followers);
  std::printf("share of all follows held by the top 0.1%%: %.3f, top 1%%: %.3f\n",
              s.top_0_1_percent_share, s.top_1_percent_share);
  std::printf("most followed:");
  for (const auto& [account, followers] : s.most_followed) {
    std::printf(" %u (%llu)", account, static_cast<unsigned long long>(followers));
  }
  std::printf("\n");
  return 0;
}

int GenerateStatusFile(const std::vector<std::string>& args) {
  static constexpr std::string_view kKnown[] = {"accounts", "edges", "per-account", "days",
                                                "now-ms",   "seed",  "out"};
  auto flags = Flags::Parse(args, kKnown);
  if (!flags) return Fail(flags.error().message);
  if (!flags->Has("out")) return Fail("generate-statuses needs --out FILE");
  if (flags->Has("accounts") == flags->Has("edges")) {
    return Fail("generate-statuses needs one of --accounts N and --edges FILE");
  }
  StatusOptions options;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto accounts = flags->Int("accounts", 1, 1, UINT32_MAX);
  auto per_account = flags->Int("per-account", options.per_account, 1, 1'000'000);
  auto days = flags->Number("days", options.days, 1e-6, 3650);
  auto now_ms = flags->Int("now-ms", now, 1, INT64_MAX / 2);
  auto seed = flags->Unsigned("seed", options.seed);
  if (const Error* e = FirstError(accounts, per_account, days, now_ms, seed)) {
    return Fail(e->message);
  }
  if (flags->Has("edges")) {
    auto named = AccountsOfGraph(flags->String("edges"));
    if (!named) return Fail(named.error().message);
    options.accounts = std::move(*named);
  } else {
    options.accounts.resize(static_cast<size_t>(*accounts));
    for (size_t n = 0; n < options.accounts.size(); ++n) {
      options.accounts[n] = static_cast<uint32_t>(n);
    }
  }
  options.per_account = static_cast<uint32_t>(*per_account);
  options.days = *days;
  options.now_ms = *now_ms;
  options.seed = *seed;
  const auto start = std::chrono::steady_clock::now();
  auto written = WriteStatuses(options, flags->String("out"));
  if (!written) return Fail(written.error().message);
  std::printf("accounts %zu, statuses %llu, written in %.1f s\n", options.accounts.size(),
              static_cast<unsigned long long>(*written),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return 0;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const auto& a : args) {
    if (a == "--help" || a == "-h" || a == "help") {
      std::printf("%s", kUsage);
      return 0;
    }
  }
  std::string command = "run";
  if (!args.empty() && !args[0].starts_with("--")) {
    command = args[0];
    args.erase(args.begin());
  }
  if (command == "run") return Run(args);
  if (command == "stream") return Stream(args);
  if (command == "generate-graph") return GenerateGraph(args);
  if (command == "generate-statuses") return GenerateStatusFile(args);
  return Fail("unknown command '" + command + "' (see chirp-bench --help)");
}

}  // namespace
}  // namespace chirp::loadgen

int main(int argc, char** argv) { return chirp::loadgen::Main(argc, argv); }
