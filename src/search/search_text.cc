#include "search/search_text.h"

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

}  // namespace

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
