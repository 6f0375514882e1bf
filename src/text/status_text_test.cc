#include "text/status_text.h"

#include <gtest/gtest.h>

#include <random>
#include <utility>

#include "core/text.h"

namespace chirp {
namespace {

using Strings = std::vector<std::string>;

constexpr std::string_view kBase = "https://chirp.example";

// Knows local alice, remote bob and a remote alice whose username clashes.
std::optional<ResolvedMention> TestResolver(std::string_view username, std::string_view domain) {
  const std::string user = AsciiLower(username);
  if (user == "alice" && domain.empty()) {
    return ResolvedMention{1, "alice", "https://chirp.example/@alice"};
  }
  if (user == "bob" && domain == "remote.example") {
    return ResolvedMention{2, "bob", "https://remote.example/@bob", "bob@remote.example"};
  }
  if (user == "alice" && domain == "remote.example") {
    return ResolvedMention{3, "alice", "https://remote.example/@alice", "alice@remote.example"};
  }
  return std::nullopt;
}

// Each entity as written: "@user", "@user@domain", "#name" or the URL.
Strings Describe(std::string_view text) {
  Strings out;
  for (const TextEntity& e : ParseStatusText(text).entities) {
    switch (e.kind) {
      case EntityKind::kMention:
        out.push_back("@" + e.value + (e.domain.empty() ? "" : "@" + e.domain));
        break;
      case EntityKind::kHashtag:
        out.push_back("#" + e.value);
        break;
      case EntityKind::kLink:
        out.push_back(e.value);
        break;
    }
  }
  return out;
}

std::string Render(std::string_view text, std::vector<ResolvedMention>* resolved = nullptr) {
  return RenderStatusHtml(text, ParseStatusText(text), TestResolver, kBase, resolved);
}

std::string LinkHtml(std::string_view href, std::string_view prefix, std::string_view shown_class,
                     std::string_view shown, std::string_view hidden) {
  return "<a href=\"" + std::string(href) +
         "\" target=\"_blank\" rel=\"nofollow noopener\" translate=\"no\"><span "
         "class=\"invisible\">" +
         std::string(prefix) + "</span><span class=\"" + std::string(shown_class) + "\">" +
         std::string(shown) + "</span><span class=\"invisible\">" + std::string(hidden) +
         "</span></a>";
}

std::string MentionHtml(std::string_view href, std::string_view shown) {
  return "<span class=\"h-card\" translate=\"no\"><a href=\"" + std::string(href) +
         "\" class=\"u-url mention\">@<span>" + std::string(shown) + "</span></a></span>";
}

std::string TagHtml(std::string_view encoded, std::string_view shown) {
  return "<a href=\"https://chirp.example/tags/" + std::string(encoded) +
         "\" class=\"mention hashtag\" rel=\"tag\">#<span>" + std::string(shown) + "</span></a>";
}

// ---- Mentions ----

TEST(ParseStatusText, FindsLocalMentionWithByteOffsets) {
  const ParsedStatusText parsed = ParseStatusText("h\xC3\xA9llo @alice!");
  ASSERT_EQ(parsed.entities.size(), 1u);
  const TextEntity& mention = parsed.entities[0];
  EXPECT_EQ(mention.kind, EntityKind::kMention);
  EXPECT_EQ(mention.begin, 7u);  // "héllo " is 7 bytes
  EXPECT_EQ(mention.end, 13u);
  EXPECT_EQ(mention.value, "alice");
  EXPECT_EQ(mention.domain, "");
}

TEST(ParseStatusText, LeavesTrailingPunctuationOutOfMentions) {
  EXPECT_EQ(Describe("cc @bob@remote.example."), Strings{"@bob@remote.example"});
  EXPECT_EQ(Describe("(@alice), @carol- @dave."), (Strings{"@alice", "@carol", "@dave"}));
}

TEST(ParseStatusText, IgnoresEmailAddressesAsMentions) {
  EXPECT_EQ(Describe("mail alice@example.com or x_y@example.org"), Strings{});
  EXPECT_EQ(Describe("caf\xC3\xA9@alice"), Strings{});  // a Unicode letter before '@'
}

TEST(ParseStatusText, IgnoresMentionsAfterSlashOrEquals) {
  EXPECT_EQ(Describe("example.com/@alice and ?who=@alice"), Strings{});
}

TEST(ParseStatusText, AllowsDotsAndDashesInsideUsernames) {
  EXPECT_EQ(Describe("@first.last and @a-b_c."), (Strings{"@first.last", "@a-b_c"}));
}

TEST(ParseStatusText, RejectsMentionsFollowedByAtSignAccentOrScheme) {
  EXPECT_EQ(Describe("@alice@ and @alice\xC3\xA9 and @alice://x"), Strings{});
}

TEST(ParseStatusText, AcceptsMentionAfterAnotherAtSign) {
  // Mastodon's lookbehind is (?<![=/[:word:]]), which lets '@' precede.
  EXPECT_EQ(Describe("@@alice"), Strings{"@alice"});
}

TEST(ParseStatusText, SkipsMentionsWithOverlongDomains) {
  const std::string longest = std::string(245, 'a') + ".example";  // 253 characters
  EXPECT_EQ(Describe("@alice@" + longest), Strings{"@alice@" + longest});
  EXPECT_EQ(Describe("@alice@a" + longest), Strings{});
}

// ---- Hashtags ----

TEST(ParseStatusText, FindsUnicodeHashtags) {
  EXPECT_EQ(
      Describe(
          "#caf\xC3\xA9 #\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E #\xCE\x95\xCE\xBB\xCE\xBB\xCE\xB7"
          "\xCE\xBD\xCE\xB9\xCE\xBA\xCE\xAC #tag_2024"),
      (Strings{"#caf\xC3\xA9", "#\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",
               "#\xCE\x95\xCE\xBB\xCE\xBB\xCE\xB7\xCE\xBD\xCE\xB9\xCE\xBA\xCE\xAC", "#tag_2024"}));
}

TEST(ParseStatusText, RequiresALetterInHashtags) {
  EXPECT_EQ(Describe("#123 #1st #_1 #1_2"), (Strings{"#1st", "#1_2"}));
}

TEST(ParseStatusText, IgnoresHashesInsideWords) {
  EXPECT_EQ(Describe("C#sharp x/#y (a)#b 1#2a"), Strings{});
}

TEST(ParseStatusText, FindsHashtagsAfterPunctuation) {
  EXPECT_EQ(Describe("(#one),#two;&#three"), (Strings{"#one", "#two", "#three"}));
}

TEST(ParseStatusText, AllowsMiddleDotsInsideHashtags) {
  EXPECT_EQ(Describe("#foo\xC2\xB7"
                     "bar #baz\xC2\xB7 #\xE3\x83\xBBx"),
            (Strings{"#foo\xC2\xB7"
                     "bar",
                     "#baz"}));
}

TEST(ParseStatusText, EndsHashtagsAtEmojiAndPunctuation) {
  EXPECT_EQ(Describe("#party\xF0\x9F\x8E\x89 #end. #it's"), (Strings{"#party", "#end", "#it"}));
}

TEST(ParseStatusText, SkipsHashtagTouchingThePreviousOne) {
  // "#日本#語": the regex consumes the character before '#', already taken.
  EXPECT_EQ(Describe("#\xE6\x97\xA5\xE6\x9C\xAC#\xE8\xAA\x9E ##twice"),
            (Strings{"#\xE6\x97\xA5\xE6\x9C\xAC", "#twice"}));
}

TEST(ParseStatusText, CutsSchemeOffHashtagRunningIntoLink) {
  EXPECT_EQ(Describe("#foohttps://example.com"), Strings{"#foo"});
}

TEST(ParseStatusText, IgnoresHashtagsLongerThanTheLimit) {
  const std::string longest(kMaxHashtagLength, 'a');
  EXPECT_EQ(Describe("#" + longest), Strings{"#" + longest});
  EXPECT_EQ(Describe("#a" + longest), Strings{});
}

// ---- Links ----

TEST(ParseStatusText, FindsLinksWithoutTrailingPunctuation) {
  EXPECT_EQ(Describe("see https://example.com/path. or http://example.org!"),
            (Strings{"https://example.com/path", "http://example.org"}));
}

TEST(ParseStatusText, MatchesLinkSchemesInAnyCase) {
  EXPECT_EQ(Describe("HTTPS://EXAMPLE.COM/A"), Strings{"HTTPS://EXAMPLE.COM/A"});
}

TEST(ParseStatusText, KeepsBalancedParenthesesInLinks) {
  EXPECT_EQ(Describe("(see https://en.wikipedia.org/wiki/Pig_(disambiguation))"),
            Strings{"https://en.wikipedia.org/wiki/Pig_(disambiguation)"});
  EXPECT_EQ(Describe("(https://example.com/a)"), Strings{"https://example.com/a"});
  EXPECT_EQ(Describe("https://example.com/a_(b_(c)_d)"),
            Strings{"https://example.com/a_(b_(c)_d)"});
  EXPECT_EQ(Describe("https://example.com/a(b c)"), Strings{"https://example.com/a"});
}

TEST(ParseStatusText, KeepsQueryStringsPortsAndFragments) {
  EXPECT_EQ(Describe("https://example.com/s?q=a+b&lang=en#top."),
            Strings{"https://example.com/s?q=a+b&lang=en#top"});
  EXPECT_EQ(Describe("https://example.com:8443/x?"), Strings{"https://example.com:8443/x"});
}

TEST(ParseStatusText, EndsLinksAtAngleBracketsAndWhiteSpace) {
  EXPECT_EQ(Describe("<https://example.com/a<b>"), Strings{"https://example.com/a"});
  EXPECT_EQ(Describe("https://example.com/a\xC2\xA0"
                     "b"),
            Strings{"https://example.com/a"});
}

TEST(ParseStatusText, KeepsQuotesInsideLinkPaths) {
  EXPECT_EQ(Describe("\"https://example.com/a\"b\""), Strings{"https://example.com/a\"b"});
}

TEST(ParseStatusText, RequiresHostWithTopLevelDomain) {
  EXPECT_EQ(Describe("https://localhost/ http://10.0.0.1/ https://.com https://my_site.com"),
            Strings{});
  EXPECT_EQ(Describe("https://sub_domain.example.com https://example.xn--p1ai"),
            (Strings{"https://sub_domain.example.com", "https://example.xn--p1ai"}));
}

TEST(ParseStatusText, LinksMayFollowLettersButNotAsciiAlphanumerics) {
  // "見てhttps://example.jp、次"
  EXPECT_EQ(Describe("\xE8\xA6\x8B\xE3\x81\xA6https://example.jp\xE3\x80\x81\xE6\xAC\xA1"),
            Strings{"https://example.jp"});
  EXPECT_EQ(Describe("xhttps://example.com $https://example.com"), Strings{});
}

TEST(ParseStatusText, IgnoresLinksLongerThan4096Characters) {
  const std::string url = "https://example.com/" + std::string(5000, 'a');
  EXPECT_EQ(Describe(url), Strings{});
}

TEST(ParseStatusText, LetsTheFirstOfOverlappingEntitiesWin) {
  EXPECT_EQ(Describe("https://example.com/a,@bob #tag"),
            (Strings{"https://example.com/a,@bob", "#tag"}));
}

TEST(ParseStatusText, ListsEntitiesInOrderOfAppearance) {
  const ParsedStatusText parsed = ParseStatusText("#first @alice https://example.com #last");
  ASSERT_EQ(parsed.entities.size(), 4u);
  EXPECT_EQ(parsed.entities[0].kind, EntityKind::kHashtag);
  EXPECT_EQ(parsed.entities[1].kind, EntityKind::kMention);
  EXPECT_EQ(parsed.entities[2].kind, EntityKind::kLink);
  EXPECT_EQ(parsed.entities[3].kind, EntityKind::kHashtag);
  EXPECT_EQ(parsed.entities[2].begin, 14u);
  EXPECT_EQ(parsed.entities[2].end, 33u);
  EXPECT_EQ(parsed.entities[3].begin, 34u);
  EXPECT_EQ(parsed.entities[3].normalized, "last");
}

// ---- Tag names ----

// Mastodon's key (text/unicode.h HashtagKey): lower case, accents folded.
TEST(NormalizeTagName, LowersAndFoldsAsMastodonDoes) {
  EXPECT_EQ(NormalizeTagName("CaF\xC3\x89"), "cafe");  // CaFÉ
  EXPECT_EQ(NormalizeTagName("\xC5\x81\xC3\x93"
                             "D\xC5\xB9"),
            "lodz");  // ŁÓDŹ
  EXPECT_EQ(NormalizeTagName("\xCE\x95\xCE\x9B\xCE\x9B\xCE\x86"),
            "\xCE\xB5\xCE\xBB\xCE\xBB\xCE\xAC");  // ΕΛΛΆ
  EXPECT_EQ(NormalizeTagName("\xD0\x9F\xD0\xA0\xD0\x98\xD0\x81"),
            "\xD0\xBF\xD1\x80\xD0\xB8\xD1\x91");                                        // ПРИЁ
  EXPECT_EQ(NormalizeTagName("\xE6\x97\xA5\xE6\x9C\xAC"), "\xE6\x97\xA5\xE6\x9C\xAC");  // 日本
}

TEST(NormalizedTags, ListsEachTagOnceInOrderOfFirstUse) {
  EXPECT_EQ(NormalizedTags(ParseStatusText("#Foo #bar #FOO #Bar #Caf\xC3\xA9 #CAF\xC3\x89")),
            (Strings{"foo", "bar", "cafe"}));
}

TEST(NormalizedTags, GivesEachTagAsFirstWritten) {
  Strings as_written{"left over"};
  EXPECT_EQ(NormalizedTags(ParseStatusText("#Foo #bar #FOO #Bar"), &as_written),
            (Strings{"foo", "bar"}));
  EXPECT_EQ(as_written, (Strings{"Foo", "bar"}));
}

TEST(DistinctMentionedIds, ListsEachAccountOnceInOrderOfFirstMention) {
  const std::vector<ResolvedMention> mentions = {
      {7, "b", "", ""}, {3, "a", "", ""}, {7, "b", "", ""}, {9, "c", "", ""}};
  EXPECT_EQ(DistinctMentionedIds(mentions), (std::vector<int64_t>{7, 3, 9}));
}

// ---- Counting ----

TEST(CountStatusLength, CountsCodePoints) {
  EXPECT_EQ(CountStatusLength("h\xC3\xA9llo \xE6\x97\xA5\xE6\x9C\xAC"), 8u);  // "héllo 日本"
  EXPECT_EQ(CountStatusLength("#hashtag"), 8u);
}

TEST(CountStatusLength, CountsEveryLinkAs23Characters) {
  const std::string url = "https://example.com/" + std::string(180, 'x');
  ASSERT_EQ(url.size(), 200u);
  EXPECT_EQ(CountStatusLength(url), 23u);
  EXPECT_EQ(CountStatusLength("a http://x.co b"), 27u);
}

TEST(CountStatusLength, CountsRemoteMentionAsItsLocalPart) {
  EXPECT_EQ(CountStatusLength("@alice@remote.example"), 6u);
  EXPECT_EQ(CountStatusLength("hi @alice@remote.example!"), 10u);
}

TEST(CountStatusLength, CountsWhatIsNoLinkInFull) {
  const std::string url = "https://example.com/" + std::string(5000, 'a');
  EXPECT_EQ(CountStatusLength(url), url.size());
  EXPECT_EQ(CountStatusLength("https://localhost/"), 18u);
}

TEST(CountStatusLength, IgnoresSurroundingWhiteSpace) {
  EXPECT_EQ(CountStatusLength("  \n hi \t\n"), 2u);
  EXPECT_EQ(CountStatusLength(" \xE3\x80\x80 "), 0u);  // ideographic space only
  EXPECT_EQ(CountStatusLength(""), 0u);
}

// ---- HTML ----

TEST(RenderStatusHtml, RendersPlainTextAsOneParagraph) {
  EXPECT_EQ(Render("0.123"), "<p>0.123</p>");
  EXPECT_EQ(Render(""), "");
  EXPECT_EQ(Render(" \n\t "), "");
}

TEST(RenderStatusHtml, SplitsParagraphsAndLineBreaks) {
  EXPECT_EQ(Render("\n a\nb\n\n\nc\r\nd\re\r\n\r\nf \n"),
            "<p>a<br />b</p><p>c<br />d<br />e</p><p>f</p>");
}

TEST(RenderStatusHtml, EscapesAllText) {
  EXPECT_EQ(Render("<b>\"x\" & 'y'</b>"),
            "<p>&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;</p>");
}

TEST(RenderStatusHtml, LinksResolvedMentions) {
  std::vector<ResolvedMention> resolved;
  EXPECT_EQ(Render("hi @Alice!", &resolved),
            "<p>hi " + MentionHtml("https://chirp.example/@alice", "alice") + "!</p>");
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].id, 1);
}

