#include "search/search_query.h"

#include <algorithm>
#include <array>
#include <chrono>

#include "core/text.h"
#include "text/unicode.h"

namespace chirp {
namespace {

constexpr int64_t kMillisPerDay = int64_t{24} * 60 * 60 * 1000;
// Before 1970 nothing was posted; after 9999 a day no longer fits YYYY.
constexpr int kMinYear = 1970;
constexpr int kMaxYear = 9999;
// An error message shows this many code points of a value at most: a value
// can be as long as the query.
constexpr size_t kMaxValueShown = 40;

// The typographic quotes “ ” „ are U+201C, U+201D and U+201E: three bytes,
// the same first two.
constexpr char kTypographicQuoteLead0 = '\xE2';
constexpr char kTypographicQuoteLead1 = '\x80';
constexpr char kLeftQuoteLast = '\x9C';
constexpr char kLowQuoteLast = '\x9E';
constexpr size_t kTypographicQuoteSize = 3;

enum class OperatorKind { kFrom, kHas, kIs, kLanguage, kBefore, kAfter, kDuring, kIn };

struct OperatorName {
  std::string_view name;
  OperatorKind kind;
};
constexpr std::array<OperatorName, 8> kOperators = {{
    {"from", OperatorKind::kFrom},
    {"has", OperatorKind::kHas},
    {"is", OperatorKind::kIs},
    {"language", OperatorKind::kLanguage},
    {"before", OperatorKind::kBefore},
    {"after", OperatorKind::kAfter},
    {"during", OperatorKind::kDuring},
    {"in", OperatorKind::kIn},
}};
constexpr size_t kLongestOperatorName = 8;  // "language"

struct FeatureName {
  std::string_view name;
  SearchFeature feature;
};
constexpr std::array<FeatureName, 7> kHasValues = {{
    {"media", kHasMedia},
    {"image", kHasImage},
    {"video", kHasVideo},
    {"audio", kHasAudio},
    {"poll", kHasPoll},
    {"link", kHasLink},
    {"embed", kHasEmbed},
}};
constexpr std::array<FeatureName, 2> kIsValues = {{
    {"reply", kIsReply},
    {"sensitive", kIsSensitive},
}};

struct ScopeName {
  std::string_view name;
  SearchScope scope;
};
constexpr std::array<ScopeName, 3> kScopes = {{
    {"library", SearchScope::kLibrary},
    {"public", SearchScope::kPublic},
    {"all", SearchScope::kAll},
}};

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUsernameChar(char c) { return IsAsciiLetter(c) || IsAsciiDigit(c) || c == '_'; }
bool IsNameSeparator(char c) { return c == '.' || c == '-'; }

bool IsControl(uint32_t c) { return c < 0x20 || (c >= 0x7F && c < 0xA0); }

// `value` as an error message can show it: its first kMaxValueShown code
// points, control characters and ill-formed bytes as U+FFFD (a message goes
// into JSON, which must be well-formed UTF-8), "…" when cut.
std::string Shown(std::string_view value) {
  std::string out;
  size_t i = 0;
  for (size_t shown = 0; i < value.size() && shown < kMaxValueShown; ++shown) {
    const CodePoint cp = DecodeUtf8At(value, i);
    if (cp.value == kInvalidCodePoint || IsControl(cp.value)) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
    } else {
      out.append(value.substr(i, cp.size));
    }
    i += cp.size;
  }
  if (i < value.size()) out += "\xE2\x80\xA6";  // …
  return out;
}

template <size_t N, typename Entry>
std::string Expected(const std::array<Entry, N>& entries) {
  std::string out = "expected one of ";
  for (size_t i = 0; i < N; ++i) {
    if (i > 0) out += ", ";
    out += entries[i].name;
  }
  return out;
}

template <size_t N, typename Entry>
const Entry* Find(const std::array<Entry, N>& entries, std::string_view name) {
  const auto it = std::find_if(entries.begin(), entries.end(),
                               [&](const Entry& entry) { return entry.name == name; });
  return it == entries.end() ? nullptr : &*it;
}

// The size of the white space character at byte `i` (< s.size()) of `s`, or
// 0. Ill-formed bytes are not white space: they are word characters.
size_t WhiteSpaceSizeAt(std::string_view s, size_t i) {
  const CodePoint cp = DecodeUtf8At(s, i);
  return cp.value != kInvalidCodePoint && IsWhiteSpaceChar(cp.value) ? cp.size : 0;
}

bool IsOnlyWhiteSpace(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t size = WhiteSpaceSizeAt(s, i);
    if (size == 0) return false;
    i += size;
  }
  return true;
}

