#include "text/status_text.h"

#include <algorithm>
#include <array>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/text.h"
#include "text/unicode.h"

// Mastodon finds entities with Ruby regular expressions that backtrack; each
// scanner below follows one of them and reaches the same match in a single
// forward pass, which is what keeps the module linear. The comments name the
// expression being followed.

namespace chirp {
namespace {

constexpr size_t kNpos = std::string_view::npos;

// ---- UTF-8 --------------------------------------------------------------

// Stands for a byte that is not part of well-formed UTF-8.
constexpr uint32_t kInvalid = kInvalidCodePoint;

CodePoint DecodeAt(std::string_view s, size_t i) { return DecodeUtf8At(s, i); }

// The character ending just before byte `i` (> 0).
CodePoint DecodeBefore(std::string_view s, size_t i) {
  size_t start = i - 1;
  for (int back = 0; start > 0 && back < 3 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80;
       ++back) {
    --start;
  }
  const CodePoint cp = DecodeAt(s, start);
  if (cp.value != kInvalid && start + cp.size == i) return cp;
  return {kInvalid, 1};
}

// Characters in s, a malformed byte counting as one.
size_t CountChars(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); i += DecodeAt(s, i).size) ++n;
  return n;
}

}  // namespace

size_t CountGraphemes(std::string_view s) { return CountGraphemeClusters(s); }

namespace {

// Byte offset of the character `count` characters into s (or s.size()).
size_t AdvanceChars(std::string_view s, size_t count) {
  size_t i = 0;
  for (; i < s.size() && count > 0; --count) i += DecodeAt(s, i).size;
  return i;
}

// ---- Character classes --------------------------------------------------

struct Range {
  uint32_t first;
  uint32_t last;
};

constexpr bool IsSortedAndDisjoint(std::span<const Range> ranges) {
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (ranges[i].first > ranges[i].last) return false;
    if (i > 0 && ranges[i - 1].last >= ranges[i].first) return false;
  }
  return true;
}

bool InRanges(std::span<const Range> ranges, uint32_t cp) {
  const auto it = std::upper_bound(ranges.begin(), ranges.end(), cp,
                                   [](uint32_t c, const Range& r) { return c < r.first; });
  return it != ranges.begin() && cp <= std::prev(it)->last;
}

// twitter-text's LATIN_ACCENTS, which may not follow a mention.
constexpr Range kLatinAccentRanges[] = {
    {0x00C0, 0x00D6}, {0x00D8, 0x00F6}, {0x00F8, 0x00FF}, {0x0100, 0x024F}, {0x0253, 0x0254},
    {0x0256, 0x0257}, {0x0259, 0x0259}, {0x025B, 0x025B}, {0x0263, 0x0263}, {0x0268, 0x0268},
    {0x026F, 0x026F}, {0x0272, 0x0272}, {0x0289, 0x0289}, {0x028B, 0x028B}, {0x02BB, 0x02BB},
    {0x0300, 0x036F}, {0x1E00, 0x1EFF},
};
static_assert(IsSortedAndDisjoint(kLatinAccentRanges));