TEST(RenderStatusHtml, LeavesUnknownMentionsAsText) {
  std::vector<ResolvedMention> resolved;
  EXPECT_EQ(Render("@ghost@nowhere.example & @nobody", &resolved),
            "<p>@ghost@nowhere.example &amp; @nobody</p>");
  EXPECT_TRUE(resolved.empty());
}

TEST(RenderStatusHtml, ResolvesEachMentionOnceAndReportsEachAccountOnce) {
  std::vector<std::pair<std::string, std::string>> asked;
  const MentionResolver resolver = [&](std::string_view username, std::string_view domain) {
    asked.emplace_back(username, domain);
    return TestResolver(username, domain);
  };
  const std::string text = "@alice @bob@remote.example @ALICE @ghost";
  std::vector<ResolvedMention> resolved;
  RenderStatusHtml(text, ParseStatusText(text), resolver, kBase, &resolved);
  EXPECT_EQ(asked, (std::vector<std::pair<std::string, std::string>>{
                       {"alice", ""}, {"bob", "remote.example"}, {"ALICE", ""}, {"ghost", ""}}));
  ASSERT_EQ(resolved.size(), 2u);
  EXPECT_EQ(resolved[0].id, 1);
  EXPECT_EQ(resolved[1].id, 2);
}

TEST(RenderStatusHtml, ShowsFullAccountWhenUsernamesClash) {
  EXPECT_EQ(Render("@alice @alice@remote.example @bob@remote.example"),
            "<p>" + MentionHtml("https://chirp.example/@alice", "alice") + " " +
                MentionHtml("https://remote.example/@alice", "alice@remote.example") + " " +
                MentionHtml("https://remote.example/@bob", "bob") + "</p>");
}

