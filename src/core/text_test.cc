#include "core/text.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x90\xA6"));
}

TEST(Utf8, RejectsMalformedText) {
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("ok\x80"));            // stray continuation
}

TEST(Utf8, CountsCodePoints) {
  EXPECT_EQ(CountCodePoints("abc"), 3u);
  EXPECT_EQ(CountCodePoints("caf\xC3\xA9"), 4u);
  EXPECT_EQ(CountCodePoints("\xF0\x9F\x90\xA6"), 1u);
}

TEST(Html, EscapesSpecialCharacters) {
  EXPECT_EQ(EscapeHtml("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(Html, PlainTextBecomesParagraphs) {
  EXPECT_EQ(PlainTextToHtml(""), "");
  EXPECT_EQ(PlainTextToHtml("0.123"), "<p>0.123</p>");
  EXPECT_EQ(PlainTextToHtml("a\nb"), "<p>a<br />b</p>");
  EXPECT_EQ(PlainTextToHtml("a\r\n\r\nb <i>"), "<p>a</p><p>b &lt;i&gt;</p>");
}

TEST(Text, LowersAndTrimsAscii) {
  EXPECT_EQ(AsciiLower("AbC_9"), "abc_9");
  EXPECT_EQ(TrimAscii("  x y \n"), "x y");
}

TEST(Text, FindsTokensInHeaderLists) {
  EXPECT_TRUE(HeaderListsToken("keep-alive, Upgrade", "upgrade"));
  EXPECT_TRUE(HeaderListsToken("WebSocket", "websocket"));
  EXPECT_FALSE(HeaderListsToken("upgrades", "upgrade"));
  EXPECT_FALSE(HeaderListsToken("", "upgrade"));
}

}  // namespace
}  // namespace chirp

namespace chirp {
namespace {

TEST(ParseId, AcceptsOnlyPositiveDecimals) {
  EXPECT_EQ(ParseId("42"), std::optional<int64_t>(42));
  EXPECT_EQ(ParseId("9223372036854775807"), std::optional<int64_t>(INT64_MAX));
  EXPECT_FALSE(ParseId("9223372036854775808").has_value());
  EXPECT_FALSE(ParseId("0").has_value());
  EXPECT_FALSE(ParseId("").has_value());
  EXPECT_FALSE(ParseId("-1").has_value());
  EXPECT_FALSE(ParseId("abc").has_value());
  EXPECT_FALSE(ParseId("12a").has_value());
}

}  // namespace
}  // namespace chirp
