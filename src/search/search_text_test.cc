#include "search/search_text.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

TEST(SearchTextTest, CjkRunsBecomeOverlappingPairs) {
  EXPECT_EQ(IndexableText("東京タワー"), " 東京 京タ タワ ワー ー ");
  EXPECT_EQ(IndexableText("hello 東京!"), "hello  東京 京 !");
  EXPECT_EQ(IndexableText("plain text"), "plain text");
}

TEST(SearchTextTest, QueriesAreQuotedPhrases) {
  EXPECT_EQ(FtsPhrase("cats"), "\"cats\"");
  EXPECT_EQ(FtsPhrase("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(FtsPhrase("NEAR(a b)"), "\"NEAR(a b)\"");
  EXPECT_EQ(FtsPhrase("タワー"), "\" タワ ワー \"");
  EXPECT_EQ(FtsPhrase("京"), "\" 京 \" *");
  EXPECT_EQ(FtsPhrase("*^:()"), "");
}

TEST(SearchTextTest, TokensFoldCaseAndLatinDiacritics) {
  EXPECT_EQ(SearchTokens("Un Café à PARIS"),
            (std::vector<std::string>{"un", "cafe", "a", "paris"}));
  EXPECT_EQ(SearchTokens("ÉCOLE Ñandú"), (std::vector<std::string>{"ecole", "nandu"}));
  EXPECT_EQ(SearchTokens("f:g c* d^e"), (std::vector<std::string>{"f", "g", "c", "d", "e"}));
  EXPECT_TRUE(SearchTokens("*^:() \"'").empty());
}

TEST(SearchTextTest, TokensKeepTheMarksOfOtherScripts) {
  // A Devanagari vowel sign is part of its word; a Hangul syllable stays whole.
  EXPECT_EQ(SearchTokens("हिन्दी"), (std::vector<std::string>{"हिन्दी"}));
  EXPECT_EQ(SearchTokens("한국"), (std::vector<std::string>{"한국"}));
}

TEST(SearchTextTest, InvalidUtf8SeparatesTokens) {
  EXPECT_EQ(SearchTokens("ab\xff\xfe"
                         "cd"),
            (std::vector<std::string>{"ab", "cd"}));
}

TEST(SearchTextTest, TermsBecomeTheirTokensWithCjkPairs) {
  const QueryTokens word = TokensOfTerm("Cafés");
  EXPECT_EQ(word.tokens, (std::vector<std::string>{"cafes"}));
  EXPECT_FALSE(word.last_is_prefix);
  EXPECT_EQ(TokensOfTerm("タワー").tokens, (std::vector<std::string>{"タワ", "ワー"}));
  const QueryTokens lone = TokensOfTerm("京");
  EXPECT_EQ(lone.tokens, (std::vector<std::string>{"京"}));
  EXPECT_TRUE(lone.last_is_prefix);
  EXPECT_TRUE(TokensOfTerm("*^:()").tokens.empty());
}

}  // namespace
}  // namespace chirp