TEST(RenderStatusHtml, LeavesMentionsAsTextWithoutResolver) {
  EXPECT_EQ(RenderStatusHtml("@alice", ParseStatusText("@alice"), MentionResolver(), kBase),
            "<p>@alice</p>");
}

TEST(RenderStatusHtml, LinksHashtagsWithPercentEncodedName) {
  EXPECT_EQ(Render("#Caf\xC3\xA9"), "<p>" + TagHtml("Caf%C3%A9", "Caf\xC3\xA9") + "</p>");
  EXPECT_EQ(RenderStatusHtml("#a", ParseStatusText("#a"), TestResolver, "https://chirp.example/"),
            "<p>" + TagHtml("a", "a") + "</p>");
}

TEST(RenderStatusHtml, ShowsShortLinksWholeWithoutScheme) {
  EXPECT_EQ(Render("https://www.example.com/"),
            "<p>" + LinkHtml("https://www.example.com/", "https://www.", "", "example.com/", "") +
                "</p>");
}

TEST(RenderStatusHtml, CutsLongLinksAfter30Characters) {
  EXPECT_EQ(Render("https://example.com/0123456789abcdefghijklmnopqrstuvwxyz"),
            "<p>" +
                LinkHtml("https://example.com/0123456789abcdefghijklmnopqrstuvwxyz", "https://",
                         "ellipsis", "example.com/0123456789abcdefgh", "ijklmnopqrstuvwxyz") +
                "</p>");
}

