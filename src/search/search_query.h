// The search query language of GET /api/v2/search, as Mastodon defines it:
// the string a user types turned into a structured SearchQuery. Nothing here
// touches the index; the index module builds its queries from the parsed
// terms (each one quoted), so no text typed reaches the index's own syntax.
//
// The language:
//  - Terms are separated by white space (Unicode's White_Space, which holds
//    the ASCII spaces, U+00A0 and U+3000). All terms must match; there is no
//    OR: "OR", "AND", "NOT" and "NEAR" are ordinary words, and the index's
//    syntax characters * ^ : ( ) { } are ordinary characters of a word.
//  - A word is a run of characters up to the next white space, kept as
//    written (case folding and diacritics are the index's business).
//  - "a phrase" is the text between double quotes, kept as written; “ ” „
//    open a phrase too, which then ends at the next of them. A quote opens a
//    phrase only where a term starts (in "don"t" it is a letter of the word);
//    the next term may start right after the closing quote. Without a closing
//    quote the phrase runs to the end of the query. A phrase of nothing but
//    white space is ignored.
//  - '-' before a word, phrase, tag or operator excludes it; '+' before one is
//    dropped (every term is required anyway). A sign followed by white space
//    or the end is ignored. Only the first sign is one: "--x" excludes "-x".
//  - "#tag" is a hashtag: the word characters (letters, marks, digits and
//    connector punctuation such as '_', in any script) right after '#',
//    lower-cased (ASCII). The rest of the word after them is dropped ("#cats!"
//    is the tag "cats"); a '#' with no word character after it is ignored.
//  - "name:value" with a known operator name (in any letter case) is an
//    operator; the value may be quoted (from:"alice"). Any other word with a
//    colon ("http://x.example", "foo:bar", "12:30") is a plain word.
//      from:     user, @user, user@domain, @user@domain or me: a username of
//                ASCII letters, digits and '_' ('.' and '-' allowed between
//                them, as remote usernames have), a domain of word characters
//                with '.' and '-' between them
//      has:      media, image, video, audio, poll, link, embed
//      is:       reply, sensitive
//      language: two or three ASCII letters (ISO 639-1 or 639-3 code)
//      before:, after:, during:  a UTC day, YYYY-MM-DD, from 1970-01-01 to
//                9999-12-31
//      in:       library, public or all
//    Values of has:, is: and in: are matched in any letter case.
//  - Negated dates (-before:, -after:, -during:) and a negated scope (-in:)
//    are rejected: "not before D" is after:, written differently.
//
// Errors: Error::Unprocessable (422) for a known operator with an empty or
// malformed value, the message naming the operator and its value (shortened,
// with control characters and ill-formed UTF-8 replaced, so it is safe to
// show), and for more than kMaxSearchTerms terms.
//
// Input: any bytes. A byte that is not part of well-formed UTF-8 is a word
// character and stays in the word or phrase it is in; so does NUL. Parsing
// takes time linear in the size of the query, does not throw (short of
// memory running out), and is pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace chirp {

// At most this many terms (words, phrases, tags and operators, excluded or
// not) in one query; ignored ones (an empty phrase, a lone sign) do not count.
inline constexpr size_t kMaxSearchTerms = 64;

// Where in:library / in:public look. kAll (the default, also in:all) is
// everything the searcher may see.
enum class SearchScope { kAll, kLibrary, kPublic };

// The has: and is: values as bits of SearchQuery's feature masks.
enum SearchFeature : uint32_t {
  kHasMedia = 1u << 0,  // any attachment
  kHasImage = 1u << 1,
  kHasVideo = 1u << 2,  // video or gifv
  kHasAudio = 1u << 3,
  kHasPoll = 1u << 4,
  kHasLink = 1u << 5,
  kHasEmbed = 1u << 6,  // a link with a preview card
  kIsReply = 1u << 7,
  kIsSensitive = 1u << 8,
};

// A parsed query. Every string in it is non-empty; lists keep the order of
// the query and keep repeats.
struct SearchQuery {
  std::vector<std::string> words;             // as written, a leading '+' dropped
  std::vector<std::string> phrases;           // the text between the quotes
  std::vector<std::string> excluded_words;    // -word, without the '-'
  std::vector<std::string> excluded_phrases;  // -"a phrase"
  std::vector<std::string> tags;              // #Tag as "tag": no '#', ASCII lower case
  std::vector<std::string> excluded_tags;     // -#tag
  // from: as "user" or "user@domain" (any domain, the server's own included;
  // the caller resolves it), ASCII lower case, without a leading '@'. "me"
  // is the searcher; from:@me means the searcher too.
  std::vector<std::string> from;
  std::vector<std::string> excluded_from;  // -from:
  uint32_t required_features = 0;          // SearchFeature bits of has: and is:
  uint32_t excluded_features = 0;          // -has: and -is:
  std::vector<std::string> languages;      // language:, ASCII lower case
  std::vector<std::string> excluded_languages;
  // Unix milliseconds: created_after_ms inclusive, created_before_ms
  // exclusive. Several date operators narrow the range (the latest lower
  // bound, the earliest upper one); the range may come out empty (after: a
  // later day than before:), which matches nothing.
  std::optional<int64_t> created_after_ms;
  std::optional<int64_t> created_before_ms;
  SearchScope scope = SearchScope::kAll;  // the last in: given

  // Whether a word, phrase or tag must match: what a text search needs.
  bool HasText() const;
  // Whether the query is the default one: no term, no operator that changes
  // anything (a lone in:all changes nothing).
  bool Empty() const;

  bool operator==(const SearchQuery&) const = default;
};

// Parses `q` (the language above). Unprocessable for a malformed value of a
// known operator, a negated date or scope, or too many terms.
Result<SearchQuery> ParseSearchQuery(std::string_view q);

}  // namespace chirp
