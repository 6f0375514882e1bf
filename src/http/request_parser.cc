#include "http/request_parser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <tuple>

#include "core/text.h"

namespace chirp {
namespace {

constexpr size_t kMaxFields = 100;
constexpr size_t kMaxChunkLine = 1024;

// RFC 9110 5.6.2's tchar, by byte.
constexpr std::array<bool, 256> kTchar = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

bool IsTchar(char c) { return kTchar[static_cast<unsigned char>(c)]; }

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTchar(c)) return false;
  }
  return true;
}

// Field values: visible characters, spaces, tabs and obs-text; no controls.
bool IsFieldValue(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls `each` with every comma-separated element of a list field, trimmed
// and lower-cased, skipping empty ones.
template <typename Each>
void ForEachElement(std::string_view value, Each each) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    const std::string_view element = TrimOws(value.substr(0, comma));
    if (!element.empty()) each(AsciiLower(element));
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

// A line from `data` into `line` (without its CRLF or LF): returns the bytes
// consumed and whether the line is complete. `bare_lf`, when given, says
// whether a complete line ended in a LF without its CR.
std::pair<size_t, bool> TakeLine(std::string_view data, std::string& line,
                                 bool* bare_lf = nullptr) {
  const size_t lf = data.find('\n');
  if (lf == std::string_view::npos) {
    line.append(data);
    return {data.size(), false};
  }
  line.append(data.substr(0, lf));
  const bool crlf = !line.empty() && line.back() == '\r';
  if (crlf) line.pop_back();
  if (bare_lf != nullptr) *bare_lf = !crlf;
  return {lf + 1, true};
}

// A quoted-string (RFC 9110 5.6.4) at the start of `s`: its length with both
// quotes, or 0 when `s` does not start with a well-formed one.
size_t QuotedStringLength(std::string_view s) {
  if (s.empty() || s.front() != '"') return 0;
  for (size_t i = 1; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (s[i] == '"') return i + 1;
    if (s[i] == '\\') {
      if (++i == s.size()) return 0;
      const auto escaped = static_cast<unsigned char>(s[i]);
      if ((escaped < 0x20 && s[i] != '\t') || escaped == 0x7f) return 0;
    } else if ((u < 0x20 && s[i] != '\t') || u == 0x7f) {
      return 0;
    }
  }
  return 0;
}

size_t TokenLength(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && IsTchar(s[n])) ++n;
  return n;
}

std::string_view SkipBws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// What follows a chunk's size (RFC 9112 7.1.1): nothing, or extensions
// `*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )`.
bool IsChunkExtensions(std::string_view s) {
  while (!s.empty()) {
    s = SkipBws(s);
    if (s.empty() || s.front() != ';') return false;
    s = SkipBws(s.substr(1));
    const size_t name = TokenLength(s);
    if (name == 0) return false;
    s.remove_prefix(name);
    const std::string_view after_name = SkipBws(s);
    if (after_name.empty()) return s.empty();  // no whitespace after the last one
    if (after_name.front() != '=') {
      s = after_name;
      continue;
    }
    s = SkipBws(after_name.substr(1));
    const size_t value = s.empty() || s.front() != '"' ? TokenLength(s) : QuotedStringLength(s);
    if (value == 0) return false;
    s.remove_prefix(value);
  }
  return true;
}

}  // namespace

void RequestParser::Reset() {
  body_limit_ = uint64_t{1} << 20;
  state_ = State::kHead;
  error_status_ = 0;
  line_.clear();
  head_bytes_ = 0;
  seen_request_line_ = false;
  method_.clear();
  target_.clear();
  version_minor_ = 1;
  headers_.clear();
  keep_alive_ = true;
  expects_continue_ = false;
  chunked_ = false;
  content_length_ = 0;
  body_.clear();
  sink_ = nullptr;
  body_bytes_ = 0;
  chunk_state_ = ChunkState::kSize;
  chunk_left_ = 0;
}

size_t RequestParser::Feed(std::string_view data) {
  size_t used = 0;
  while (used < data.size() && (state_ == State::kHead || state_ == State::kBody)) {
    const std::string_view rest = data.substr(used);
    used += state_ == State::kHead ? FeedHead(rest) : FeedBody(rest);
  }
  return used;
}

bool RequestParser::CountHeadBytes(size_t n) {
  head_bytes_ += n;
  if (head_bytes_ <= header_limit_) return true;
  Fail(431);
  return false;
}