// "alice": ASCII letters, digits and '_', with '.' and '-' between them.
bool IsUsername(std::string_view s) {
  if (s.empty() || !IsUsernameChar(s.front()) || !IsUsernameChar(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsUsernameChar(c) || IsNameSeparator(c); });
}

// "chirp.example": word characters of any script, with '.' and '-' between
// them. Ill-formed UTF-8 is no domain.
bool IsDomain(std::string_view s) {
  if (s.empty() || IsNameSeparator(s.front()) || IsNameSeparator(s.back())) return false;
  for (size_t i = 0; i < s.size();) {
    const CodePoint cp = DecodeUtf8At(s, i);
    if (!IsNameSeparator(s[i]) && (cp.value == kInvalidCodePoint || !IsWordChar(cp.value))) {
      return false;
    }
    i += cp.size;
  }
  return true;
}

// What from: names, lower-cased: "me", "user" or "user@domain".
std::optional<std::string> AccountOf(std::string_view value) {
  const std::string lower = AsciiLower(value);
  std::string_view account = lower;
  if (account.starts_with('@')) account.remove_prefix(1);
  if (account == "me") return std::string(account);
  const size_t at = account.find('@');
  if (!IsUsername(account.substr(0, at))) return std::nullopt;
  if (at != std::string_view::npos && !IsDomain(account.substr(at + 1))) return std::nullopt;
  return std::string(account);
}

// Midnight UTC, in Unix milliseconds, of the day "YYYY-MM-DD".
std::optional<int64_t> StartOfDay(std::string_view value) {
  constexpr size_t kDateSize = 10;  // YYYY-MM-DD
  if (value.size() != kDateSize || value[4] != '-' || value[7] != '-') return std::nullopt;
  const auto number = [&](size_t begin, size_t end) -> std::optional<int> {
    int n = 0;
    for (size_t i = begin; i < end; ++i) {
      if (!IsAsciiDigit(value[i])) return std::nullopt;
      n = n * 10 + (value[i] - '0');
    }
    return n;
  };
  const std::optional<int> year = number(0, 4);
  const std::optional<int> month = number(5, 7);
  const std::optional<int> day = number(8, 10);
  if (!year || !month || !day || *year < kMinYear || *year > kMaxYear) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{*year},
                                         std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;  // 2023-02-30, month 13, day 0
  return int64_t{std::chrono::sys_days{date}.time_since_epoch().count()} * kMillisPerDay;
}

// One pass over the query, left to right; every byte is looked at a bounded
// number of times, so parsing is linear whatever the input.
class QueryParser {
 public:
  explicit QueryParser(std::string_view q) : q_(q) {}

  Result<SearchQuery> Parse() && {
    for (SkipWhiteSpace(); !AtEnd(); SkipWhiteSpace()) {
      if (Status status = ParseTerm(); !status) return std::move(status).error();
    }
    return std::move(query_);
  }

 private:
  bool AtEnd() const { return pos_ >= q_.size(); }

  bool AtWhiteSpace() const { return !AtEnd() && WhiteSpaceSizeAt(q_, pos_) > 0; }

  void SkipWhiteSpace() {
    while (!AtEnd()) {
      const size_t size = WhiteSpaceSizeAt(q_, pos_);
      if (size == 0) return;
      pos_ += size;
    }
  }