bool IsAsciiDigit(uint32_t c) { return c >= '0' && c <= '9'; }
bool IsAsciiLetter(uint32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiAlnum(uint32_t c) { return IsAsciiDigit(c) || IsAsciiLetter(c); }
// Ruby's \w, which is ASCII-only.
bool IsAsciiWord(uint32_t c) { return IsAsciiAlnum(c) || c == '_'; }

// [[:word:]], [[:alpha:]], [[:alnum:]] and \p{White_Space} (text/unicode.h),
// with ASCII decided here: most text is.
bool IsWord(uint32_t c) { return c < 0x80 ? IsAsciiWord(c) : IsWordChar(c); }
bool IsLetter(uint32_t c) { return c < 0x80 ? IsAsciiLetter(c) : IsAlphaChar(c); }
bool IsAlnum(uint32_t c) { return c < 0x80 ? IsAsciiAlnum(c) : IsAlnumChar(c); }
bool IsSpace(uint32_t c) {
  return c < 0x80 ? (c >= 0x09 && c <= 0x0D) || c == 0x20 : IsWhiteSpaceChar(c);
}

bool IsAsciiPunctuation(uint32_t c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
         (c >= 0x7B && c <= 0x7E);
}

// ---- Mentions (Account::MENTION_RE) -------------------------------------

constexpr size_t kMaxMentionDomainLength = 253;  // Extractor::MAX_DOMAIN_LENGTH

bool IsUsernameChar(char c) { return IsAsciiWord(static_cast<unsigned char>(c)); }

// (?<![=/[:word:]])@
bool MentionMayStartAt(std::string_view text, size_t at) {
  if (at == 0) return true;
  const uint32_t prev = DecodeBefore(text, at).value;
  return prev != '=' && prev != '/' && !IsWord(prev);
}

// twitter-text's end_mention_match: \A(?:[@＠]|[LATIN_ACCENTS]|://)
bool EndsMentionBadly(std::string_view text, size_t end) {
  if (end >= text.size()) return false;
  const uint32_t next = DecodeAt(text, end).value;
  return next == '@' || next == 0xFF20 || InRanges(kLatinAccentRanges, next) ||
         text.substr(end).starts_with("://");
}

void ScanMentions(std::string_view text, std::vector<TextEntity>& out) {
  size_t at = text.find('@');
  while (at != kNpos) {
    size_t resume = at + 1;
    if (MentionMayStartAt(text, at) && at + 1 < text.size() && IsUsernameChar(text[at + 1])) {
      // [a-z0-9_]+([.-]+[a-z0-9_]+)* : the run of username characters, dots
      // and dashes, cut back to its last username character.
      size_t user_end = at + 1;
      for (size_t p = at + 1; p < text.size(); ++p) {
        if (IsUsernameChar(text[p])) {
          user_end = p + 1;
        } else if (text[p] != '.' && text[p] != '-') {
          break;
        }
      }
      size_t end = user_end;
      size_t domain_begin = end;
      // (?:@[[:word:]]+([.-]+[[:word:]]+)*)?
      if (end + 1 < text.size() && text[end] == '@' && IsWord(DecodeAt(text, end + 1).value)) {
        domain_begin = end + 1;
        for (size_t p = domain_begin; p < text.size();) {
          const CodePoint cp = DecodeAt(text, p);
          if (IsWord(cp.value)) {
            p += cp.size;
            end = p;
          } else if (cp.value == '.' || cp.value == '-') {
            ++p;
          } else {
            break;
          }
        }
      }
      resume = end;  // Ruby's scan goes on after the match, kept or not
      const std::string_view domain = text.substr(domain_begin, end - domain_begin);
      if (!EndsMentionBadly(text, end) && CountChars(domain) <= kMaxMentionDomainLength) {
        out.push_back({.kind = EntityKind::kMention,
                       .begin = at,
                       .end = end,
                       .value = std::string(text.substr(at + 1, user_end - at - 1)),
                       .domain = std::string(domain)});
      }
    }
    at = text.find('@', resume);
  }
}

// ---- Hashtags (Tag::HASHTAG_RE) -----------------------------------------

// Tag::HASHTAG_SEPARATORS: '_' (a word character too), '·', '・' and ZWNJ.
bool IsTagSeparator(uint32_t c) { return c == '_' || c == 0x00B7 || c == 0x30FB || c == 0x200C; }

// The end of the name starting at `start`, or kNpos. Follows
//   FIRST: [[:word:]_][[:word:]SEP]*[[:alpha:]SEP][[:word:]SEP]*[[:word:]_]
//   LAST:  [[:word:]_]*[[:alpha:]][[:word:]_]*
// tried in that order. Greedy backtracking makes FIRST end at the last word
// character of the run of word characters and separators, and succeed when a
// letter or separator lies strictly between the first character and that one.
size_t MatchTagName(std::string_view text, size_t start) {
  if (start >= text.size() || !IsWord(DecodeAt(text, start).value)) return kNpos;
  size_t last_word_begin = start;
  size_t last_word_end = kNpos;
  size_t first_inner_candidate = kNpos;  // first letter or separator after the first character
  for (size_t p = start; p < text.size();) {
    const CodePoint cp = DecodeAt(text, p);
    const bool word = IsWord(cp.value);
    if (!word && !IsTagSeparator(cp.value)) break;
    if (p != start && first_inner_candidate == kNpos &&
        (IsLetter(cp.value) || IsTagSeparator(cp.value))) {
      first_inner_candidate = p;
    }
    if (word) {
      last_word_begin = p;
      last_word_end = p + cp.size;
    }
    p += cp.size;
  }
  if (first_inner_candidate != kNpos && first_inner_candidate < last_word_begin) {
    return last_word_end;
  }
  bool has_letter = false;
  size_t p = start;
  while (p < text.size()) {
    const CodePoint cp = DecodeAt(text, p);
    if (!IsWord(cp.value)) break;
    has_letter = has_letter || IsLetter(cp.value);
    p += cp.size;
  }
  return has_letter ? p : kNpos;
}

void ScanHashtags(std::string_view text, std::vector<TextEntity>& out) {
  // (?:^|[^/)\w])# consumes the character before '#', so a tag cannot use
  // the last character of the previous match as its own.
  size_t previous_match_end = kNpos;
  for (size_t hash = text.find('#'); hash != kNpos; hash = text.find('#', hash + 1)) {
    if (hash == previous_match_end) continue;
    if (hash > 0) {
      const uint32_t prev = DecodeBefore(text, hash).value;
      if (prev == '/' || prev == ')' || IsAsciiWord(prev)) continue;
    }
    const size_t name_begin = hash + 1;
    const size_t match_end = MatchTagName(text, name_begin);
    if (match_end == kNpos) continue;
    previous_match_end = match_end;
    // Extractor: a name running into a URL ("#foohttps://...") loses the
    // scheme, as /(.+)(https?\Z)/ splits it.
    size_t name_end = match_end;
    if (text.substr(match_end).starts_with("://")) {
      const std::string_view name = text.substr(name_begin, match_end - name_begin);
      for (std::string_view scheme : {"https", "http"}) {
        if (name.size() > scheme.size() && name.ends_with(scheme)) {
          name_end -= scheme.size();
          break;
        }
      }
    }
    const std::string_view name = text.substr(name_begin, name_end - name_begin);
    if (CountChars(name) <= kMaxHashtagLength) {
      out.push_back({.kind = EntityKind::kHashtag,
                     .begin = hash,
                     .end = name_end,
                     .value = std::string(name),
                     .normalized = NormalizeTagName(name)});
    }
    hash = match_end - 1;
  }
}

// ---- Links (twitter-text's valid_url as Mastodon patches it) --------------

constexpr size_t kMaxUrlLength = 4096;  // twitter-text's MAX_URL_LENGTH
constexpr std::string_view kSchemes[] = {"https", "http",   "dat",    "dweb", "ipfs",
                                         "ipns",  "gopher", "gemini", "ssb"};

// valid_url_preceding_chars: [^A-Z0-9@＠$#＃\uFFFE\uFEFF\uFFFF] or the start.
bool LinkMayStartAt(std::string_view text, size_t at) {
  if (at == 0) return true;
  const uint32_t prev = DecodeBefore(text, at).value;
  return !IsAsciiAlnum(prev) && prev != '@' && prev != '$' && prev != '#' && prev != 0xFF20 &&
         prev != 0xFF03 && prev != 0xFFFE && prev != 0xFEFF && prev != 0xFFFF;
}

// twitter-text's DOMAIN_VALID_CHARS.
bool IsDomainChar(uint32_t c) {
  if (c == kInvalid || c <= 0x20 || c == 0x7F || IsAsciiPunctuation(c) || IsSpace(c)) return false;
  const bool directional = c == 0x061C || c == 0x200E || c == 0x200F ||
                           (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
  return !directional && c != 0x180E && c != 0xFFFE && c != 0xFEFF && c != 0xFFFF;
}

// The end of a top-level domain starting at `p`, or kNpos: "xn--" punycode, or
// two or more letters, followed by neither a letter, a digit nor '@'
// ((?=[^[:alnum:]@]|$)).
size_t MatchTopLevelDomain(std::string_view text, size_t p) {
  size_t end = p;
  if (text.size() - p > 4 && AsciiLower(text.substr(p, 4)) == "xn--") {
    end = p + 4;
    while (end < text.size() &&
           (IsAsciiAlnum(static_cast<unsigned char>(text[end])) || text[end] == '-')) {
      ++end;
    }
    if (end == p + 4) return kNpos;
  } else {
    size_t letters = 0;
    while (end < text.size()) {
      const CodePoint cp = DecodeAt(text, end);
      if (!IsLetter(cp.value)) break;
      end += cp.size;
      ++letters;
    }
    if (letters < 2) return kNpos;
  }
  if (end < text.size()) {
    const uint32_t next = DecodeAt(text, end).value;
    if (IsAlnum(next) || next == '@') return kNpos;
  }
  return end;
}

// The end of the host starting at `p`, or kNpos. Follows
//   valid_subdomain* valid_domain_name (gTLD | ccTLD | punycode)
// where a subdomain label may hold '_' and '-' inside, the domain name label
// only '-'. Backtracking prefers the last label that works as a TLD.
size_t MatchHost(std::string_view text, size_t p) {
  struct Label {
    size_t begin;
    size_t end;
  };
  std::vector<Label> labels;
  while (p < text.size() && IsDomainChar(DecodeAt(text, p).value)) {
    Label label{p, p};
    size_t q = p;
    while (q < text.size()) {
      const CodePoint cp = DecodeAt(text, q);
      if (IsDomainChar(cp.value)) {
        q += cp.size;
        label.end = q;
      } else if (cp.value == '-' || cp.value == '_') {
        ++q;
      } else {
        break;
      }
    }
    labels.push_back(label);
    // A label must end in a domain character and be followed by one dot.
    if (label.end != q || q + 1 >= text.size() || text[q] != '.') break;
    p = q + 1;
  }
  for (size_t k = labels.size(); k-- > 1;) {
    const Label& name = labels[k - 1];
    if (text.substr(name.begin, name.end - name.begin).find('_') != kNpos) continue;
    const size_t end = MatchTopLevelDomain(text, labels[k].begin);
    if (end != kNpos) return end;
  }
  return kNpos;
}

// valid_general_url_path_chars: [^\p{White_Space}<>()?]
bool IsPathChar(uint32_t c) {
  return c != kInvalid && !IsSpace(c) && c != '<' && c != '>' && c != '(' && c != ')' && c != '?';
}

// valid_url_path_ending_chars: [^\p{White_Space}()?!*"'「」<>;:=,.$%\[\]~&|@]
bool IsPathEndingChar(uint32_t c) {
  static constexpr std::string_view kNotEnding = "!*\"';:=,.$%[]~&|@";
  if (!IsPathChar(c) || c == 0x300C || c == 0x300D) return false;
  return c >= 0x80 || kNotEnding.find(static_cast<char>(c)) == kNpos;
}

size_t SkipPathChars(std::string_view text, size_t p) {
  while (p < text.size()) {
    const CodePoint cp = DecodeAt(text, p);
    if (!IsPathChar(cp.value)) break;
    p += cp.size;
  }
  return p;
}

// valid_url_balanced_parens starting at the '(' at `p`:
//   \( (?: G+ | G* \( G+ \) G* ) \)
// Returns the end, just past the closing parenthesis, or kNpos.
size_t MatchBalancedParens(std::string_view text, size_t p) {
  const size_t a = SkipPathChars(text, p + 1);
  if (a >= text.size()) return kNpos;
  if (text[a] == ')') return a > p + 1 ? a + 1 : kNpos;
  if (text[a] != '(') return kNpos;
  const size_t b = SkipPathChars(text, a + 1);
  if (b == a + 1 || b >= text.size() || text[b] != ')') return kNpos;
  const size_t c = SkipPathChars(text, b + 1);
  if (c >= text.size() || text[c] != ')') return kNpos;
  return c + 1;
}

// The end of the path starting with the '/' at `p`: the run of path
// characters and balanced parentheses, cut back to its last ending character.
size_t MatchPath(std::string_view text, size_t p) {
  size_t end = p + 1;
  size_t q = p + 1;
  while (q < text.size()) {
    if (text[q] == '(') {
      const size_t close = MatchBalancedParens(text, q);
      if (close == kNpos) break;
      q = close;
      end = q;
      continue;
    }
    const CodePoint cp = DecodeAt(text, q);
    if (!IsPathChar(cp.value)) break;
    q += cp.size;
    if (IsPathEndingChar(cp.value)) end = q;
  }
  return end;
}

// Mastodon's UCHARS, less white space (a link ends at white space here).
bool IsQueryUnicodeChar(uint32_t c) {
  if (c == kInvalid || c < 0xA0 || IsSpace(c)) return false;
  if ((c >= 0xFDD0 && c <= 0xFDEF) || (c >= 0xFFF0 && c <= 0xFFFF)) return false;
  if (c >= 0x10000 && ((c & 0xFFFF) > 0xFFFD || (c >= 0xE0000 && c <= 0xE0FFF))) return false;
  return true;
}

// valid_url_query_chars and valid_url_query_ending_chars.
bool IsQueryChar(uint32_t c) {
  static constexpr std::string_view kPunctuation = "!?*'();:&=+$/%#[]-_.,~|@^";
  if (c < 0x80) return IsAsciiAlnum(c) || kPunctuation.find(static_cast<char>(c)) != kNpos;
  return IsQueryUnicodeChar(c);
}

bool IsQueryEndingChar(uint32_t c) {
  static constexpr std::string_view kPunctuation = "_&=#/-";
  if (c < 0x80) return IsAsciiAlnum(c) || kPunctuation.find(static_cast<char>(c)) != kNpos;
  return IsQueryUnicodeChar(c);
}

// The end of the query starting with the '?' at `p`, or kNpos.
size_t MatchQuery(std::string_view text, size_t p) {
  size_t end = kNpos;
  for (size_t q = p + 1; q < text.size();) {
    const CodePoint cp = DecodeAt(text, q);
    if (!IsQueryChar(cp.value)) break;
    q += cp.size;
    if (IsQueryEndingChar(cp.value)) end = q;
  }
  return end;
}

// The end of a link whose host starts at `host`, or kNpos.
size_t MatchLinkRest(std::string_view text, size_t host) {
  size_t end = MatchHost(text, host);
  if (end == kNpos) return kNpos;
  if (end + 1 < text.size() && text[end] == ':' &&
      IsAsciiDigit(static_cast<unsigned char>(text[end + 1]))) {
    ++end;
    while (end < text.size() && IsAsciiDigit(static_cast<unsigned char>(text[end]))) ++end;
  }
  if (end < text.size() && text[end] == '/') end = MatchPath(text, end);
  if (end < text.size() && text[end] == '?') {
    const size_t query_end = MatchQuery(text, end);
    if (query_end != kNpos) end = query_end;
  }
  return end;
}

void ScanLinks(std::string_view text, std::vector<TextEntity>& out) {
  size_t previous_end = kNpos;
  size_t separator = text.find("://");
  while (separator != kNpos) {
    size_t resume = separator + 1;
    for (std::string_view scheme : kSchemes) {
      if (separator < scheme.size()) continue;
      const size_t begin = separator - scheme.size();
      if (AsciiLower(text.substr(begin, scheme.size())) != scheme) continue;
      // The preceding character is consumed by the match, so it cannot be the
      // last one of the previous link.
      if (begin == previous_end || !LinkMayStartAt(text, begin)) break;
      const size_t end = MatchLinkRest(text, separator + 3);
      if (end == kNpos) break;
      previous_end = end;
      resume = end;
      const std::string_view url = text.substr(begin, end - begin);
      if (CountChars(url) <= kMaxUrlLength) {
        out.push_back(
            {.kind = EntityKind::kLink, .begin = begin, .end = end, .value = std::string(url)});
      }
      break;
    }
    separator = text.find("://", resume);
  }
}

// ---- Entities -------------------------------------------------------------

// Extractor.remove_overlapping_entities: by start, dropping any entity that
// starts inside the last one kept.
std::vector<TextEntity> RemoveOverlaps(std::vector<TextEntity> entities) {
  std::stable_sort(entities.begin(), entities.end(),
                   [](const TextEntity& a, const TextEntity& b) { return a.begin < b.begin; });
  std::vector<TextEntity> kept;
  kept.reserve(entities.size());
  for (TextEntity& entity : entities) {
    if (!kept.empty() && kept.back().end > entity.begin) continue;
    kept.push_back(std::move(entity));
  }
  return kept;
}

// Ruby's String#strip: ASCII white space and NUL.
std::string_view StripRuby(std::string_view s) {
  const auto is_strippable = [](char c) {
    return c == '\0' || c == ' ' || (c >= '\t' && c <= '\r');
  };
  while (!s.empty() && is_strippable(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_strippable(s.back())) s.remove_suffix(1);
  return s;
}

// Rails' String#blank?: only Unicode white space.
bool IsBlank(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const CodePoint cp = DecodeAt(s, i);
    if (!IsSpace(cp.value)) return false;
    i += cp.size;
  }
  return true;
}

// ---- HTML -------------------------------------------------------------------

// Percent-encodes all but RFC 3986 unreserved characters, as Rails escapes a
// path segment holding a tag name.
std::string PercentEncode(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

// Escaped plain text; line breaks become <br /> or a new paragraph, as
// Rails' simple_format does after "\r\n" and "\r" become "\n".
void AppendText(std::string& out, std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t line_end = s.find_first_of("\r\n", i);
    out += EscapeHtml(s.substr(i, line_end == kNpos ? kNpos : line_end - i));
    if (line_end == kNpos) break;
    size_t breaks = 0;
    i = line_end;
    while (i < s.size() && (s[i] == '\r' || s[i] == '\n')) {
      i += (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ? 2 : 1;
      ++breaks;
    }
    out += breaks >= 2 ? "</p><p>" : "<br />";
  }
}

// TextFormatter.shortened_link.
void AppendLink(std::string& out, std::string_view url) {
  static constexpr size_t kShownChars = 30;
  size_t prefix = 0;
  if (url.starts_with("https://")) {
    prefix = 8;
  } else if (url.starts_with("http://")) {
    prefix = 7;
  }
  if (prefix > 0 && url.substr(prefix).starts_with("www.")) prefix += 4;
  const std::string_view rest = url.substr(prefix);
  std::string_view shown = rest.substr(0, AdvanceChars(rest, kShownChars));
  std::string_view hidden = rest.substr(shown.size());
  bool cut = !hidden.empty();
  if (CountChars(hidden) == 1) {  // an ellipsis would take the place of one character
    shown = rest;
    hidden = {};
    cut = false;
  }
  out += "<a href=\"";
  out += EscapeHtml(url);
  out +=
      "\" target=\"_blank\" rel=\"nofollow noopener\" translate=\"no\"><span class=\"invisible\">";
  out += EscapeHtml(url.substr(0, prefix));
  out += cut ? "</span><span class=\"ellipsis\">" : "</span><span class=\"\">";
  out += EscapeHtml(shown);
  out += "</span><span class=\"invisible\">";
  out += EscapeHtml(hidden);
  out += "</span></a>";
}

void AppendHashtag(std::string& out, std::string_view name, std::string_view base_url) {
  out += "<a href=\"";
  out += EscapeHtml(base_url);
  out += "/tags/";
  out += PercentEncode(name);  // nothing left to escape
  out += "\" class=\"mention hashtag\" rel=\"tag\">#<span>";
  out += EscapeHtml(name);
  out += "</span></a>";
}

void AppendMention(std::string& out, const ResolvedMention& account, std::string_view shown) {
  out += "<span class=\"h-card\" translate=\"no\"><a href=\"";
  out += EscapeHtml(account.url);
  out += "\" class=\"u-url mention\">@<span>";
  out += EscapeHtml(shown);
  out += "</span></a></span>";
}

}  // namespace

ParsedStatusText ParseStatusText(std::string_view text) {
  std::vector<TextEntity> entities;
  ScanLinks(text, entities);
  ScanHashtags(text, entities);
  ScanMentions(text, entities);
  return {RemoveOverlaps(std::move(entities))};
}

std::string NormalizeTagName(std::string_view name) { return HashtagKey(name); }

std::vector<std::string> NormalizedTags(const ParsedStatusText& parsed,
                                        std::vector<std::string>* as_written) {
  std::vector<std::string> tags;
  if (as_written != nullptr) as_written->clear();
  std::unordered_set<std::string_view> seen;
  for (const TextEntity& entity : parsed.entities) {
    // A name whose key is empty (nothing in it Mastodon keeps) tags nothing.
    if (entity.kind != EntityKind::kHashtag || entity.normalized.empty() ||
        !seen.insert(entity.normalized).second) {
      continue;
    }
    tags.push_back(entity.normalized);
    if (as_written != nullptr) as_written->push_back(entity.value);
  }
  return tags;
}

std::vector<int64_t> DistinctMentionedIds(const std::vector<ResolvedMention>& mentions) {
  std::vector<int64_t> ids;
  std::unordered_set<int64_t> seen;
  for (const ResolvedMention& m : mentions) {
    if (seen.insert(m.id).second) ids.push_back(m.id);
  }
  return ids;
}

size_t CountStatusLength(std::string_view text) {
  text = StripRuby(text);
  if (IsBlank(text)) return 0;
  // StatusLengthValidator looks only at links and mentions, so a hashtag
  // never hides one from the count.
  std::vector<TextEntity> entities;
  ScanLinks(text, entities);
  ScanMentions(text, entities);
  size_t length = 0;
  size_t pos = 0;
  for (const TextEntity& entity : RemoveOverlaps(std::move(entities))) {
    length += CountGraphemes(text.substr(pos, entity.begin - pos));
    length +=
        entity.kind == EntityKind::kLink ? kCountedLinkLength : 1 + CountGraphemes(entity.value);
    pos = entity.end;
  }
  return length + CountGraphemes(text.substr(pos));
}

std::string RenderStatusHtml(std::string_view text, const ParsedStatusText& parsed,
                             const MentionResolver& resolve, std::string_view base_url,
                             std::vector<ResolvedMention>* resolved) {
  if (resolved != nullptr) resolved->clear();
  const std::string_view body = StripRuby(text);
  if (IsBlank(body)) return "";
  const size_t lo = static_cast<size_t>(body.data() - text.data());
  const size_t hi = lo + body.size();
  if (base_url.ends_with('/')) base_url.remove_suffix(1);

  // The entities that fit the text, with the account of each mention; all
  // mentions are resolved first since a clash of usernames changes how each
  // is shown.
  struct Placed {
    const TextEntity* entity;
    std::optional<ResolvedMention> account;
  };
  std::vector<Placed> placed;
  size_t last_end = lo;
  for (const TextEntity& entity : parsed.entities) {
    if (entity.begin < last_end || entity.end <= entity.begin || entity.end > hi) continue;
    last_end = entity.end;
    placed.push_back({&entity, std::nullopt});
    if (entity.kind == EntityKind::kMention && resolve) {
      placed.back().account = resolve(entity.value, entity.domain);
    }
  }

  // TextFormatter#link_to_mention shows pretty_acct when another account
  // with the same username (in any letter case) is mentioned too.
  std::unordered_map<std::string, int64_t> account_by_username;
  std::unordered_set<std::string> clashing;
  for (const Placed& p : placed) {
    if (!p.account) continue;
    const auto [it, inserted] =
        account_by_username.emplace(AsciiLower(p.account->username), p.account->id);
    if (!inserted && it->second != p.account->id) clashing.insert(it->first);
  }

  std::string out = "<p>";
  out.reserve(body.size() * 2);
  size_t pos = lo;
  for (const Placed& p : placed) {
    const TextEntity& entity = *p.entity;
    AppendText(out, text.substr(pos, entity.begin - pos));
    pos = entity.end;
    switch (entity.kind) {
      case EntityKind::kLink:
        AppendLink(out, text.substr(entity.begin, entity.end - entity.begin));
        break;
      case EntityKind::kHashtag:
        // The name is re-read from the text so the HTML always matches it.
        AppendHashtag(out, text.substr(entity.begin + 1, entity.end - entity.begin - 1), base_url);
        break;
      case EntityKind::kMention: {
        if (!p.account) {
          AppendText(out, text.substr(entity.begin, entity.end - entity.begin));
          break;
        }
        const bool show_acct =
            !p.account->acct.empty() && clashing.contains(AsciiLower(p.account->username));
        AppendMention(out, *p.account, show_acct ? p.account->acct : p.account->username);
        break;
      }
    }
  }
  AppendText(out, text.substr(pos, hi - pos));
  out += "</p>";

  if (resolved != nullptr) {
    std::unordered_set<int64_t> seen;
    for (const Placed& p : placed) {
      if (p.account && seen.insert(p.account->id).second) resolved->push_back(*p.account);
    }
  }
  return out;
}

}  // namespace chirp
