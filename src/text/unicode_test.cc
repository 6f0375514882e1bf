#include "text/unicode.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace chirp {
namespace {

// Text people write, with the clusters Ruby's String#grapheme_clusters
// yields for it (and so Mastodon's length): extended grapheme clusters.
TEST(CountGraphemeClusters, CountsWhatAPersonSeesAsOneCharacter) {
  const std::pair<std::string, size_t> corpus[] = {
      {"", 0},
      {"hello", 5},
      {"a\r\nb", 3},                            // CR LF is one
      {"a\n\rb", 4},                            // LF CR is two
      {"e\xCC\x81", 1},                         // e + combining acute
      {"\xC3\xA9", 1},                          // é precomposed
      {"a\xCC\x81\xCC\xA7\xCC\x8A", 1},         // three marks on one letter
      {"\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD", 1},  // thumbs up, skin tone
      {"\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7\xE2\x80\x8D"
       "\xF0\x9F\x91\xA6",
       1},                                                                  // family: ZWJ sequence
      {"\xF0\x9F\x8F\xB3\xEF\xB8\x8F\xE2\x80\x8D\xF0\x9F\x8C\x88", 1},      // rainbow flag
      {"\xF0\x9F\x91\xA9\xF0\x9F\x8F\xBE\xE2\x80\x8D\xF0\x9F\x92\xBB", 1},  // technologist, tone
      {"\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA", 1},                              // DE flag
      {"\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7", 2},  // DE FR
      {"\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA\xF0\x9F\x87\xAB", 2},  // a flag and a lone indicator
      {"\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xB3\xF3\xA0\x81\xA3"
       "\xF3\xA0\x81\xB4\xF3\xA0\x81\xBF",
       1},                                                      // Scotland: tag sequence
      {"1\xEF\xB8\x8F\xE2\x83\xA3", 1},                         // keycap 1
      {"\xE2\x9D\xA4\xEF\xB8\x8F", 1},                          // heart, emoji presentation
      {"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 3},              // 日本語
      {"\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4", 3},              // 한국어, syllables
      {"\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB", 1},              // 한 in jamo: L V T
      {"\xD8\xA7\xD9\x84\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85", 6},  // السلام
      {"\xD9\x85\xD9\x8E\xD8\xB1\xD9\x92\xD8\xAD\xD9\x8E\xD8\xA8\xD9\x8B\xD8\xA7", 5},  // vowelled
      {"\xD7\xA9\xD6\xB8\xD7\x9C\xD7\x95\xD6\xB9\xD7\x9D", 4},  // שָׁלוֹם with points
      // नमस्ते: स्ते is one conjunct by Unicode 15.1's rule for Indic scripts,
      // which ICU 72 applies (a Ruby on Unicode 15.0 counts 4).
      {"\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87", 3},
      {"\xE0\xB8\x81\xE0\xB9\x88\xE0\xB8\xB3", 1},  // Thai: ko, tone mark, sara am
  };
  for (const auto& [text, clusters] : corpus) {
    EXPECT_EQ(CountGraphemeClusters(text), clusters) << text;
  }
}

TEST(CharacterClasses, FollowRubysPosixBracketsOnUnicodeText) {
  EXPECT_TRUE(IsWordChar(0xE9));     // é
  EXPECT_TRUE(IsWordChar(0x65E5));   // 日
  EXPECT_TRUE(IsWordChar(0x0301));   // a combining mark
  EXPECT_TRUE(IsWordChar(0x0663));   // Arabic-Indic digit three
  EXPECT_TRUE(IsWordChar(0x203F));   // undertie: connector punctuation
  EXPECT_FALSE(IsWordChar(0x2019));  // right single quotation mark
  EXPECT_FALSE(IsWordChar(0x1F600));
  EXPECT_FALSE(IsWordChar(0x30FB));  // katakana middle dot
  EXPECT_FALSE(IsWordChar(0xFFFFFFFF));
  EXPECT_TRUE(IsAlphaChar(0x05D0));  // א
  EXPECT_TRUE(IsAlphaChar(0x093F));  // Devanagari vowel sign: a mark
  EXPECT_FALSE(IsAlphaChar(0x0663));
  EXPECT_FALSE(IsAlphaChar(0x203F));
  EXPECT_TRUE(IsAlnumChar(0x0663));
  EXPECT_FALSE(IsAlnumChar(0x203F));
  EXPECT_TRUE(IsWhiteSpaceChar(0x3000));
  EXPECT_TRUE(IsWhiteSpaceChar(0x00A0));
  EXPECT_FALSE(IsWhiteSpaceChar(0x200B));  // zero width space is not White_Space
}

TEST(HashtagKey, MatchesNamesAsMastodonsNormalizerDoes) {
  const std::pair<std::string, std::string> cases[] = {
      {"Release", "release"},
      {"tag_2024", "tag_2024"},
      {"caf\xC3\xA9", "cafe"},             // café: accents folded
      {"cafe\xCC\x81", "cafe"},            // e + combining acute
      {"CAF\xC3\x89", "cafe"},             // CAFÉ
      {"\xEF\xBC\xA1\xEF\xBC\xA9", "ai"},  // fullwidth ＡＩ
      {"Stra\xC3\x9F"
       "e",
       "stra\xC3\x9F"
       "e"},                           // ß stays
      {"\xC3\x86sir", "\xC3\xA6sir"},  // Æ lowered, not folded
      {"\xC5\x81\xC3\xB3"
       "d\xC5\xBA",
       "lodz"},                                             // Łódź
      {"\xC4\xB0stanbul", "i\xCC\x87stanbul"},              // İ: i and a combining dot
      {"\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0",  // Москва
       "\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0"},
      {"\xCE\x91\xCE\x98\xCE\x97\xCE\x9D\xCE\x91",  // ΑΘΗΝΑ
       "\xCE\xB1\xCE\xB8\xCE\xB7\xCE\xBD\xCE\xB1"},
      {"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"},
      {"\xEF\xBD\xB6\xEF\xBE\x80\xEF\xBD\xB6\xEF\xBE\x85",  // halfwidth ｶﾀｶﾅ
       "\xE3\x82\xAB\xE3\x82\xBF\xE3\x82\xAB\xE3\x83\x8A"},
      {"a\xC2\xB7"
       "b",
       "a\xC2\xB7"
       "b"},                      // a separator stays
      {"with-dash", "withdash"},  // not alnum: dropped
      {"", ""},
  };
  for (const auto& [name, key] : cases) EXPECT_EQ(HashtagKey(name), key) << name;
}

}  // namespace
}  // namespace chirp