  // The run of characters from pos_ to the next white space; pos_ moves past it.
  std::string_view ReadWord() {
    const size_t begin = pos_;
    while (!AtEnd() && !AtWhiteSpace()) pos_ += DecodeUtf8At(q_, pos_).size;
    return q_.substr(begin, pos_ - begin);
  }

  bool IsTypographicQuoteAt(size_t i) const {
    return i + kTypographicQuoteSize <= q_.size() && q_[i] == kTypographicQuoteLead0 &&
           q_[i + 1] == kTypographicQuoteLead1 && q_[i + 2] >= kLeftQuoteLast &&
           q_[i + 2] <= kLowQuoteLast;
  }
  bool AtQuote() const { return !AtEnd() && (q_[pos_] == '"' || IsTypographicQuoteAt(pos_)); }

  // Precondition: AtQuote(). The text up to the matching closing quote, or
  // to the end of the query when there is none; pos_ moves past it.
  std::string_view ReadQuoted() {
    const bool typographic = q_[pos_] != '"';
    pos_ += typographic ? kTypographicQuoteSize : 1;
    const size_t begin = pos_;
    size_t end = q_.size();
    if (!typographic) {
      end = std::min(q_.find('"', begin), q_.size());
    } else {
      for (size_t i = q_.find(kTypographicQuoteLead0, begin); i < q_.size();
           i = q_.find(kTypographicQuoteLead0, i + 1)) {
        if (IsTypographicQuoteAt(i)) {
          end = i;
          break;
        }
      }
    }
    pos_ = std::min(end + (typographic ? kTypographicQuoteSize : 1), q_.size());
    return q_.substr(begin, end - begin);
  }

  // The operator whose name and ':' start at pos_, if any; pos_ moves past the
  // ':' when there is one.
  std::optional<OperatorName> ReadOperatorName() {
    size_t end = pos_;
    while (end < q_.size() && end - pos_ <= kLongestOperatorName && IsAsciiLetter(q_[end])) ++end;
    if (end >= q_.size() || q_[end] != ':') return std::nullopt;
    const OperatorName* op = Find(kOperators, AsciiLower(q_.substr(pos_, end - pos_)));
    if (op == nullptr) return std::nullopt;
    pos_ = end + 1;
    return *op;
  }

  // Counts one more term, failing past kMaxSearchTerms.
  Status Count() {
    if (++terms_ > kMaxSearchTerms) {
      return Error::Unprocessable("too many terms: a search holds at most " +
                                  std::to_string(kMaxSearchTerms));
    }
    return {};
  }

  Status Add(std::vector<std::string>& to, std::string_view term) {
    if (Status status = Count(); !status) return status;
    to.emplace_back(term);
    return {};
  }

  Status ParseTerm() {
    bool excluded = false;
    if (q_[pos_] == '-' || q_[pos_] == '+') {
      excluded = q_[pos_] == '-';
      ++pos_;
      if (AtEnd() || AtWhiteSpace()) return {};  // a lone sign
    }
    if (AtQuote()) {
      const std::string_view phrase = ReadQuoted();
      if (IsOnlyWhiteSpace(phrase)) return {};  // "" and "  " hold nothing to search for
      return Add(excluded ? query_.excluded_phrases : query_.phrases, phrase);
    }
    if (q_[pos_] == '#') {
      ++pos_;
      const std::string_view tag = ReadTagName();
      ReadWord();  // what follows the name in the same word is dropped
      if (tag.empty()) return {};
      return Add(excluded ? query_.excluded_tags : query_.tags, AsciiLower(tag));
    }
    if (const std::optional<OperatorName> op = ReadOperatorName()) {
      if (Status status = Count(); !status) return status;
      const std::string_view value = AtQuote() ? ReadQuoted() : ReadWord();
      return ApplyOperator(*op, excluded, value);
    }
    return Add(excluded ? query_.excluded_words : query_.words, ReadWord());
  }