TEST(RenderStatusHtml, ShowsWholeLinkWhenOnlyOneCharacterWouldBeCut) {
  EXPECT_EQ(Render("http://example.com/0123456789abcdefghi"),
            "<p>" +
                LinkHtml("http://example.com/0123456789abcdefghi", "http://", "",
                         "example.com/0123456789abcdefghi", "") +
                "</p>");
  EXPECT_EQ(Render("http://example.com/0123456789abcdefgh"),
            "<p>" +
                LinkHtml("http://example.com/0123456789abcdefgh", "http://", "",
                         "example.com/0123456789abcdefgh", "") +
                "</p>");
}

TEST(RenderStatusHtml, HidesOnlyLowerCaseHttpSchemes) {
  EXPECT_EQ(Render("HTTPS://EXAMPLE.COM gemini://example.org/"),
            "<p>" + LinkHtml("HTTPS://EXAMPLE.COM", "", "", "HTTPS://EXAMPLE.COM", "") + " " +
                LinkHtml("gemini://example.org/", "", "", "gemini://example.org/", "") + "</p>");
}

TEST(RenderStatusHtml, EscapesQuotesAndCutsAngleBracketsInLinks) {
  EXPECT_EQ(Render("https://example.com/a\"b'c<d"),
            "<p>" +
                LinkHtml("https://example.com/a&quot;b&#39;c", "https://", "",
                         "example.com/a&quot;b&#39;c", "") +
                "&lt;d</p>");
}

