// Differential fuzzing of Chirp's HTTP request parser against Boost.Beast's:
// the same bytes go to both, and where both read a whole request they must
// agree on the method, target, version, header fields, body framing, body
// and where the next request starts. Where one refuses what the other reads,
// the difference must be one of those tests/fuzz/differential.md lists as
// deliberate; anything else stops the fuzzer with both readings printed.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text.h"
#include "http/request_parser.h"

namespace {

namespace http = boost::beast::http;

constexpr size_t kHeaderLimit = 16 * 1024;
constexpr uint64_t kBodyLimit = 1 << 20;

// One parser's reading of the first request in the input.
struct Reading {
  enum class Verdict { kRequest, kRefused, kIncomplete } verdict = Verdict::kIncomplete;
  bool over_limit = false;  // refused for a size limit, not for the syntax
  std::string method;
  std::string target;
  int version = 0;                                          // 10 for HTTP/1.0, 11 for HTTP/1.1
  std::vector<std::pair<std::string, std::string>> fields;  // names lower-cased
  bool chunked = false;
  std::string body;
  size_t used = 0;  // bytes of the input the request took
};

Reading ReadWithChirp(std::string_view input) {
  chirp::RequestParser parser(kHeaderLimit);
  Reading r;
  size_t used = 0;
  while (used < input.size() && (parser.state() == chirp::RequestParser::State::kHead ||
                                 parser.state() == chirp::RequestParser::State::kBody)) {
    if (parser.state() == chirp::RequestParser::State::kBody) parser.set_body_limit(kBodyLimit);
    used += parser.Feed(input.substr(used));
  }
  switch (parser.state()) {
    case chirp::RequestParser::State::kDone:
      r.verdict = Reading::Verdict::kRequest;
      break;
    case chirp::RequestParser::State::kError:
      r.verdict = Reading::Verdict::kRefused;
      r.over_limit = parser.error_status() == 413 || parser.error_status() == 431;
      return r;
    default:
      return r;
  }
  r.method = parser.method();
  r.target = parser.target();
  r.version = 10 + parser.version_minor();
  r.fields = parser.headers();
  r.chunked = !parser.has_declared_length();
  r.body = parser.body();
  r.used = used;
  return r;
}

Reading ReadWithBeast(std::string_view input) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(kBodyLimit);
  parser.eager(true);
  Reading r;
  size_t used = 0;
  boost::beast::error_code ec;
  while (!parser.is_done()) {
    const size_t n = parser.put(boost::asio::buffer(input.data() + used, input.size() - used), ec);
    used += n;
    if (ec == http::error::need_more) {
      if (used == input.size()) return r;  // incomplete
      ec = {};
      if (n == 0) return r;  // wants more than the input has in one piece
      continue;
    }
    if (ec) {
      r.verdict = Reading::Verdict::kRefused;
      r.over_limit = ec == http::error::header_limit || ec == http::error::body_limit ||
                     ec == http::error::buffer_overflow;
      return r;
    }
  }
  const auto& message = parser.get();
  r.verdict = Reading::Verdict::kRequest;
  r.method = std::string(message.method_string());
  r.target = std::string(message.target());
  r.version = static_cast<int>(message.version());
  for (const auto& field : message) {
    r.fields.emplace_back(chirp::AsciiLower(field.name_string()), std::string(field.value()));
  }
  r.chunked = parser.chunked();
  r.body = message.body();
  r.used = used;
  return r;
}

// ---- What the input holds, for explaining a difference -------------------------------------

struct Head {
  std::string_view text;  // up to and including the empty line ending the head
  bool complete = false;
};

Head HeadOf(std::string_view input) {
  size_t from = 0;
  while (true) {
    const size_t lf = input.find('\n', from);
    if (lf == std::string_view::npos) return {input, false};
    // The line from `from` to `lf`: empty (CRLF or LF alone) ends the head,
    // unless it comes before the request line.
    const std::string_view line = input.substr(from, lf - from);
    const bool empty = line.empty() || line == "\r";
    from = lf + 1;
    if (empty && input.substr(0, from).find_first_not_of("\r\n") != std::string_view::npos) {
      return {input.substr(0, from), true};
    }
  }
}

bool HasBareLf(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return true;
  }
  return false;
}

bool StartsWithEmptyLine(std::string_view s) {
  return s.starts_with("\r\n") || s.starts_with("\n");
}

