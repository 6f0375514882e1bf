// Differential fuzzing of Chirp's HTTP request parser against Boost.Beast's:
// the same bytes go to both, and where both read a whole request they must
// agree on the method, target, version, header fields, body framing, body
// and where the next request starts. Where one refuses what the other reads,
// the difference must be one of those tests/fuzz/differential.md lists as
// deliberate; anything else stops the fuzzer with both readings printed.
#include <algorithm>
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
    // Nothing taken and nothing said (an empty buffer while the body waits):
    // the input ends inside the request.
    if (n == 0 && !parser.is_done()) return r;
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
// field value hold any visible byte, obs-text too), and drops trailer
// fields unread. `request` is the bytes of the request Chirp read: its head
// and, for a chunked body, its trailer lines are looked at.
bool HasConnectionBeyondTokens(std::string_view request) {
  for (size_t from = 0; from < request.size();) {
    size_t lf = request.find('\n', from);
    if (lf == std::string_view::npos) lf = request.size();
    std::string_view line = request.substr(from, lf - from);
    if (line.ends_with('\r')) line.remove_suffix(1);
    from = lf + 1;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name = chirp::AsciiLower(line.substr(0, colon));
    if ((name == "connection" || name == "proxy-connection") &&
        !IsTokenList(line.substr(colon + 1))) {
      return true;
    }
  }
  return false;
}

// Chirp holds at most this much of one chunk-size line, extensions included.
constexpr size_t kChirpMaxChunkLine = 1024;

// Whether a chunk-size line of the chunked body `framing` (well-formed as
// Beast read it) holds a control character other than HTAB, is longer than
// Chirp holds, or has a size of more digits than Chirp reads.
bool ChunkLinesChirpRefuses(std::string_view framing) {
  while (true) {
    const size_t end = framing.find("\r\n");
    if (end == std::string_view::npos) return false;
    const std::string_view line = framing.substr(0, end);
    if (line.size() > kChirpMaxChunkLine) return true;
    // More than 15 hex digits of size, leading zeros too.
    if (std::min(line.find_first_not_of("0123456789abcdefABCDEF"), line.size()) > 15) return true;
    for (char c : line) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) return true;
    }
    uint64_t size = 0;
    const size_t digits = line.find_first_not_of("0123456789abcdefABCDEF");
    for (char c : line.substr(0, digits)) {
      size = size * 16 + static_cast<uint64_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
      if (size > framing.size()) return false;
    }
    if (size == 0) return false;  // the trailer follows
    if (end + 2 + size + 2 > framing.size()) return false;
    framing.remove_prefix(end + 2 + size + 2);
  }
}

// What Chirp refuses on purpose, read from the fields Beast parsed: see
// tests/fuzz/differential.md.
bool ChirpIsStricterAbout(const Reading& beast, std::string_view input, std::string_view head) {
  int hosts = 0, lengths = 0, codings = 0;
  // Host counted in the head alone: Beast adds trailer fields to the head's
  // (it refuses a framing field there, as Chirp does).
  for (size_t from = 0; from < head.size();) {
    const size_t lf = head.find('\n', from);
    if (lf == std::string_view::npos) break;
    if (chirp::AsciiLower(head.substr(from, 5)) == "host:") ++hosts;
    from = lf + 1;
  }
  for (const auto& [name, value] : beast.fields) {
    if (name == "content-length") ++lengths;
    if (name == "transfer-encoding") ++codings;
  }
  if (hosts != 1 && !(beast.version == 10 && hosts == 0)) return true;  // Host, RFC 9112 3.2
  if (lengths > 1) return true;                                         // a repeated Content-Length
  for (const auto& [name, value] : beast.fields) {
    if (name != "content-length") continue;
    if (value.size() > 18) return true;  // leading zeros past 18 digits
    // A list, even of equal values ("1,1"), which Beast reads as one.
    if (value.find_first_not_of("0123456789") != std::string::npos) return true;
  }
  if (codings > 0) {
    // Chirp reads one `chunked` and nothing else (a list, gzip, a length beside it).
    for (const auto& [name, value] : beast.fields) {
      if (name == "transfer-encoding" && chirp::AsciiLower(value) != "chunked") return true;
    }
    if (codings > 1 || lengths > 0 || beast.version == 10) return true;
  }
  if (beast.version != 10 && beast.version != 11) return true;  // 505
  // Obsolete line folding, in the head or the trailer.
  const std::string_view request = input.substr(0, beast.used);
  if (request.find("\n ") != std::string_view::npos ||
      request.find("\n\t") != std::string_view::npos) {
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
  if (beast.chunked && beast.used > head.size()) {
    const std::string_view framing = input.substr(head.size(), beast.used - head.size());
    // Chirp wants CRLF in chunked framing, a control character in no chunk
    // extension, quoted or not (RFC 9112 7.1.1), and chunk-size lines of a
    // bounded length.
    if (HasBareLf(framing) || ChunkLinesChirpRefuses(framing)) return true;
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
    // The same fields, though not in the same order: Beast keeps fields of
    // one name together, after the first of them. Beast adds a chunked
    // body's trailer fields to the head's; Chirp drops them.
    auto ours = chirp.fields;
    auto theirs = beast.fields;
    std::sort(ours.begin(), ours.end());
    std::sort(theirs.begin(), theirs.end());
    if (chirp.chunked ? !std::includes(theirs.begin(), theirs.end(), ours.begin(), ours.end())
                      : ours != theirs) {
      Disagree("header fields", input, chirp, beast);
    }
    return 0;
  }
  if (chirp.verdict == V::kRequest && beast.verdict == V::kRefused) {
    // HTTP/1.2 to 1.9 read as 1.1 (RFC 9110 2.5); Beast refuses them.
    const bool later_minor = chirp.version > 11 && chirp.version < 20;
    if (!lenient_head && !HasConnectionBeyondTokens(input.substr(0, chirp.used)) && !later_minor) {
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