TEST(RenderStatusHtml, RendersAMixedStatus) {
  EXPECT_EQ(
      Render("Hello @alice!\n\nRead https://example.com/post?id=1 #News"),
      "<p>Hello " + MentionHtml("https://chirp.example/@alice", "alice") + "!</p><p>Read " +
          LinkHtml("https://example.com/post?id=1", "https://", "", "example.com/post?id=1", "") +
          " " + TagHtml("News", "News") + "</p>");
}

TEST(RenderStatusHtml, IgnoresEntitiesThatDoNotFitTheText) {
  const ParsedStatusText parsed = ParseStatusText("@alice and a long tail of text #tag");
  EXPECT_EQ(RenderStatusHtml("short", parsed, TestResolver, kBase), "<p>short</p>");
  ParsedStatusText bogus;
  bogus.entities.push_back({.kind = EntityKind::kLink, .begin = 3, .end = 2});
  bogus.entities.push_back({.kind = EntityKind::kHashtag, .begin = 1, .end = 2});
  bogus.entities.push_back({.kind = EntityKind::kMention, .begin = 0, .end = 3});
  EXPECT_EQ(RenderStatusHtml("a#b", bogus, TestResolver, kBase),
            "<p>a" + TagHtml("", "") + "b</p>");
}

// ---- Any input ----