std::pair<size_t, bool> RequestParser::TakeHeadLine(std::string_view data, bool* bare_lf) {
  auto [used, complete] = TakeLine(data, line_, bare_lf);
  return {used, CountHeadBytes(used) && complete};
}

size_t RequestParser::FeedHead(std::string_view data) {
  // A whole line in `data` is parsed where it lies (the common case); one
  // cut by the end of `data` is assembled in line_, which keeps its buffer
  // for the next one.
  std::string_view line;
  size_t used = 0;
  const size_t lf = line_.empty() ? data.find('\n') : std::string_view::npos;
  if (lf != std::string_view::npos) {
    used = lf + 1;
    if (!CountHeadBytes(used)) return used;
    line = data.substr(0, lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  } else {
    bool complete = false;
    std::tie(used, complete) = TakeHeadLine(data);
    if (!complete) return used;
    line = line_;
  }
  struct ClearAfter {
    std::string& s;
    ~ClearAfter() { s.clear(); }
  } clear_after{line_};
  // A bare CR or a NUL inside a line is refused by the checks of its parts:
  // neither is a token character, nor allowed in a target or a field value.
  if (!seen_request_line_) {
    if (line.empty()) return used;  // empty lines before the request line are ignored
    seen_request_line_ = true;
    if (!ParseRequestLine(line)) return used;
  } else if (line.empty()) {
    FinishHead();
  } else {
    ParseField(line);
  }
  return used;
}

bool RequestParser::ParseRequestLine(std::string_view line) {
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    Fail(400);
    return false;
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method) || target.empty() || !IsFieldValue(target) ||
      target.find_first_of(" \t") != std::string_view::npos) {
    Fail(400);
    return false;
  }
  if (version.size() != 8 || !version.starts_with("HTTP/") || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    Fail(400);
    return false;
  }
  if (version[5] != '1') {
    Fail(505);
    return false;
  }
  method_ = std::string(method);
  target_ = std::string(target);
  version_minor_ = version[7] - '0';
  return true;
}

bool RequestParser::ParseField(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') {
    Fail(400);  // obsolete line folding
    return false;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
    Fail(400);  // no name, or whitespace before the colon
    return false;
  }
  const std::string_view value = TrimOws(line.substr(colon + 1));
  if (!IsFieldValue(value)) {
    Fail(400);
    return false;
  }
  if (headers_.size() >= kMaxFields) {
    Fail(431);
    return false;
  }
  headers_.emplace_back(AsciiLower(line.substr(0, colon)), std::string(value));
  return true;
}

bool RequestParser::FinishHead() {
  bool close = false;
  bool keep = false;
  int lengths = 0;
  int hosts = 0;
  int codings = 0;  // elements of every Transfer-Encoding field together
  bool only_chunked = true;
  bool bad_length = false;
  for (const auto& [name, value] : headers_) {
    if (name == "connection") {
      ForEachElement(value, [&](const std::string& token) {
        close |= token == "close";
        keep |= token == "keep-alive";
      });
    } else if (name == "content-length") {
      // One field of digits alone: no sign, no inner space, no list (even of
      // equal values), as nginx reads it.
      ++lengths;
      bad_length |= value.empty() || value.size() > 18 ||
                    value.find_first_not_of("0123456789") != std::string::npos;
      if (!bad_length) std::from_chars(value.data(), value.data() + value.size(), content_length_);
    } else if (name == "transfer-encoding") {
      const int before = codings;
      ForEachElement(value, [&](const std::string& coding) {
        ++codings;
        only_chunked &= coding == "chunked";
      });
      if (codings == before) only_chunked = false;  // a field naming no coding
    } else if (name == "host") {
      ++hosts;
    } else if (name == "expect") {
      expects_continue_ = AsciiLower(value) == "100-continue" && version_minor_ == 1;
    }
  }
  keep_alive_ = version_minor_ >= 1 ? !close : keep && !close;
  // RFC 9112 3.2: exactly one Host on HTTP/1.1, at most one on HTTP/1.0.
  if (hosts > 1 || (hosts == 0 && version_minor_ >= 1) || lengths > 1 || bad_length) {
    Fail(400);
    return false;
  }
  if (codings > 0 || !only_chunked) {
    // The only coding read is one `chunked`: a list (`chunked, chunked`,
    // `gzip, chunked`), a length beside it, or chunked on HTTP/1.0 (which has
    // none) is how requests are smuggled past a proxy that reads it otherwise.
    if (codings != 1 || !only_chunked || lengths > 0 || version_minor_ == 0) {
      Fail(400);
      return false;
    }
    chunked_ = true;
    state_ = State::kBody;
    return true;
  }
  state_ = content_length_ > 0 ? State::kBody : State::kDone;
  return true;
}

