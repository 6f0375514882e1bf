// Text as the search index holds and matches it. The index's tokenizer
// (SQLite FTS5's unicode61, diacritics removed) folds case and accents and
// splits text at everything that is not a letter, a mark or a digit; what it
// cannot do is split text written without spaces (Chinese, Japanese, Korean
// runs). So text is prepared before it reaches the index: each run of
// ideographs, kana or hangul becomes its overlapping pairs of characters,
// "東京タワー" becoming "東京 京タ タワ ワー ー" (the last character alone,
// so that a one-character search finds it at every position), and a query
// prepared the same way finds any substring of such a run.
//
// Queries are built here from parsed terms only: every term is a quoted
// string, so nothing a user types is read as the index's query syntax.
//
// An index without that tokenizer (PostgreSQL's, search/pg_search_index.h)
// is handed the tokens themselves, made here the same way: SearchTokens
// for what it holds, QueryTokens for what a term looks for.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chirp {

// `text` as the index receives it: unchanged, except that runs of CJK
// characters are turned into overlapping pairs. Invalid UTF-8 is kept as
// it is (the tokenizer treats it as separators).
std::string IndexableText(std::string_view text);

// The FTS5 expression matching `term` (a word or a phrase as typed): a
// quoted phrase of its tokens, with CJK runs as the pairs IndexableText
// makes, and a lone CJK character as a prefix. Empty when the term has no
// letter or digit at all (it matches nothing to search for).
std::string FtsPhrase(std::string_view term);

// The tokens of `text` (already through IndexableText), in order: the runs
// of letters, digits and marks, case folded, Latin diacritics removed
// ("Café" and "cafe" are one token). What is not a letter, a digit or a
// mark separates tokens.
std::vector<std::string> SearchTokens(std::string_view text);

// What a term (a word or a phrase as typed) looks for: its tokens, in order
// (a phrase), CJK runs as the pairs IndexableText makes; when
// `last_is_prefix`, the last token is a lone CJK character, matched as the
// start of a token. No tokens when the term has no letter or digit.
struct QueryTokens {
  std::vector<std::string> tokens;
  bool last_is_prefix = false;
};
QueryTokens TokensOfTerm(std::string_view term);

}  // namespace chirp
