#include "search/search_text.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <vector>

#include "text/unicode.h"

namespace chirp {
namespace {

// A character of a script written without spaces between words.
bool IsCjk(UChar32 c) {
  if (c < 0x1100 || !IsAlnumChar(static_cast<uint32_t>(c))) return false;
  for (UScriptCode script : {USCRIPT_HAN, USCRIPT_HIRAGANA, USCRIPT_KATAKANA, USCRIPT_HANGUL}) {
    if (uscript_hasScript(c, script)) return true;
  }
  return false;
}

// One piece of text: a character of a CJK run, or a stretch of anything
// else (invalid bytes replaced by a space).
struct Piece {
  std::string text;
  bool cjk = false;
};

std::vector<Piece> Pieces(std::string_view text) {
  std::vector<Piece> pieces;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0 || c == 0) {
      if (pieces.empty() || pieces.back().cjk) pieces.push_back({});
      pieces.back().text += ' ';
      continue;
    }
    std::string_view bytes = text.substr(start, i - start);
    if (IsCjk(c)) {
      pieces.push_back({std::string(bytes), true});
    } else {
      if (pieces.empty() || pieces.back().cjk) pieces.push_back({});
      pieces.back().text += bytes;
    }
  }
  return pieces;
}

bool HasAlnum(std::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c > 0 && IsAlnumChar(static_cast<uint32_t>(c))) return true;
  }
  return false;
}

// Writes the pairs of the CJK run pieces[begin, end); with `last_alone`
// its last character after them too (what the index holds).
void AppendRun(const std::vector<Piece>& pieces, size_t begin, size_t end, bool last_alone,
               std::string& out) {
  out += ' ';
  for (size_t i = begin; i + 1 < end; ++i) {
    out += pieces[i].text;
    out += pieces[i + 1].text;
    out += ' ';
  }
  if (last_alone || end - begin == 1) {
    out += pieces[end - 1].text;
    out += ' ';
  }
}

// `pieces` with every CJK run written by AppendRun; `lone_last_cjk` tells
// whether the text ends with a run of one character.
std::string Prepare(std::string_view text, bool last_alone, bool* lone_last_cjk) {
  const std::vector<Piece> pieces = Pieces(text);
  std::string out;
  out.reserve(text.size() * 2);
  bool lone = false;
  for (size_t i = 0; i < pieces.size();) {
    if (!pieces[i].cjk) {
      out += pieces[i++].text;
      lone = false;
      continue;
    }
    size_t end = i;
    while (end < pieces.size() && pieces[end].cjk) ++end;
    AppendRun(pieces, i, end, last_alone, out);
    lone = end - i == 1;
    i = end;
  }
  if (lone_last_cjk) *lone_last_cjk = lone;
  return out;
}

// A combining mark that only adds a diacritic to a Latin, Greek or
// Cyrillic letter (the blocks of combining diacritical marks): removed from
// tokens. Marks of other scripts (Indic vowel signs, for one) are part of
// the letters they follow and stay.
bool IsDiacritic(UChar32 c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
         (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
         (c >= 0xFE20 && c <= 0xFE2F);
}

bool IsMark(UChar32 c) {
  const int8_t type = u_charType(c);
  return type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK ||
         type == U_ENCLOSING_MARK;
}

void AppendUtf8(UChar32 c, std::string& out) {
  char buffer[U8_MAX_LENGTH];
  int32_t length = 0;
  UBool error = false;
  U8_APPEND(reinterpret_cast<uint8_t*>(buffer), length, U8_MAX_LENGTH, c, error);
  if (!error) out.append(buffer, static_cast<size_t>(length));
}

// Adds `c` to the token being made, or ends it.
void AddToToken(UChar32 c, std::string& token, std::vector<std::string>& tokens) {
  if (IsDiacritic(c)) return;
  if (IsMark(c) || IsAlnumChar(static_cast<uint32_t>(c))) {
    AppendUtf8(u_foldCase(c, U_FOLD_CASE_DEFAULT), token);
    return;
  }
  if (!token.empty()) tokens.push_back(std::move(token));
  token.clear();
}

}  // namespace

std::vector<std::string> SearchTokens(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2* nfd = unorm2_getNFDInstance(&status);
  std::vector<std::string> tokens;
  std::string token;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) c = ' ';
    // A letter with a diacritic becomes the letter and the mark, which
    // AddToToken drops (Hangul syllables stay whole).
    UChar decomposed[8];
    int32_t n = 0;
    if (U_SUCCESS(status) && !(c >= 0xAC00 && c <= 0xD7A3)) {
      UErrorCode error = U_ZERO_ERROR;
      n = unorm2_getDecomposition(nfd, c, decomposed, 8, &error);
      if (U_FAILURE(error)) n = 0;
    }
    if (n <= 0) {
      AddToToken(c, token, tokens);
      continue;
    }
    for (int32_t j = 0; j < n;) {
      UChar32 part;
      U16_NEXT(decomposed, j, n, part);
      AddToToken(part, token, tokens);
    }
  }
  if (!token.empty()) tokens.push_back(std::move(token));
  return tokens;
}

QueryTokens TokensOfTerm(std::string_view term) {
  QueryTokens out;
  if (!HasAlnum(term)) return out;
  bool lone_last_cjk = false;
  out.tokens = SearchTokens(Prepare(term, false, &lone_last_cjk));
  out.last_is_prefix = lone_last_cjk && !out.tokens.empty();
  return out;
}

std::string IndexableText(std::string_view text) { return Prepare(text, true, nullptr); }

std::string FtsPhrase(std::string_view term) {
  if (!HasAlnum(term)) return "";
  bool lone_last_cjk = false;
  const std::string prepared = Prepare(term, false, &lone_last_cjk);
  std::string out = "\"";
  for (char c : prepared) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  // A single character of a run: the pairs that start with it, and the
  // run's last character held alone.
  if (lone_last_cjk) out += " *";
  return out;
}

}  // namespace chirp
