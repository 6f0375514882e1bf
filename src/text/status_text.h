// What the plain text of a local status becomes, as Mastodon does it: the
// entities its Extractor finds (mentions, hashtags, links; app/lib/extractor.rb
// on top of twitter-text and config/initializers/twitter_regex.rb), the length
// StatusLengthValidator counts, and the HTML TextFormatter renders.
//
// Thread safety and failure: every function here is pure (no I/O, no clock, no
// shared state) and may run on any number of threads at once. None throws,
// except for what the caller's MentionResolver throws. All run in time linear
// in the size of their input.
//
// Input: any byte string is accepted. A byte that is not part of well-formed
// UTF-8 counts as one character that is neither a letter nor a space, belongs
// to no entity, and is copied to the HTML unchanged (the API rejects such text
// before it gets here).
//
// Character classes are those of Mastodon's Ruby expressions on Unicode
// text, from ICU's tables (text/unicode.h): a "word character" is a letter,
// mark, decimal digit or connector punctuation ([[:word:]]); a "letter" is a
// letter or mark ([[:alpha:]]); "white space" is Unicode's White_Space.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chirp {

// A link counts as this many characters, whatever its length.
inline constexpr size_t kCountedLinkLength = 23;
// Hashtag names longer than this many code points are not hashtags.
inline constexpr size_t kMaxHashtagLength = 100;

enum class EntityKind { kMention, kHashtag, kLink };

// One entity of a status text.
//
// Mention: "@username" or "@username@domain" (Account::MENTION_RE).
//  - username: ASCII letters, digits and '_', with '.' or '-' allowed only
//    between them ("@first.last"); "@alice." is "@alice" and a period;
//  - domain: word characters, with '.' or '-' allowed only between them;
//  - not preceded by a word character, '=' or '/' (so "a@b.example" and
//    "https://host/@alice" hold no mention; "@@alice" does);
//  - not followed by '@', '＠', "://" or an accented Latin letter (twitter-text's
//    end_mention_match): "@alice@ x" and "@aliceé" are no mentions;
//  - a domain longer than 253 characters makes it no mention.
//
// Hashtag: '#' and a name (Tag::HASHTAG_RE).
//  - the name is the longest run of word characters and the separators
//    U+00B7 '·', U+30FB '・' and U+200C ZWNJ, cut back to end in a word
//    character, if it has a letter or a separator ('_' included) after its
//    first character; otherwise the longest run of word characters, if it has
//    a letter. "#café", "#日本語", "#tag_2024", "#a·b", "#1st" are tags;
//    "#123", "#_1" are not; "#foo·" is "#foo";
//  - the '#' is not preceded by an ASCII letter, digit or '_', '/' or ')'
//    ("C#", "x/#y" hold no tags), nor directly by the last character of the
//    previous hashtag ("#日本#語" holds one tag);
//  - a name ending in "http" or "https" right before "://" loses that ending
//    ("#foohttps://x.example" tags "foo");
//  - names longer than kMaxHashtagLength code points are not tags.
//
// Link: a scheme (http or https; also dat, dweb, ipfs, ipns, ssb, gopher,
// gemini as Mastodon allows; any letter case), "://", a host, then optionally
// ":" and a port, a path starting with '/', and a query starting with '?'.
//  - not preceded by an ASCII letter or digit, '@', '$', '#', '＠' or '＃';
//    other letters may precede it ("見てhttps://example.jp" is a link);
//  - host: labels separated by single dots, made of any characters but ASCII
//    punctuation, white space and controls, with '-' or '_' allowed inside;
//    at least two labels; the last one starts with a top-level domain of two
//    or more letters (or "xn--" punycode) not followed by a letter, digit or
//    '@'. Mastodon checks the top-level domain against twitter-text's list;
//    this accepts any alphabetic one. "https://localhost/" and
//    "http://10.0.0.1/" are no links in either;
//  - path: runs until white space, '<', '>', '?' or a parenthesis that is not
//    balanced (one level of nesting is allowed, as in
//    "https://en.wikipedia.org/wiki/Pig_(disambiguation)"), then is cut back to
//    its last character that is not one of ! * " ' 「 」 ; : = , . $ % [ ] ~ & | @
//    (so trailing punctuation and an unbalanced ')' stay outside);
//  - query: '?' then ASCII letters, digits, !?*'();:&=+$/%#[]-_.,~|@^ and
//    non-ASCII characters other than white space, cut back to end in a letter,
//    digit, non-ASCII character or one of _ & = # / -; dropped if that leaves
//    nothing;
//  - a link longer than 4096 characters is no link.
//
// Where entities overlap, the one starting first wins ("https://x.example/a,@bob"
// is one link).
struct TextEntity {
  EntityKind kind = EntityKind::kLink;
  size_t begin = 0;  // byte offset of the '@', the '#' or the scheme
  size_t end = 0;    // byte offset just past the entity
  // kMention: the username as written. kHashtag: the name as written, without
  // '#'. kLink: the URL exactly as written.
  std::string value;
  // kMention: the domain as written; empty for "@username".
  std::string domain;
  // kHashtag: NormalizeTagName(value), the key tags are matched by.
  std::string normalized;
};

