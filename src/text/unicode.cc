#include "text/unicode.h"

#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>

#include <memory>

#include "core/text.h"

namespace chirp {
namespace {

constexpr uint32_t kMaxCodePoint = 0x10FFFF;
constexpr uint32_t kAlphaMask = U_GC_L_MASK | U_GC_M_MASK;
constexpr uint32_t kAlnumMask = kAlphaMask | U_GC_ND_MASK;
constexpr uint32_t kWordMask = kAlnumMask | U_GC_PC_MASK;

bool InCategories(uint32_t c, uint32_t mask) {
  return c <= kMaxCodePoint && (U_GET_GC_MASK(static_cast<UChar32>(c)) & mask) != 0;
}

bool IsAscii(std::string_view text) {
  for (char ch : text) {
    if (static_cast<unsigned char>(ch) >= 0x80) return false;
  }
  return true;
}

// This thread's character break iterator: ICU's are not shared between
// threads, and making one loads its rules, so each thread keeps its own.
icu::BreakIterator* CharacterBreaks() {
  thread_local std::unique_ptr<icu::BreakIterator> breaks = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> made(
        icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
    return U_SUCCESS(status) ? std::move(made) : nullptr;
  }();
  return breaks.get();
}

// Mastodon's ASCIIFolding, for the letters NFKC and lower case leave: an
// accented Latin letter of U+00C0-U+017F becomes its base letter, by its
// canonical decomposition, or by this list where it has none. æ, ß, þ, ĳ
// and œ are not folded; neither are × and ÷.
UChar32 FoldToAscii(UChar32 c, const icu::Normalizer2& nfd) {
  if (c < 0xC0 || c > 0x17F) return c;
  switch (c) {
    case 0xD0:
    case 0x110:
      return 'D';  // Ð Đ
    case 0xF0:
    case 0x111:
      return 'd';  // ð đ
    case 0xD8:
      return 'O';  // Ø
    case 0xF8:
      return 'o';  // ø
    case 0x126:
      return 'H';  // Ħ
    case 0x127:
      return 'h';  // ħ
    case 0x131:
      return 'i';  // ı
    case 0x138:
      return 'k';  // ĸ
    case 0x13F:
    case 0x141:
      return 'L';  // Ŀ Ł
    case 0x140:
    case 0x142:
      return 'l';  // ŀ ł
    case 0x149:
      return 'n';  // ŉ
    case 0x14A:
      return 'N';  // Ŋ
    case 0x14B:
      return 'n';  // ŋ
    case 0x17F:
      return 's';  // ſ
    case 0x166:
      return 'T';  // Ŧ
    case 0x167:
      return 't';  // ŧ
    default:
      break;
  }
  icu::UnicodeString decomposed;
  if (!nfd.getDecomposition(c, decomposed) || decomposed.isEmpty()) return c;
  const UChar32 base = decomposed.char32At(0);
  const bool ascii_letter = (base >= 'a' && base <= 'z') || (base >= 'A' && base <= 'Z');
  return ascii_letter ? base : c;
}

bool KeptInHashtagKey(UChar32 c) {
  return InCategories(static_cast<uint32_t>(c), kAlnumMask) || (c >= 0x0E47 && c <= 0x0E4E) ||
         c == '_' || c == 0x00B7 || c == 0x30FB || c == 0x200C;
}

}  // namespace

bool IsWordChar(uint32_t c) { return InCategories(c, kWordMask); }
bool IsAlphaChar(uint32_t c) { return InCategories(c, kAlphaMask); }
bool IsAlnumChar(uint32_t c) { return InCategories(c, kAlnumMask); }

bool IsWhiteSpaceChar(uint32_t c) {
  return c <= kMaxCodePoint && u_isUWhiteSpace(static_cast<UChar32>(c));
}

size_t CountGraphemeClusters(std::string_view text) {
  if (IsAscii(text)) {
    // Every ASCII character is a cluster of its own but for "\r\n".
    size_t n = text.size();
    for (size_t i = 0; i + 1 < text.size(); ++i) {
      if (text[i] == '\r' && text[i + 1] == '\n') --n;
    }
    return n;
  }
  icu::BreakIterator* breaks = CharacterBreaks();
  UErrorCode status = U_ZERO_ERROR;
  UText utext = UTEXT_INITIALIZER;
  utext_openUTF8(&utext, text.data(), static_cast<int64_t>(text.size()), &status);
  // ICU without its data cannot happen with Debian's; count code points.
  if (breaks == nullptr || U_FAILURE(status)) return CountCodePoints(text);
  breaks->setText(&utext, status);
  size_t n = 0;
  for (int32_t at = breaks->next(); at != icu::BreakIterator::DONE; at = breaks->next()) ++n;
  utext_close(&utext);
  return n;
}

std::string HashtagKey(std::string_view name) {
  std::string out;
  if (IsAscii(name)) {
    out.reserve(name.size());
    for (char ch : name) {
      if (ch >= 'A' && ch <= 'Z') {
        out += static_cast<char>(ch - 'A' + 'a');
      } else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_') {
        out += ch;
      }
    }
    return out;
  }
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status)) return out;
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(
      icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
  text = nfkc->normalize(text, status);
  if (U_FAILURE(status)) return out;
  text.toLower(icu::Locale::getRoot());
  icu::UnicodeString kept;
  for (int32_t i = 0; i < text.length(); i = text.moveIndex32(i, 1)) {
    const UChar32 c = FoldToAscii(text.char32At(i), *nfd);
    if (KeptInHashtagKey(c)) kept.append(c);
  }
  kept.toUTF8String(out);
  return out;
}

}  // namespace chirp
