// Small text routines shared by the parsers and renderers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chirp {

// One decoded character: its code point and its length in bytes.
struct CodePoint {
  uint32_t value;
  size_t size;
};
// Stands for a byte that is not part of well-formed UTF-8.
inline constexpr uint32_t kInvalidCodePoint = 0xFFFFFFFF;

// The character starting at byte `i` (< s.size()): a malformed, overlong,
// surrogate or out-of-range sequence decodes as {kInvalidCodePoint, 1}.
CodePoint DecodeUtf8At(std::string_view s, size_t i);

// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates, no
// code points above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of Unicode code points in well-formed UTF-8 `s`.
size_t CountCodePoints(std::string_view s);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string EscapeHtml(std::string_view s);

// ASCII lower-casing; usernames are ASCII by validation.
std::string AsciiLower(std::string_view s);
// A language code as Mastodon takes one: two or three lower-case letters.
bool IsLanguageCode(std::string_view code);

// Trims ASCII white space at both ends.
std::string_view TrimAscii(std::string_view s);

// Whether a comma-separated header value ("keep-alive, Upgrade") lists
// `token` (lower case), in any case.
bool HeaderListsToken(std::string_view value, std::string_view token);

// An id as the API writes it: a positive decimal integer of at most 19
// digits. nullopt for anything else, so a malformed id reads as unknown.
std::optional<int64_t> ParseId(std::string_view text);

// Plain text to the HTML Mastodon stores for notes: escaped, paragraphs on
// blank lines, <br /> on single line breaks. Empty text gives "".
std::string PlainTextToHtml(std::string_view s);

}  // namespace chirp