void RequestParser::set_body_sink(std::function<bool(std::string_view)> sink) {
  sink_ = std::move(sink);
  if (!sink_ || body_.empty()) return;
  // What came with the head.
  if (!sink_(body_)) Fail(500);
  body_.clear();
}

bool RequestParser::KeepBody(std::string_view bytes) {
  body_bytes_ += bytes.size();
  if (!sink_) {
    body_.append(bytes);
    return true;
  }
  if (sink_(bytes)) return true;
  Fail(500);
  return false;
}

size_t RequestParser::FeedBody(std::string_view data) {
  if (chunked_) return FeedChunked(data);
  const uint64_t left = content_length_ - body_bytes_;
  const size_t take = static_cast<size_t>(std::min<uint64_t>(left, data.size()));
  if (body_bytes_ + take > body_limit_) {
    Fail(413);
    return take;
  }
  if (!KeepBody(data.substr(0, take))) return take;
  if (body_bytes_ == content_length_) state_ = State::kDone;
  return take;
}

size_t RequestParser::FeedChunked(std::string_view data) {
  switch (chunk_state_) {
    case ChunkState::kSize: {
      bool bare_lf = false;
      auto [used, complete] = TakeLine(data, line_, &bare_lf);
      if (line_.size() > kMaxChunkLine) {
        Fail(400);
        return used;
      }
      if (!complete) return used;
      const std::string_view line = line_;
      const size_t digits_end =
          std::min(line.find_first_not_of("0123456789abcdefABCDEF"), line.size());
      const std::string_view digits = line.substr(0, digits_end);
      uint64_t size = 0;
      // Framing lines end in CRLF: a bare LF there is read differently by
      // different parsers.
      if (bare_lf || digits.empty() || digits.size() > 15 ||
          !IsChunkExtensions(line.substr(digits_end))) {
        Fail(400);
        return used;
      }
      for (char c : digits) {
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) {
          Fail(400);
          return used;
        }
        size = size * 16 + static_cast<uint64_t>(d);
      }
      line_.clear();
      if (size == 0) {
        chunk_state_ = ChunkState::kTrailer;
      } else if (body_bytes_ + size > body_limit_) {
        Fail(413);
      } else {
        chunk_left_ = size;
        chunk_state_ = ChunkState::kData;
      }
      return used;
    }
    case ChunkState::kData: {
      const size_t take = static_cast<size_t>(std::min<uint64_t>(chunk_left_, data.size()));
      if (!KeepBody(data.substr(0, take))) return take;
      chunk_left_ -= take;
      if (chunk_left_ == 0) chunk_state_ = ChunkState::kDataEnd;
      return take;
    }
    case ChunkState::kDataEnd: {
      bool bare_lf = false;
      auto [used, complete] = TakeLine(data, line_, &bare_lf);
      // Only the CRLF may follow a chunk's data (its CR may come alone).
      if (!(complete ? line_.empty() && !bare_lf : line_ == "\r")) {
        Fail(400);  // data longer than its chunk size said
        return used;
      }
      if (complete) {
        line_.clear();
        chunk_state_ = ChunkState::kSize;
      }
      return used;
    }
    case ChunkState::kTrailer: {
      bool bare_lf = false;
      auto [used, complete] = TakeHeadLine(data, &bare_lf);
      if (!complete) return used;
      const std::string_view line = line_;
      const size_t colon = line.find(':');
      const bool end = line.empty();
      // Trailer fields are read and dropped, but well-formed ones only, and
      // none that frames a message (RFC 9110 6.5.1): a proxy that merged
      // them into the head would read the body otherwise.
      if (bare_lf || (!end && (colon == std::string_view::npos || !IsToken(line.substr(0, colon)) ||
                               !IsFieldValue(line.substr(colon + 1))))) {
        Fail(400);
        return used;
      }
      if (!end) {
        const std::string name = AsciiLower(line.substr(0, colon));
        if (name == "transfer-encoding" || name == "content-length") {
          Fail(400);
          return used;
        }
      }
      line_.clear();
      if (end) state_ = State::kDone;
      return used;
    }
  }
  return data.size();
}

}  // namespace chirp
