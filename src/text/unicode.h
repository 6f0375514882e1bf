// The Unicode facts status text needs, from ICU: the character classes of
// the Ruby regular expressions Mastodon matches entities with, grapheme
// clusters as its length counts them, and the key hashtags are matched by.
//
// Ruby's POSIX brackets on Unicode text (Onigmo) are defined by general
// category: [[:word:]] is Letter, Mark, Decimal_Number and
// Connector_Punctuation; [[:alpha:]] is Letter and Mark; [[:alnum:]] is
// Letter, Mark and Decimal_Number. White space is Unicode's White_Space.
//
// Every function is pure and thread-safe. Code points are Unicode scalar
// values; anything else (kInvalidCodePoint for a malformed byte) belongs to
// no class.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace chirp {

bool IsWordChar(uint32_t c);        // [[:word:]]
bool IsAlphaChar(uint32_t c);       // [[:alpha:]]
bool IsAlnumChar(uint32_t c);       // [[:alnum:]]
bool IsWhiteSpaceChar(uint32_t c);  // \p{White_Space}

// Extended grapheme clusters (UAX #29, the Unicode version of the ICU
// linked) in UTF-8 `text`: what Ruby's String#grapheme_clusters yields and
// Mastodon's length validator counts. A flag, a skin-toned or ZWJ emoji
// sequence, a letter with combining marks, a Hangul syllable written in jamo
// and "\r\n" each count once. An ill-formed byte sequence counts as one
// cluster per replacement character ICU reads it as.
size_t CountGraphemeClusters(std::string_view text);

// The key a hashtag name is matched by, as Mastodon's HashtagNormalizer
// makes it: NFKC (fullwidth letters become ASCII), then lower case with
// Unicode's full mapping (İ becomes "i" and a combining dot), then accented
// Latin letters of Latin-1 and Latin Extended-A folded to their ASCII base
// letter (Mastodon's ASCIIFolding: "café" is "cafe"; æ, ß, þ, ĳ and œ stay),
// then every character dropped that is not [[:alnum:]], a Thai mark
// U+0E47-U+0E4E or a hashtag separator (_ U+00B7 U+30FB U+200C). Any input
// is accepted; the key may be empty.
std::string HashtagKey(std::string_view name);

}  // namespace chirp