  // The word characters from pos_; pos_ moves past them.
  std::string_view ReadTagName() {
    const size_t begin = pos_;
    while (!AtEnd()) {
      const CodePoint cp = DecodeUtf8At(q_, pos_);
      if (cp.value == kInvalidCodePoint || !IsWordChar(cp.value)) break;
      pos_ += cp.size;
    }
    return q_.substr(begin, pos_ - begin);
  }

  Status ApplyOperator(const OperatorName& op, bool excluded, std::string_view value) {
    if (value.empty()) return Error::Unprocessable(std::string(op.name) + ": needs a value");
    const std::string written = std::string(op.name) + ":" + Shown(value);
    switch (op.kind) {
      case OperatorKind::kFrom: {
        std::optional<std::string> account = AccountOf(value);
        if (!account) {
          return Error::Unprocessable(written +
                                      ": not an account; expected user, @user, user@domain or me");
        }
        (excluded ? query_.excluded_from : query_.from).push_back(std::move(*account));
        return {};
      }
      case OperatorKind::kHas:
      case OperatorKind::kIs: {
        const bool has = op.kind == OperatorKind::kHas;
        const std::string lower = AsciiLower(value);
        const FeatureName* feature = has ? Find(kHasValues, lower) : Find(kIsValues, lower);
        if (feature == nullptr) {
          return Error::Unprocessable(written + ": unknown value; " +
                                      (has ? Expected(kHasValues) : Expected(kIsValues)));
        }
        (excluded ? query_.excluded_features : query_.required_features) |= feature->feature;
        return {};
      }
      case OperatorKind::kLanguage: {
        std::string code = AsciiLower(value);
        if (!IsLanguageCode(code)) {
          return Error::Unprocessable(
              written + ": not a language code; expected two or three letters, such as en");
        }
        (excluded ? query_.excluded_languages : query_.languages).push_back(std::move(code));
        return {};
      }
      case OperatorKind::kBefore:
      case OperatorKind::kAfter:
      case OperatorKind::kDuring:
        if (excluded) return Error::Unprocessable("-" + written + ": a date cannot be excluded");
        return ApplyDate(op.kind, value, written);
      case OperatorKind::kIn: {
        if (excluded) return Error::Unprocessable("-" + written + ": a scope cannot be excluded");
        const ScopeName* scope = Find(kScopes, AsciiLower(value));
        if (scope == nullptr) {
          return Error::Unprocessable(written + ": unknown value; " + Expected(kScopes));
        }
        query_.scope = scope->scope;
        return {};
      }
    }
    return {};
  }

  Status ApplyDate(OperatorKind kind, std::string_view value, const std::string& written) {
    const std::optional<int64_t> start = StartOfDay(value);
    if (!start) {
      return Error::Unprocessable(
          written + ": not a date; expected YYYY-MM-DD from 1970-01-01 to 9999-12-31");
    }
    const int64_t next = *start + kMillisPerDay;
    if (kind == OperatorKind::kAfter || kind == OperatorKind::kDuring) {
      const int64_t after = kind == OperatorKind::kAfter ? next : *start;
      query_.created_after_ms = std::max(query_.created_after_ms.value_or(after), after);
    }
    if (kind == OperatorKind::kBefore || kind == OperatorKind::kDuring) {
      const int64_t before = kind == OperatorKind::kBefore ? *start : next;
      query_.created_before_ms = std::min(query_.created_before_ms.value_or(before), before);
    }
    return {};
  }

  std::string_view q_;
  size_t pos_ = 0;
  size_t terms_ = 0;
  SearchQuery query_;
};

}  // namespace

bool SearchQuery::HasText() const { return !words.empty() || !phrases.empty() || !tags.empty(); }

bool SearchQuery::Empty() const { return *this == SearchQuery{}; }

Result<SearchQuery> ParseSearchQuery(std::string_view q) { return QueryParser(q).Parse(); }

}  // namespace chirp
