#include "http/request_parser.h"

#include <cstring>

#include "core/text.h"

namespace chirp {
namespace {

constexpr size_t kMaxFields = 100;
constexpr size_t kMaxChunkLine = 1024;

bool IsTchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

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
// consumed and whether the line is complete.
std::pair<size_t, bool> TakeLine(std::string_view data, std::string& line) {
  const size_t lf = data.find('\n');
  if (lf == std::string_view::npos) {
    line.append(data);
    return {data.size(), false};
  }
  line.append(data.substr(0, lf));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return {lf + 1, true};
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

std::pair<size_t, bool> RequestParser::TakeHeadLine(std::string_view data) {
  auto [used, complete] = TakeLine(data, line_);
  head_bytes_ += used;
  if (head_bytes_ > header_limit_) {
    Fail(431);
    return {used, false};
  }
  return {used, complete};
}

size_t RequestParser::FeedHead(std::string_view data) {
  auto [used, complete] = TakeHeadLine(data);
  if (!complete) return used;
  // The line is parsed in place; line_ keeps its buffer for the next one.
  const std::string_view line = line_;
  struct ClearAfter {
    std::string& s;
    ~ClearAfter() { s.clear(); }
  } clear_after{line_};
  if (line.find('\r') != std::string::npos || line.find('\0') != std::string::npos) {
    Fail(400);  // a bare CR or a NUL inside a line
  } else if (!seen_request_line_) {
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
  bool has_length = false;
  bool has_coding = false;
  bool chunked_last = false;
  for (const auto& [name, value] : headers_) {
    if (name == "connection") {
      ForEachElement(value, [&](const std::string& token) {
        close |= token == "close";
        keep |= token == "keep-alive";
      });
    } else if (name == "content-length") {
      bool bad = false;
      ForEachElement(value, [&](const std::string& element) {
        uint64_t n = 0;
        if (element.size() > 18) bad = true;
        for (char c : element) {
          if (c < '0' || c > '9') bad = true;
          n = n * 10 + static_cast<uint64_t>(c - '0');
        }
        if (has_length && n != content_length_) bad = true;
        has_length = true;
        content_length_ = n;
      });
      if (bad || TrimOws(value).empty()) {
        Fail(400);
        return false;
      }
    } else if (name == "transfer-encoding") {
      ForEachElement(value, [&](const std::string& coding) {
        if (has_coding && chunked_last) chunked_last = false;  // chunked must come last, once
        has_coding = true;
        if (coding == "chunked") {
          chunked_last = true;
        } else if (coding != "identity") {
          error_status_ = 501;
        }
      });
    } else if (name == "expect") {
      expects_continue_ = AsciiLower(value) == "100-continue" && version_minor_ == 1;
    }
  }
  keep_alive_ = version_minor_ >= 1 ? !close : keep && !close;
  if (has_coding) {
    // A length beside a coding is how requests are smuggled; HTTP/1.0 has
    // no chunked coding.
    if (error_status_ == 501) {
      Fail(501);
      return false;
    }
    if (has_length || !chunked_last || version_minor_ == 0) {
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

size_t RequestParser::FeedBody(std::string_view data) {
  if (chunked_) return FeedChunked(data);
  const uint64_t left = content_length_ - body_.size();
  const size_t take = static_cast<size_t>(std::min<uint64_t>(left, data.size()));
  if (body_.size() + take > body_limit_) {
    Fail(413);
    return take;
  }
  body_.append(data.substr(0, take));
  if (body_.size() == content_length_) state_ = State::kDone;
  return take;
}

size_t RequestParser::FeedChunked(std::string_view data) {
  switch (chunk_state_) {
    case ChunkState::kSize: {
      auto [used, complete] = TakeLine(data, line_);
      if (line_.size() > kMaxChunkLine) {
        Fail(400);
        return used;
      }
      if (!complete) return used;
      std::string_view line = line_;
      const size_t ext = line.find(';');
      const std::string_view digits = TrimOws(line.substr(0, ext));
      uint64_t size = 0;
      if (digits.empty() || digits.size() > 15) {
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
      } else if (body_.size() + size > body_limit_) {
        Fail(413);
      } else {
        chunk_left_ = size;
        chunk_state_ = ChunkState::kData;
      }
      return used;
    }
    case ChunkState::kData: {
      const size_t take = static_cast<size_t>(std::min<uint64_t>(chunk_left_, data.size()));
      body_.append(data.substr(0, take));
      chunk_left_ -= take;
      if (chunk_left_ == 0) chunk_state_ = ChunkState::kDataEnd;
      return take;
    }
    case ChunkState::kDataEnd: {
      auto [used, complete] = TakeLine(data, line_);
      // Only the CRLF may follow a chunk's data (its CR may come alone).
      if (!(line_.empty() || (!complete && line_ == "\r"))) {
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
      auto [used, complete] = TakeHeadLine(data);
      if (!complete) return used;
      const bool end = line_.empty();
      line_.clear();
      if (end) state_ = State::kDone;  // trailer fields are read and dropped
      return used;
    }
  }
  return data.size();
}

}  // namespace chirp