// True when every '<' opens one of the tags the renderer writes and no markup
// character appears outside tags.
bool LooksLikeRenderedHtml(std::string_view html) {
  static constexpr std::string_view kTags[] = {"<p>",  "</p>",           "<br />", "<a href=\"",
                                               "</a>", "<span class=\"", "<span>", "</span>"};
  for (size_t i = 0; i < html.size();) {
    const char c = html[i];
    if (c == '<') {
      bool known = false;
      for (std::string_view tag : kTags) known = known || html.substr(i).starts_with(tag);
      const size_t close = html.find('>', i);
      if (!known || close == std::string_view::npos) return false;
      if (html.substr(i + 1, close - i - 1).find('<') != std::string_view::npos) return false;
      i = close + 1;
      continue;
    }
    if (c == '>' || c == '"' || c == '\'') return false;
    ++i;
  }
  return true;
}

size_t Occurrences(std::string_view haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t i = haystack.find(needle); i != std::string_view::npos;
       i = haystack.find(needle, i + 1)) {
    ++n;
  }
  return n;
}

TEST(StatusText, HandlesRandomBytes) {
  static constexpr std::string_view kPieces[] = {"@",
                                                 "#",
                                                 "://",
                                                 "http",
                                                 "https://",
                                                 "a",
                                                 "B",
                                                 "1",
                                                 "_",
                                                 ".",
                                                 "-",
                                                 "/",
                                                 "(",
                                                 ")",
                                                 "<",
                                                 ">",
                                                 "\"",
                                                 "'",
                                                 "&",
                                                 " ",
                                                 "\n",
                                                 "\r",
                                                 "\xC3\xA9",
                                                 "\xE6\x97\xA5",
                                                 "\xC2\xB7",
                                                 "?",
                                                 "\xF0\x9F\x8E\x89",
                                                 "\xC3",
                                                 "\xFF",
                                                 "\x80",
                                                 "example.com",
                                                 "alice",
                                                 "=",
                                                 ",",
                                                 "\xE3\x80\x80",
                                                 std::string_view("\0", 1)};
  std::mt19937 rng(20240611);
  std::uniform_int_distribution<size_t> piece(0, std::size(kPieces) - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 60);
  std::uniform_int_distribution<int> percent(0, 99);
  for (int round = 0; round < 4000; ++round) {
    std::string text;
    for (int n = length(rng); n > 0; --n) {
      if (percent(rng) < 20) {
        text += static_cast<char>(byte(rng));
      } else {
        text += kPieces[piece(rng)];
      }
    }
    SCOPED_TRACE(testing::PrintToString(text));

    const ParsedStatusText parsed = ParseStatusText(text);
    size_t previous_end = 0;
    size_t mentions = 0;
    for (const TextEntity& e : parsed.entities) {
      ASSERT_LE(previous_end, e.begin);
      ASSERT_LT(e.begin, e.end);
      ASSERT_LE(e.end, text.size());
      previous_end = e.end;
      switch (e.kind) {
        case EntityKind::kMention:
          ++mentions;
          EXPECT_EQ(text[e.begin], '@');
          break;
        case EntityKind::kHashtag:
          EXPECT_EQ(text.substr(e.begin, e.end - e.begin), "#" + e.value);
          break;
        case EntityKind::kLink:
          EXPECT_EQ(text.substr(e.begin, e.end - e.begin), e.value);
          EXPECT_TRUE(IsValidUtf8(e.value));
          break;
      }
    }

    EXPECT_LE(CountStatusLength(text), text.size() * kCountedLinkLength);

    size_t calls = 0;
    const MentionResolver resolver = [&](std::string_view username, std::string_view domain) {
      ++calls;
      return TestResolver(username, domain);
    };
    const std::string html = RenderStatusHtml(text, parsed, resolver, kBase);
    EXPECT_TRUE(html.empty() || (html.starts_with("<p>") && html.ends_with("</p>"))) << html;
    EXPECT_TRUE(LooksLikeRenderedHtml(html)) << html;
    EXPECT_EQ(Occurrences(html, "<p>"), Occurrences(html, "</p>"));
    EXPECT_EQ(Occurrences(html, "<a "), Occurrences(html, "</a>"));
    EXPECT_EQ(Occurrences(html, "<span"), Occurrences(html, "</span>"));
    EXPECT_EQ(calls, html.empty() ? 0 : mentions);
  }
}

}  // namespace
}  // namespace chirp

namespace chirp {
namespace {

TEST(CountGraphemes, CountsUserPerceivedCharacters) {
  EXPECT_EQ(CountGraphemes("abc"), 3u);
  EXPECT_EQ(CountGraphemes("e\xCC\x81"), 1u);                         // e + combining acute
  EXPECT_EQ(CountGraphemes("\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"), 1u);  // thumbs up, skin tone
  // family: man ZWJ woman ZWJ girl
  EXPECT_EQ(
      CountGraphemes("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7"),
      1u);
  EXPECT_EQ(CountGraphemes("\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA"),
            2u);  // two flags
  EXPECT_EQ(CountGraphemes("a\r\nb"), 3u);
}

TEST(CountStatusLength, CountsGraphemesAsMastodonDoes) {
  EXPECT_EQ(CountStatusLength("caf\x65\xCC\x81 \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"), 6u);
}

}  // namespace
}  // namespace chirp
