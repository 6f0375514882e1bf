// Micro-benchmarks of the hot paths that lean on a library or on code of
// Chirp's own in its place: timestamps, status text (length, entities,
// hashtag keys), the WebSocket handshake's digest, request parameters, and
// the request parser against Boost.Beast's on the same bytes. Run the same
// binary built at two commits to compare an implementation with its
// replacement (bench/README.md, "Hot paths").
#include <benchmark/benchmark.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <vector>

#include "core/time_format.h"
#include "http/params.h"
#include "http/request_parser.h"
#include "stream/websocket_codec.h"
#include "text/status_text.h"

namespace chirp {
namespace {

// Statuses as people write them: plain words, a link, mentions and tags,
// emoji sequences, accents, CJK and right-to-left text.
const std::vector<std::string>& Statuses() {
  static const std::vector<std::string> statuses = {
      "Just shipped the new release, notes at https://example.com/releases/2024-05 #release",
      "@alice @bob@remote.example lunch at noon? \xF0\x9F\x8D\x95\xF0\x9F\x8D\x9C",
      "Caf\xC3\xA9 au lait, cr\xC3\xA8me br\xC3\xBBl\xC3\xA9"
      "e et na\xC3\xAFvet\xC3\xA9 #caf\xC3\xA9",
      "\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x81\xA7\xE3\x83\xA9\xE3\x83\xBC\xE3\x83\xA1\xE3\x83\xB3 "
      "#\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",
      "\xD8\xA7\xD9\x84\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85 \xD8\xB9\xD9\x84\xD9\x8A\xD9\x83\xD9\x85 "
      "#\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7",
      "Family \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 and flags "
      "\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7 thumbs "
      "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",
      "A longer one about nothing much, the kind of thing people post on a quiet afternoon "
      "while the kettle boils and the cat sleeps on the keyboard. #tea #cats #afternoon",
  };
  return statuses;
}

void BM_FormatIso8601Millis(benchmark::State& state) {
  // A day and a bit apart, over a century from 1970 on.
  constexpr int64_t kStep = 86'400'037;
  constexpr int64_t kSpan = kStep * 36'500;
  int64_t t = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(FormatIso8601Millis(t));
    t = (t + kStep) % kSpan;
  }
}
BENCHMARK(BM_FormatIso8601Millis);

void BM_CountStatusLength(benchmark::State& state) {
  const auto& statuses = Statuses();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(CountStatusLength(statuses[i++ % statuses.size()]));
}
BENCHMARK(BM_CountStatusLength);

void BM_ParseStatusText(benchmark::State& state) {
  const auto& statuses = Statuses();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(ParseStatusText(statuses[i++ % statuses.size()]));
}
BENCHMARK(BM_ParseStatusText);

void BM_NormalizeTagName(benchmark::State& state) {
  const std::vector<std::string> names = {"Release", "caf\xC3\xA9", "\xE6\x97\xA5\xE6\x9C\xAC",
                                          "\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0",
                                          "TeaTime2024"};
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(NormalizeTagName(names[i++ % names.size()]));
}
BENCHMARK(BM_NormalizeTagName);

void BM_WebSocketAccept(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(WebSocketAccept("dGhlIHNhbXBsZSBub25jZQ=="));
}
BENCHMARK(BM_WebSocketAccept);

void BM_ParamsFromQuery(benchmark::State& state) {
  const std::string query =
      "limit=40&max_id=113456789012345678&types%5B%5D=mention&types%5B%5D=favourite"
      "&q=caf%C3%A9+au+lait&only_media=true";
  for (auto _ : state) benchmark::DoNotOptimize(Params::FromRequest(query, "", ""));
}
BENCHMARK(BM_ParamsFromQuery);

// A request as a Mastodon client sends it: a home timeline read with the
// headers browsers and apps add, and a post with a form body.
const std::string kGet =
    "GET /api/v1/timelines/home?limit=20&max_id=113456789012345678 HTTP/1.1\r\n"
    "Host: chirp.example\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
    "Accept: application/json, text/plain, */*\r\n"
    "Accept-Language: en-GB,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Authorization: Bearer 6Hr0ZqfI0wJ7nQm3xv9pYk2sT5uLdBcA1eGhNjOpRs8\r\n"
    "Connection: keep-alive\r\n"
    "Sec-Fetch-Mode: cors\r\n\r\n";
const std::string kPost =
    "POST /api/v1/statuses HTTP/1.1\r\n"
    "Host: chirp.example\r\n"
    "Authorization: Bearer 6Hr0ZqfI0wJ7nQm3xv9pYk2sT5uLdBcA1eGhNjOpRs8\r\n"
    "Content-Type: application/x-www-form-urlencoded\r\n"
    "Idempotency-Key: 4f1c8d2e-9b7a-4e3f-8c6d-2a1b0e9f8d7c\r\n"
    "Content-Length: 80\r\n\r\n"
    "status=Hello+from+the+benchmark+%23bench+https%3A%2F%2Fexample.com&visibility=pu";

void ParseWithChirp(benchmark::State& state, const std::string& request) {
  RequestParser parser(16 * 1024);
  for (auto _ : state) {
    parser.Reset();
    benchmark::DoNotOptimize(parser.Feed(request));
    if (parser.state() != RequestParser::State::kDone) state.SkipWithError("not parsed");
  }
}

void ParseWithBeast(benchmark::State& state, const std::string& request) {
  namespace http = boost::beast::http;
  for (auto _ : state) {
    http::request_parser<http::string_body> parser;
    parser.eager(true);
    boost::beast::error_code ec;
    benchmark::DoNotOptimize(parser.put(boost::asio::buffer(request), ec));
    if (ec || !parser.is_done()) state.SkipWithError("not parsed");
  }
}

void BM_RequestParserGet(benchmark::State& state) { ParseWithChirp(state, kGet); }
void BM_BeastParserGet(benchmark::State& state) { ParseWithBeast(state, kGet); }
void BM_RequestParserPost(benchmark::State& state) { ParseWithChirp(state, kPost); }
void BM_BeastParserPost(benchmark::State& state) { ParseWithBeast(state, kPost); }
BENCHMARK(BM_RequestParserGet);
BENCHMARK(BM_BeastParserGet);
BENCHMARK(BM_RequestParserPost);
BENCHMARK(BM_BeastParserPost);

}  // namespace
}  // namespace chirp

BENCHMARK_MAIN();
