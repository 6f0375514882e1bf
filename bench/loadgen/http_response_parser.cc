#include "http_response_parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace chirp::loadgen {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kHeadEnd = "\r\n\r\n";
// Chunk sizes beyond this are certainly garbage, and summing them stays
// clear of overflow.
constexpr uint64_t kMaxChunkBytes = uint64_t{1} << 48;

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls f(token) for each comma-separated, trimmed, non-empty token.
template <typename F>
void ForEachToken(std::string_view list, F f) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view token = Trim(list.substr(0, comma));
    if (!token.empty()) f(token);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

bool ParseDecimal(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

void ResponseParser::Reset() {
  state_ = Step::kHead;
  status_ = 0;
  keep_alive_ = false;
  remaining_ = bytes_ = body_bytes_ = 0;
  head_.clear();
  line_.clear();
  body_.clear();
  error_.clear();
}

void ResponseParser::Fail(std::string_view why) {
  state_ = Step::kFailed;
  keep_alive_ = false;
  error_.assign(why);
}

void ResponseParser::TakeBody(std::string_view data) {
  body_bytes_ += data.size();
  if (keep_body_) body_.append(data);
}

size_t ResponseParser::Feed(std::string_view data) {
  size_t used = 0;
  while (used < data.size()) {
    const std::string_view rest = data.substr(used);
    size_t n = 0;
    bool complete = false;
    switch (state_) {
      case Step::kDone:
      case Step::kFailed:
        bytes_ += used;
        return used;
      case Step::kHead:
        n = FeedHead(rest);
        break;
      case Step::kFixedBody:
      case Step::kChunkData:
        n = static_cast<size_t>(std::min<uint64_t>(remaining_, rest.size()));
        TakeBody(rest.substr(0, n));
        remaining_ -= n;
        if (remaining_ == 0)
          state_ = state_ == Step::kFixedBody ? Step::kDone : Step::kChunkDataEnd;
        break;
      case Step::kChunkSize: {
        n = FeedLine(rest, &complete);
        if (!complete) break;
        std::string_view size = line_;
        size = Trim(size.substr(0, size.find(';')));
        uint64_t bytes = 0;
        auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), bytes, 16);
        if (size.empty() || ec != std::errc() || end != size.data() + size.size() ||
            bytes > kMaxChunkBytes) {
          Fail("bad chunk size");
          break;
        }
        line_.clear();
        remaining_ = bytes;
        state_ = bytes == 0 ? Step::kTrailers : Step::kChunkData;
        break;
      }
      case Step::kChunkDataEnd: {
        // line_ holds the part of the CRLF seen so far.
        const char want = kCrlf[line_.size()];
        if (rest.front() != want) {
          Fail("chunk data not followed by CRLF");
          break;
        }
        n = 1;
        line_.push_back(want);
        if (line_.size() == kCrlf.size()) {
          line_.clear();
          state_ = Step::kChunkSize;
        }
        break;
      }
      case Step::kTrailers:
        n = FeedLine(rest, &complete);
        if (!complete) break;
        if (line_.empty()) state_ = Step::kDone;
        line_.clear();
        break;
      case Step::kUntilEof:
        n = rest.size();
        TakeBody(rest);
        break;
    }
    used += n;
  }
  bytes_ += used;
  return used;
}

size_t ResponseParser::FeedHead(std::string_view data) {
  const size_t before = head_.size();
  // Look for the blank line from where a split one could have begun.
  const size_t from = before >= kHeadEnd.size() - 1 ? before - (kHeadEnd.size() - 1) : 0;
  const size_t room = kMaxHeadBytes - before;
  head_.append(data.substr(0, std::min(data.size(), room)));
  const size_t end = std::string_view(head_).find(kHeadEnd, from);
  if (end == std::string_view::npos) {
    if (head_.size() >= kMaxHeadBytes) Fail("response head too large");
    return head_.size() - before;
  }
  const size_t head_bytes = end + kHeadEnd.size();
  const size_t used = head_bytes - before;
  head_.resize(head_bytes);
  if (ParseHead(std::string_view(head_).substr(0, end))) head_.clear();
  return used;
}

bool ResponseParser::ParseHead(std::string_view head) {
  // Status line: HTTP/1.x SP 3DIGIT [SP reason]
  size_t eol = head.find(kCrlf);
  const std::string_view status_line = head.substr(0, eol);
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.") ||
      !std::isdigit(static_cast<unsigned char>(status_line[7])) || status_line[8] != ' ' ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    Fail("bad status line");
    return false;
  }
  uint64_t status = 0;
  if (!ParseDecimal(status_line.substr(9, 3), &status) || status < 100) {
    Fail("bad status code");
    return false;
  }
  status_ = static_cast<int>(status);
  const bool http10 = status_line[7] == '0';
  bool close = false;
  bool keep_alive_token = false;
  bool chunked = false;
  bool has_length = false;
  uint64_t length = 0;

  std::string_view rest = eol == std::string_view::npos ? "" : head.substr(eol + kCrlf.size());
  while (!rest.empty()) {
    eol = rest.find(kCrlf);
    const std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? "" : rest.substr(eol + kCrlf.size());
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      Fail("bad header line");
      return false;
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsIgnoreCase(name, "content-length")) {
      uint64_t n = 0;
      if (!ParseDecimal(value, &n) || (has_length && n != length)) {
        Fail("bad Content-Length");
        return false;
      }
      has_length = true;
      length = n;
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      // Chunked must be the last coding applied.
      std::string_view last;
      ForEachToken(value, [&](std::string_view t) { last = t; });
      chunked = EqualsIgnoreCase(last, "chunked");
      if (!chunked) {
        Fail("unsupported Transfer-Encoding");
        return false;
      }
    } else if (EqualsIgnoreCase(name, "connection")) {
      ForEachToken(value, [&](std::string_view t) {
        if (EqualsIgnoreCase(t, "close")) close = true;
        if (EqualsIgnoreCase(t, "keep-alive")) keep_alive_token = true;
      });
    }
  }
  keep_alive_ = !close && (!http10 || keep_alive_token);

  if (status_ < 200) {
    Fail("interim 1xx responses are not supported");
    return false;
  }
  if (status_ == 204 || status_ == 304) {
    state_ = Step::kDone;
  } else if (chunked) {
    state_ = Step::kChunkSize;
  } else if (has_length) {
    remaining_ = length;
    state_ = length == 0 ? Step::kDone : Step::kFixedBody;
  } else {
    keep_alive_ = false;
    state_ = Step::kUntilEof;
  }
  return true;
}

size_t ResponseParser::FeedLine(std::string_view data, bool* complete) {
  *complete = false;
  // A CR may have ended the previous piece.
  if (!line_.empty() && line_.back() == '\r' && data.front() == '\n') {
    line_.pop_back();
    *complete = true;
    return 1;
  }
  const size_t eol = data.find(kCrlf);
  const size_t take = eol == std::string_view::npos ? data.size() : eol;
  if (line_.size() + take > kMaxLineBytes) {
    Fail("line too long");
    return take;
  }
  line_.append(data.substr(0, take));
  if (eol == std::string_view::npos) return take;
  *complete = true;
  return take + kCrlf.size();
}

void ResponseParser::FinishOnEof() {
  if (state_ == Step::kUntilEof) {
    state_ = Step::kDone;
  } else if (state_ != Step::kDone && state_ != Step::kFailed) {
    Fail("connection closed before the response ended");
  }
}

}  // namespace chirp::loadgen
