#include "search/search_query.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chirp {
namespace {

using Strings = std::vector<std::string>;

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t k2024_01_15 = 1'705'276'800'000;  // 2024-01-15T00:00:00Z

// The query `q` parses to; a failure is reported and gives the empty query.
SearchQuery Parsed(std::string_view q) {
  Result<SearchQuery> parsed = ParseSearchQuery(q);
  EXPECT_TRUE(parsed.ok()) << "\"" << q << "\": " << parsed.error().message;
  return parsed.ok() ? std::move(parsed).value() : SearchQuery{};
}

// The message of the 422 `q` is refused with; "" when it parses.
std::string RefusalOf(std::string_view q) {
  Result<SearchQuery> parsed = ParseSearchQuery(q);
  if (parsed.ok()) {
    ADD_FAILURE() << "\"" << q << "\" parsed";
    return "";
  }
  EXPECT_EQ(parsed.error().code, ErrorCode::kUnprocessable) << q;
  return parsed.error().message;
}

// --- Words ---------------------------------------------------------------

TEST(ParseSearchQueryTest, EmptyQueryIsEmpty) {
  const SearchQuery query = Parsed("");
  EXPECT_TRUE(query.Empty());
  EXPECT_FALSE(query.HasText());
  EXPECT_TRUE(Parsed(" \t\n ").Empty());
}

TEST(ParseSearchQueryTest, WhiteSpaceSeparatesWords) {
  EXPECT_EQ(Parsed("  cats \t and\ndogs  ").words, (Strings{"cats", "and", "dogs"}));
}

TEST(ParseSearchQueryTest, UnicodeSpacesSeparateWords) {
  // U+00A0 no-break space, U+3000 ideographic space, U+2003 em space.
  EXPECT_EQ(Parsed("cats\u00A0dogs\u3000東京\u2003tower").words,
            (Strings{"cats", "dogs", "東京", "tower"}));
}

TEST(ParseSearchQueryTest, WordsKeepTheirCaseAndAccents) {
  EXPECT_EQ(Parsed("Café ÉCOLE").words, (Strings{"Café", "ÉCOLE"}));
}

TEST(ParseSearchQueryTest, BooleanWordsAreOrdinaryWords) {
  EXPECT_EQ(Parsed("cats OR dogs AND NOT birds NEAR fish").words,
            (Strings{"cats", "OR", "dogs", "AND", "NOT", "birds", "NEAR", "fish"}));
}

TEST(ParseSearchQueryTest, IndexSyntaxCharactersStayInWords) {
  EXPECT_EQ(Parsed("ca* ^dog a:b (x) {y} NEAR(a,b)").words,
            (Strings{"ca*", "^dog", "a:b", "(x)", "{y}", "NEAR(a,b)"}));
}

TEST(ParseSearchQueryTest, PlusBeforeAWordIsDropped) {
  EXPECT_EQ(Parsed("+cats +dogs").words, (Strings{"cats", "dogs"}));
}

TEST(ParseSearchQueryTest, MinusExcludesAWord) {
  const SearchQuery query = Parsed("cats -dogs");
  EXPECT_EQ(query.words, Strings{"cats"});
  EXPECT_EQ(query.excluded_words, Strings{"dogs"});
}

TEST(ParseSearchQueryTest, MinusInsideAWordIsPartOfIt) {
  EXPECT_EQ(Parsed("e-mail well-known").words, (Strings{"e-mail", "well-known"}));
}

TEST(ParseSearchQueryTest, LoneSignsAreIgnored) {
  EXPECT_TRUE(Parsed("- + -").Empty());
  EXPECT_EQ(Parsed("cats - dogs +").words, (Strings{"cats", "dogs"}));
}

TEST(ParseSearchQueryTest, OnlyTheFirstSignIsASign) {
  EXPECT_EQ(Parsed("--cats").excluded_words, Strings{"-cats"});
  EXPECT_EQ(Parsed("+-cats").words, Strings{"-cats"});
}

TEST(ParseSearchQueryTest, RepeatedWordsAreKeptInOrder) {
  EXPECT_EQ(Parsed("b a b").words, (Strings{"b", "a", "b"}));
}

// --- Phrases -------------------------------------------------------------

TEST(ParseSearchQueryTest, QuotedTextIsAPhrase) {
  const SearchQuery query = Parsed("cats \"black and white\" dogs");
  EXPECT_EQ(query.phrases, Strings{"black and white"});
  EXPECT_EQ(query.words, (Strings{"cats", "dogs"}));
}

TEST(ParseSearchQueryTest, PhraseKeepsItsTextAsWritten) {
  EXPECT_EQ(Parsed("\"  Two  Spaces \"").phrases, Strings{"  Two  Spaces "});
}

TEST(ParseSearchQueryTest, TypographicQuotesMakeAPhrase) {
  EXPECT_EQ(Parsed("“black cat” „schwarze Katze“").phrases,
            (Strings{"black cat", "schwarze Katze"}));
}

TEST(ParseSearchQueryTest, PhraseEndsOnlyAtItsOwnKindOfQuote) {
  EXPECT_EQ(Parsed("\"say “hi” now\"").phrases, Strings{"say “hi” now"});
  EXPECT_EQ(Parsed("“say \"hi\" now”").phrases, Strings{"say \"hi\" now"});
}

TEST(ParseSearchQueryTest, UnbalancedQuoteTakesTheRestAsAPhrase) {
  const SearchQuery query = Parsed("cats \"black and white");
  EXPECT_EQ(query.words, Strings{"cats"});
  EXPECT_EQ(query.phrases, Strings{"black and white"});
  EXPECT_EQ(Parsed("“open ended").phrases, Strings{"open ended"});
}

TEST(ParseSearchQueryTest, EmptyOrBlankPhraseIsIgnored) {
  EXPECT_TRUE(Parsed("\"\"").Empty());
  EXPECT_TRUE(Parsed("\"   \"").Empty());
  EXPECT_TRUE(Parsed("-\"\"").Empty());
  EXPECT_TRUE(Parsed("\"").Empty());
  EXPECT_TRUE(Parsed("“”").Empty());
}

TEST(ParseSearchQueryTest, MinusExcludesAPhrase) {
  const SearchQuery query = Parsed("-\"black cat\" +\"white cat\"");
  EXPECT_EQ(query.excluded_phrases, Strings{"black cat"});
  EXPECT_EQ(query.phrases, Strings{"white cat"});
}

TEST(ParseSearchQueryTest, QuoteInsideAWordIsPartOfIt) {
  EXPECT_EQ(Parsed("don\"t stop").words, (Strings{"don\"t", "stop"}));
}

TEST(ParseSearchQueryTest, NextTermMayStartRightAfterAPhrase) {
  const SearchQuery query = Parsed("\"black cat\"dogs \"a\"-fish\"b\"");
  EXPECT_EQ(query.phrases, (Strings{"black cat", "a"}));
  EXPECT_EQ(query.words, Strings{"dogs"});
  EXPECT_EQ(query.excluded_words, Strings{"fish\"b\""});
}

TEST(ParseSearchQueryTest, IndexSyntaxCharactersStayInPhrases) {
  EXPECT_EQ(Parsed("\"a* OR (b) NEAR c:d\"").phrases, Strings{"a* OR (b) NEAR c:d"});
}

// --- Tags ----------------------------------------------------------------

TEST(ParseSearchQueryTest, HashtagIsATagWithoutHashLowercased) {
  const SearchQuery query = Parsed("#Cats #tag_2024");
  EXPECT_EQ(query.tags, (Strings{"cats", "tag_2024"}));
  EXPECT_TRUE(query.words.empty());
  EXPECT_TRUE(query.HasText());
}

TEST(ParseSearchQueryTest, TagKeepsLettersOfAnyScript) {
  EXPECT_EQ(Parsed("#日本語 #Café").tags, (Strings{"日本語", "café"}));
}

TEST(ParseSearchQueryTest, TagStopsAtOtherCharactersAndDropsTheRest) {
  const SearchQuery query = Parsed("#cats! #dogs-and-birds #fish.");
  EXPECT_EQ(query.tags, (Strings{"cats", "dogs", "fish"}));
  EXPECT_TRUE(query.words.empty());
}

TEST(ParseSearchQueryTest, HashWithoutTagCharactersIsIgnored) {
  EXPECT_TRUE(Parsed("# -# #! +#").Empty());
}

TEST(ParseSearchQueryTest, MinusExcludesATag) {
  const SearchQuery query = Parsed("-#Spoilers +#news");
  EXPECT_EQ(query.excluded_tags, Strings{"spoilers"});
  EXPECT_EQ(query.tags, Strings{"news"});
}

TEST(ParseSearchQueryTest, HashInsideAWordIsPartOfIt) {
  EXPECT_EQ(Parsed("C# F#").words, (Strings{"C#", "F#"}));
}

// --- from: ---------------------------------------------------------------

TEST(ParseSearchQueryTest, FromTakesUsernamesInTheirForms) {
  EXPECT_EQ(Parsed("from:Alice from:@bob from:carol@Remote.Example from:@dave@chirp.example").from,
            (Strings{"alice", "bob", "carol@remote.example", "dave@chirp.example"}));
}

TEST(ParseSearchQueryTest, FromMeIsKeptAsMe) {
  EXPECT_EQ(Parsed("from:me from:ME from:@me").from, (Strings{"me", "me", "me"}));
}

TEST(ParseSearchQueryTest, FromAcceptsDotsAndHyphensInsideNames) {
  EXPECT_EQ(Parsed("from:first.last@sub-domain.example").from,
            Strings{"first.last@sub-domain.example"});
}

TEST(ParseSearchQueryTest, FromValueMayBeQuoted) {
  EXPECT_EQ(Parsed("from:\"alice\"").from, Strings{"alice"});
}

TEST(ParseSearchQueryTest, MinusExcludesAnAuthor) {
  const SearchQuery query = Parsed("-from:alice");
  EXPECT_EQ(query.excluded_from, Strings{"alice"});
  EXPECT_TRUE(query.from.empty());
  EXPECT_FALSE(query.HasText());
  EXPECT_FALSE(query.Empty());
}

TEST(ParseSearchQueryTest, FromRefusesWhatIsNoAccount) {
  const std::string expected = "not an account; expected user, @user, user@domain or me";
  EXPECT_EQ(RefusalOf("from:bad!name"), "from:bad!name: " + expected);
  EXPECT_EQ(RefusalOf("from:@"), "from:@: " + expected);
  EXPECT_EQ(RefusalOf("from:alice@"), "from:alice@: " + expected);
  EXPECT_EQ(RefusalOf("from:@@alice"), "from:@@alice: " + expected);
  EXPECT_EQ(RefusalOf("from:.alice"), "from:.alice: " + expected);
  EXPECT_EQ(RefusalOf("from:alice@.example"), "from:alice@.example: " + expected);
  EXPECT_EQ(RefusalOf("from:\"alice smith\""), "from:alice smith: " + expected);
  EXPECT_EQ(RefusalOf("from:alice@host\xff"), "from:alice@host\uFFFD: " + expected);
}

// --- Operators in general -------------------------------------------------

TEST(ParseSearchQueryTest, OperatorNamesAreCaseInsensitive) {
  const SearchQuery query = Parsed("FROM:alice Has:Poll LANGUAGE:EN In:Library");
  EXPECT_EQ(query.from, Strings{"alice"});
  EXPECT_EQ(query.required_features, kHasPoll);
  EXPECT_EQ(query.languages, Strings{"en"});
  EXPECT_EQ(query.scope, SearchScope::kLibrary);
}

TEST(ParseSearchQueryTest, OperatorWithoutValueIsRefused) {
  EXPECT_EQ(RefusalOf("from: alice"), "from: needs a value");
  EXPECT_EQ(RefusalOf("cats has:"), "has: needs a value");
  EXPECT_EQ(RefusalOf("-language:"), "language: needs a value");
  EXPECT_EQ(RefusalOf("before:\"\""), "before: needs a value");
  EXPECT_EQ(RefusalOf("in:"), "in: needs a value");
}

TEST(ParseSearchQueryTest, UnknownNamesWithAColonAreWords) {
  const SearchQuery query = Parsed("http://example.com foo:bar 12:30 :x fromage:blue");
  EXPECT_EQ(query.words, (Strings{"http://example.com", "foo:bar", "12:30", ":x", "fromage:blue"}));
  EXPECT_TRUE(query.from.empty());
}

TEST(ParseSearchQueryTest, ExcludedUnknownNameIsAnExcludedWord) {
  EXPECT_EQ(Parsed("-foo:bar").excluded_words, Strings{"foo:bar"});
}

TEST(ParseSearchQueryTest, RefusalShowsAShortenedSafeValue) {
  const std::string message = RefusalOf("has:" + std::string(1000, 'x') + "\x01");
  EXPECT_EQ(message.substr(0, 4 + 40 + 3), "has:" + std::string(40, 'x') + "…");
  EXPECT_EQ(RefusalOf(std::string("is:a\0b", 6)).substr(0, 8), "is:a\uFFFDb");
}

// --- has: and is: ---------------------------------------------------------

TEST(ParseSearchQueryTest, HasAndIsSetFeatureBits) {
  const SearchQuery query = Parsed(
      "has:media has:image has:video has:audio has:poll has:link has:embed is:reply "
      "is:sensitive");
  EXPECT_EQ(query.required_features,
            uint32_t{kHasMedia | kHasImage | kHasVideo | kHasAudio | kHasPoll | kHasLink |
                     kHasEmbed | kIsReply | kIsSensitive});
  EXPECT_EQ(query.excluded_features, 0u);
}

TEST(ParseSearchQueryTest, MinusExcludesAFeature) {
  const SearchQuery query = Parsed("-is:reply has:MEDIA -has:poll");
  EXPECT_EQ(query.required_features, uint32_t{kHasMedia});
  EXPECT_EQ(query.excluded_features, uint32_t{kIsReply | kHasPoll});
}

TEST(ParseSearchQueryTest, HasRefusesUnknownValues) {
  EXPECT_EQ(RefusalOf("has:banana"),
            "has:banana: unknown value; expected one of media, image, video, audio, poll, link, "
            "embed");
  EXPECT_EQ(RefusalOf("has:reply"),
            "has:reply: unknown value; expected one of media, image, video, audio, poll, link, "
            "embed");
}

TEST(ParseSearchQueryTest, IsRefusesUnknownValues) {
  EXPECT_EQ(RefusalOf("is:media"), "is:media: unknown value; expected one of reply, sensitive");
}

// --- language: -------------------------------------------------------------

TEST(ParseSearchQueryTest, LanguageTakesTwoOrThreeLettersLowercased) {
  const SearchQuery query = Parsed("language:EN language:fra -language:de");
  EXPECT_EQ(query.languages, (Strings{"en", "fra"}));
  EXPECT_EQ(query.excluded_languages, Strings{"de"});
}

TEST(ParseSearchQueryTest, LanguageRefusesOtherCodes) {
  const std::string expected = "not a language code; expected two or three letters, such as en";
  EXPECT_EQ(RefusalOf("language:e"), "language:e: " + expected);
  EXPECT_EQ(RefusalOf("language:english"), "language:english: " + expected);
  EXPECT_EQ(RefusalOf("language:zh-TW"), "language:zh-TW: " + expected);
  EXPECT_EQ(RefusalOf("language:e1"), "language:e1: " + expected);
  EXPECT_EQ(RefusalOf("language:é"), "language:é: " + expected);
}

// --- Dates ----------------------------------------------------------------

TEST(ParseSearchQueryTest, BeforeEndsAtTheStartOfTheDay) {
  const SearchQuery query = Parsed("before:2024-01-15");
  EXPECT_EQ(query.created_before_ms, k2024_01_15);
  EXPECT_FALSE(query.created_after_ms.has_value());
}

TEST(ParseSearchQueryTest, AfterStartsTheDayAfter) {
  const SearchQuery query = Parsed("after:2024-01-15");
  EXPECT_EQ(query.created_after_ms, k2024_01_15 + kDayMs);
  EXPECT_FALSE(query.created_before_ms.has_value());
}

TEST(ParseSearchQueryTest, DuringCoversTheDay) {
  const SearchQuery query = Parsed("during:2024-01-15");
  EXPECT_EQ(query.created_after_ms, k2024_01_15);
  EXPECT_EQ(query.created_before_ms, k2024_01_15 + kDayMs);
}

TEST(ParseSearchQueryTest, DateBoundsCombineToTheNarrowest) {
  const SearchQuery query = Parsed(
      "after:2024-01-01 before:2024-02-01 during:2024-01-15 after:2023-06-01 "
      "before:2024-03-01");
  EXPECT_EQ(query.created_after_ms, k2024_01_15);
  EXPECT_EQ(query.created_before_ms, k2024_01_15 + kDayMs);
}

TEST(ParseSearchQueryTest, ContradictoryDatesGiveAnEmptyRange) {
  const SearchQuery query = Parsed("after:2024-01-15 before:2024-01-15");
  ASSERT_TRUE(query.created_after_ms && query.created_before_ms);
  EXPECT_GE(*query.created_after_ms, *query.created_before_ms);
}

TEST(ParseSearchQueryTest, DatesAtTheEdgesOfTheRange) {
  EXPECT_EQ(Parsed("during:1970-01-01").created_after_ms, 0);
  EXPECT_EQ(Parsed("before:9999-12-31").created_before_ms, int64_t{253'402'214'400'000});
  EXPECT_EQ(Parsed("before:2024-02-29").created_before_ms, k2024_01_15 + 45 * kDayMs);
  EXPECT_EQ(Parsed("before:\"2024-01-15\"").created_before_ms, k2024_01_15);
}

TEST(ParseSearchQueryTest, DatesRefuseAnythingButADay) {
  const std::string expected = "not a date; expected YYYY-MM-DD from 1970-01-01 to 9999-12-31";
  EXPECT_EQ(RefusalOf("before:2023-02-30"), "before:2023-02-30: " + expected);
  EXPECT_EQ(RefusalOf("after:2023-02-29"), "after:2023-02-29: " + expected);
  EXPECT_EQ(RefusalOf("during:2023-13-01"), "during:2023-13-01: " + expected);
  EXPECT_EQ(RefusalOf("during:2023-00-10"), "during:2023-00-10: " + expected);
  EXPECT_EQ(RefusalOf("during:2023-01-00"), "during:2023-01-00: " + expected);
  EXPECT_EQ(RefusalOf("before:1969-12-31"), "before:1969-12-31: " + expected);
  EXPECT_EQ(RefusalOf("before:2024-1-5"), "before:2024-1-5: " + expected);
  EXPECT_EQ(RefusalOf("before:2024-01-15T10:00:00Z"), "before:2024-01-15T10:00:00Z: " + expected);
  EXPECT_EQ(RefusalOf("before:+024-01-15"), "before:+024-01-15: " + expected);
  EXPECT_EQ(RefusalOf("before:yesterday"), "before:yesterday: " + expected);
  EXPECT_EQ(RefusalOf("before:2024/01/15"), "before:2024/01/15: " + expected);
}

TEST(ParseSearchQueryTest, ExcludedDatesAreRefused) {
  EXPECT_EQ(RefusalOf("-before:2024-01-15"), "-before:2024-01-15: a date cannot be excluded");
  EXPECT_EQ(RefusalOf("-after:2024-01-15"), "-after:2024-01-15: a date cannot be excluded");
  EXPECT_EQ(RefusalOf("-during:2024-01-15"), "-during:2024-01-15: a date cannot be excluded");
}

// --- in: ------------------------------------------------------------------

TEST(ParseSearchQueryTest, InSetsTheScope) {
  EXPECT_EQ(Parsed("in:library").scope, SearchScope::kLibrary);
  EXPECT_EQ(Parsed("in:public").scope, SearchScope::kPublic);
  EXPECT_EQ(Parsed("in:all").scope, SearchScope::kAll);
  EXPECT_EQ(Parsed("cats").scope, SearchScope::kAll);
}

TEST(ParseSearchQueryTest, LastScopeWins) {
  EXPECT_EQ(Parsed("in:library in:public").scope, SearchScope::kPublic);
  EXPECT_TRUE(Parsed("in:library in:all").Empty());
}

TEST(ParseSearchQueryTest, InRefusesOtherScopesAndExclusion) {
  EXPECT_EQ(RefusalOf("in:home"), "in:home: unknown value; expected one of library, public, all");
  EXPECT_EQ(RefusalOf("-in:library"), "-in:library: a scope cannot be excluded");
}

// --- The query as a whole ------------------------------------------------

TEST(ParseSearchQueryTest, MixedQueryFillsEveryPart) {
  const SearchQuery query = Parsed(
      "cats \"black cat\" -dogs -\"wet dog\" #Pets -#ads from:alice -from:bob has:media "
      "-is:sensitive language:en -language:de after:2024-01-01 before:2024-02-01 in:public");
  EXPECT_EQ(query.words, Strings{"cats"});
  EXPECT_EQ(query.phrases, Strings{"black cat"});
  EXPECT_EQ(query.excluded_words, Strings{"dogs"});
  EXPECT_EQ(query.excluded_phrases, Strings{"wet dog"});
  EXPECT_EQ(query.tags, Strings{"pets"});
  EXPECT_EQ(query.excluded_tags, Strings{"ads"});
  EXPECT_EQ(query.from, Strings{"alice"});
  EXPECT_EQ(query.excluded_from, Strings{"bob"});
  EXPECT_EQ(query.required_features, uint32_t{kHasMedia});
  EXPECT_EQ(query.excluded_features, uint32_t{kIsSensitive});
  EXPECT_EQ(query.languages, Strings{"en"});
  EXPECT_EQ(query.excluded_languages, Strings{"de"});
  EXPECT_TRUE(query.created_after_ms.has_value());
  EXPECT_TRUE(query.created_before_ms.has_value());
  EXPECT_EQ(query.scope, SearchScope::kPublic);
}

TEST(ParseSearchQueryTest, HasTextOnlyForPositiveWordsPhrasesAndTags) {
  EXPECT_TRUE(Parsed("cats").HasText());
  EXPECT_TRUE(Parsed("\"a cat\"").HasText());
  EXPECT_TRUE(Parsed("#cats").HasText());
  EXPECT_FALSE(Parsed("-cats -\"a cat\" -#cats from:alice has:poll").HasText());
}

TEST(ParseSearchQueryTest, EmptyOnlyWithoutTermsOrOperators) {
  EXPECT_FALSE(Parsed("-cats").Empty());
  EXPECT_FALSE(Parsed("has:poll").Empty());
  EXPECT_FALSE(Parsed("-is:reply").Empty());
  EXPECT_FALSE(Parsed("language:en").Empty());
  EXPECT_FALSE(Parsed("before:2024-01-01").Empty());
  EXPECT_FALSE(Parsed("in:library").Empty());
  EXPECT_TRUE(Parsed("in:all").Empty());
}

TEST(ParseSearchQueryTest, SixtyFourTermsAreAccepted) {
  std::string q;
  for (int i = 0; i < 60; ++i) q += "w" + std::to_string(i) + " ";
  q += "\"a phrase\" #tag from:alice has:poll";
  EXPECT_EQ(Parsed(q).words.size(), 60u);
}

TEST(ParseSearchQueryTest, MoreThanSixtyFourTermsAreRefused) {
  std::string q;
  for (int i = 0; i < 64; ++i) q += "w ";
  EXPECT_EQ(Parsed(q).words.size(), 64u);
  EXPECT_EQ(RefusalOf(q + "in:all"), "too many terms: a search holds at most 64");
  EXPECT_EQ(RefusalOf(q + "-x"), "too many terms: a search holds at most 64");
}

TEST(ParseSearchQueryTest, IgnoredTermsDoNotCount) {
  std::string q;
  for (int i = 0; i < 64; ++i) q += "w - \"\" # ";
  EXPECT_EQ(Parsed(q).words.size(), 64u);
}

// --- Hostile input --------------------------------------------------------

TEST(ParseSearchQueryTest, InvalidUtf8StaysInWords) {
  const SearchQuery query = Parsed("ca\xfft \xc3 \xe2\x80 #ab\xffz");
  EXPECT_EQ(query.words, (Strings{"ca\xfft", "\xc3", "\xe2\x80"}));
  EXPECT_EQ(query.tags, Strings{"ab"});
}

TEST(ParseSearchQueryTest, TruncatedTypographicQuoteIsAWord) {
  EXPECT_EQ(Parsed("\xe2\x80").words, Strings{"\xe2\x80"});
}

TEST(ParseSearchQueryTest, NulBytesAreWordCharacters) {
  const std::string q("a\0b \"c\0d\"", 9);
  const SearchQuery query = Parsed(q);
  EXPECT_EQ(query.words, Strings{std::string("a\0b", 3)});
  EXPECT_EQ(query.phrases, Strings{std::string("c\0d", 3)});
}

TEST(ParseSearchQueryTest, LongInputParses) {
  const std::string word(1 << 20, 'x');
  EXPECT_EQ(Parsed(word).words, Strings{word});
  EXPECT_EQ(Parsed("\"" + word).phrases, Strings{word});
  EXPECT_TRUE(Parsed(std::string(1 << 20, ' ')).Empty());
  EXPECT_EQ(RefusalOf(std::string(1 << 20, 'w') + std::string(1 << 20, ' ') +
                      [] {
                        std::string many;
                        for (int i = 0; i < 1000; ++i) many += "w ";
                        return many;
                      }()),
            "too many terms: a search holds at most 64");
}

}  // namespace
}  // namespace chirp