struct ParsedStatusText {
  // In order of `begin`, not overlapping.
  std::vector<TextEntity> entities;
};

// The entities of `text`, offsets into `text` as given.
ParsedStatusText ParseStatusText(std::string_view text);

// The key hashtag names are matched by, as Mastodon's HashtagNormalizer
// makes it (text/unicode.h HashtagKey): "#Café", "#cafe" and "#ＣＡＦＥ" are
// one tag.
std::string NormalizeTagName(std::string_view name);

// The distinct normalised names of the hashtags in `parsed`, in order of
// first appearance, leaving out any whose key is empty; `as_written`, when
// not null, receives each one's name as first written (what a status shows).
std::vector<std::string> NormalizedTags(const ParsedStatusText& parsed,
                                        std::vector<std::string>* as_written = nullptr);

// The length StatusLengthValidator checks against the character limit:
// user-perceived characters (grapheme clusters) of `text` without its leading
// and trailing ASCII white space, where every link counts as
// kCountedLinkLength and every mention "@user@domain" as "@user". Text that
// is only white space counts 0. Hashtags count as written. Mastodon adds the
// spoiler text to this; callers do the same (CountGraphemes).
//
// Clusters as Mastodon counts them (text/unicode.h CountGraphemeClusters): a
// letter with combining accents, a skin-toned or ZWJ emoji sequence and a
// flag each count once.
size_t CountStatusLength(std::string_view text);

// Grapheme clusters in `text`, as CountStatusLength counts them.
size_t CountGraphemes(std::string_view text);

// A mentioned account as the server knows it.
struct ResolvedMention {
  int64_t id = 0;
  std::string username;  // shown in the link, e.g. "alice"
  std::string url;       // the account's profile page
  // "alice@remote.example" for remote accounts; empty for local ones. Shown
  // instead of `username` when two accounts with the same username are
  // mentioned, as Mastodon shows Account#pretty_acct then.
  std::string acct;
};

// Finds the account a mention names: `username` and `domain` as written,
// `domain` empty for "@username". The resolver must treat the server's own
// domain as local, like Mastodon's TagManager#local_domain?. nullopt leaves
// the mention as plain text.
using MentionResolver = std::function<std::optional<ResolvedMention>(std::string_view username,
                                                                     std::string_view domain)>;

// The HTML Mastodon renders for a local status with text `text` and entities
// `parsed` (which must come from ParseStatusText(text); entities that do not
// fit `text` are ignored). Leading and trailing ASCII white space is dropped,
// as Mastodon strips local text; text that is only white space renders as "".
// Otherwise the result is "<p>...</p>", with "</p><p>" for every run of two
// or more line breaks, "<br />" for a single one ("\r\n" and "\r" count as
// line breaks), and all text escaped (& < > " ').
//  - a mention whose account `resolve` knows becomes
//      <span class="h-card" translate="no">
//      <a href="URL" class="u-url mention">@<span>USERNAME</span></a></span>
//    (one line, no white space between the tags); an unknown one stays text;
//  - a hashtag becomes
//      <a href="BASE/tags/NAME" class="mention hashtag" rel="tag">#<span>NAME</span></a>
//    with NAME as written, percent-encoded in the href; `base_url` is the
//    server's origin, e.g. "https://chirp.example" (a trailing '/' is ignored);
//  - a link becomes (again on one line)
//      <a href="URL" target="_blank" rel="nofollow noopener" translate="no">
//      <span class="invisible">PREFIX</span><span class="ellipsis">SHOWN</span>
//      <span class="invisible">HIDDEN</span></a>
//    where PREFIX is "https://" or "http://" (lower case only) and a "www."
//    after it, SHOWN the next 30 characters and HIDDEN the rest. When the rest
//    is at most 30 characters, or 31 (an ellipsis would hide just one), SHOWN
//    is all of it, HIDDEN is empty and the class "ellipsis" becomes "".
// `resolve` is called once per mention, in order of appearance. When
// `resolved` is not null it receives the accounts mentioned, in order of first
// mention, each id once.
std::string RenderStatusHtml(std::string_view text, const ParsedStatusText& parsed,
                             const MentionResolver& resolve, std::string_view base_url,
                             std::vector<ResolvedMention>* resolved = nullptr);

// The ids of the accounts of `mentions`, each once, in order of first
// mention: what a status records as mentioned.
std::vector<int64_t> DistinctMentionedIds(const std::vector<ResolvedMention>& mentions);

}  // namespace chirp