bool IsTokenCharacter(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A comma-separated list of tokens with optional whitespace around each
// (RFC 9110 5.6.1), empty elements allowed.
bool IsTokenList(std::string_view value) {
  while (true) {
    const size_t comma = value.find(',');
    std::string_view element = value.substr(0, comma);
    while (!element.empty() && (element.front() == ' ' || element.front() == '\t')) {
      element.remove_prefix(1);
    }
    while (!element.empty() && (element.back() == ' ' || element.back() == '\t')) {
      element.remove_suffix(1);
    }
    for (char c : element) {
      if (!IsTokenCharacter(c)) return false;
    }
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

// Beast reads Connection and Proxy-Connection as lists of tokens and refuses
// the request when one is not; Chirp looks in Connection for `close` and
// `keep-alive` alone and reads any other value as neither (RFC 9110 lets a
// field value hold any visible byte, obs-text too).
bool HasConnectionBeyondTokens(const Reading& chirp) {
  for (const auto& [name, value] : chirp.fields) {
    if ((name == "connection" || name == "proxy-connection") && !IsTokenList(value)) return true;
  }
  return false;
}

// What Chirp refuses on purpose, read from the fields Beast parsed: see
// tests/fuzz/differential.md.
bool ChirpIsStricterAbout(const Reading& beast, std::string_view input, std::string_view head) {
  int hosts = 0, lengths = 0, codings = 0;
  for (const auto& [name, value] : beast.fields) {
    if (name == "host") ++hosts;
    if (name == "content-length") ++lengths;
    if (name == "transfer-encoding") ++codings;
  }
  if (hosts != 1 && !(beast.version == 10 && hosts == 0)) return true;  // Host, RFC 9112 3.2
  if (lengths > 1) return true;                                         // a repeated Content-Length
  if (codings > 0) {
    // Chirp reads one `chunked` and nothing else (a list, gzip, a length beside it).
    for (const auto& [name, value] : beast.fields) {
      if (name == "transfer-encoding" && chirp::AsciiLower(value) != "chunked") return true;
    }
    if (codings > 1 || lengths > 0 || beast.version == 10) return true;
  }
  if (beast.version != 10 && beast.version != 11) return true;  // 505
  // Obsolete line folding; whitespace before a field's colon.
  if (head.find("\n ") != std::string_view::npos || head.find("\n\t") != std::string_view::npos) {
    return true;
  }
  for (const auto& [name, value] : beast.fields) {
    // Beast keeps a control character or a lone CR inside a value that Chirp refuses.
    for (char c : value) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) return true;
    }
  }
  if (beast.fields.size() >= 100) return true;  // Chirp's field count limit (431)
  // Chirp wants CRLF in chunked framing.
  if (beast.chunked && beast.used > head.size() &&
      HasBareLf(input.substr(head.size(), beast.used - head.size()))) {
    return true;
  }
  return false;
}

[[noreturn]] void Disagree(std::string_view why, std::string_view input, const Reading& chirp,
                           const Reading& beast) {
  const auto show = [](const char* who, const Reading& r) {
    std::fprintf(
        stderr,
        "%s: verdict %d, over limit %d, %s %s version %d, chunked %d, body %zu bytes, used %zu\n",
        who, static_cast<int>(r.verdict), r.over_limit, r.method.c_str(), r.target.c_str(),
        r.version, r.chunked, r.body.size(), r.used);
    for (const auto& [name, value] : r.fields) {
      std::fprintf(stderr, "  %s: %s\n", name.c_str(), value.c_str());
    }
  };
  std::fprintf(stderr, "differential: %.*s (%zu bytes of input)\n", static_cast<int>(why.size()),
               why.data(), input.size());
  show("chirp", chirp);
  show("beast", beast);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const Reading chirp = ReadWithChirp(input);
  const Reading beast = ReadWithBeast(input);
  if (chirp.over_limit || beast.over_limit) return 0;  // the two count limits differently
  const Head head = HeadOf(input);
  // Chirp reads a bare LF ending a head line and ignores empty lines before
  // the request line, as RFC 9112 2.2 allows; Beast wants CRLF throughout.
  const bool lenient_head = HasBareLf(head.text) || StartsWithEmptyLine(input);

  using V = Reading::Verdict;
  if (chirp.verdict == V::kRequest && beast.verdict == V::kRequest) {
    if (chirp.method != beast.method) Disagree("method", input, chirp, beast);
    if (chirp.target != beast.target) Disagree("target", input, chirp, beast);
    if (chirp.version != beast.version) Disagree("version", input, chirp, beast);
    if (chirp.chunked != beast.chunked) Disagree("framing", input, chirp, beast);
    if (chirp.body != beast.body) Disagree("body", input, chirp, beast);
    if (chirp.used != beast.used) Disagree("where the next request starts", input, chirp, beast);
    // Beast adds trailer fields to the head's; Chirp drops them.
    if (chirp.fields.size() > beast.fields.size() ||
        !std::equal(chirp.fields.begin(), chirp.fields.end(), beast.fields.begin())) {
      Disagree("header fields", input, chirp, beast);
    }
    return 0;
  }
  if (chirp.verdict == V::kRequest && beast.verdict == V::kRefused) {
    if (!lenient_head && !HasConnectionBeyondTokens(chirp)) {
      Disagree("Chirp read what Beast refused", input, chirp, beast);
    }
    return 0;
  }
  if (chirp.verdict == V::kRefused && beast.verdict == V::kRequest) {
    if (!ChirpIsStricterAbout(beast, input, head.text))
      Disagree("Chirp refused what Beast read", input, chirp, beast);
    return 0;
  }
  // One still waits for bytes the other has refused: the refusing one must
  // have a reason the waiting one would meet later, or be the lenient head.
  return 0;
}
