// Fuzzes the search query parser: any bytes must parse or be refused with a
// 422, and what parses must hold only usable terms.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "search/search_query.h"

namespace {

constexpr uint32_t kAllFeatures = chirp::kHasMedia | chirp::kHasImage | chirp::kHasVideo |
                                  chirp::kHasAudio | chirp::kHasPoll | chirp::kHasLink |
                                  chirp::kHasEmbed | chirp::kIsReply | chirp::kIsSensitive;

bool HasUpperAscii(std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

// Every term is non-empty; `lower` ones hold no ASCII capital.
size_t CheckTerms(const std::vector<std::string>& terms, bool lower) {
  for (const std::string& term : terms) {
    if (term.empty() || (lower && HasUpperAscii(term))) std::abort();
  }
  return terms.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view q(reinterpret_cast<const char*>(data), size);
  const chirp::Result<chirp::SearchQuery> parsed = chirp::ParseSearchQuery(q);
  if (!parsed.ok()) {
    if (parsed.error().code != chirp::ErrorCode::kUnprocessable) std::abort();
    if (parsed.error().message.empty()) std::abort();
    return 0;
  }
  const chirp::SearchQuery& query = *parsed;
  size_t terms = CheckTerms(query.words, false) + CheckTerms(query.phrases, false) +
                 CheckTerms(query.excluded_words, false) +
                 CheckTerms(query.excluded_phrases, false) + CheckTerms(query.tags, true) +
                 CheckTerms(query.excluded_tags, true) + CheckTerms(query.from, true) +
                 CheckTerms(query.excluded_from, true) + CheckTerms(query.languages, true) +
                 CheckTerms(query.excluded_languages, true);
  for (const std::vector<std::string>* tags : {&query.tags, &query.excluded_tags}) {
    for (const std::string& tag : *tags) {
      if (tag.find('#') != std::string::npos) std::abort();
    }
  }
  for (const std::vector<std::string>* words : {&query.words, &query.excluded_words}) {
    for (const std::string& word : *words) {
      if (word.find_first_of(" \t\n") != std::string::npos) std::abort();  // spaces separate
    }
  }
  for (const std::vector<std::string>* from : {&query.from, &query.excluded_from}) {
    for (const std::string& account : *from) {
      if (account.front() == '@') std::abort();
    }
  }
  for (const std::vector<std::string>* codes : {&query.languages, &query.excluded_languages}) {
    for (const std::string& code : *codes) {
      if (code.size() < 2 || code.size() > 3) std::abort();
    }
  }
  if ((query.required_features | query.excluded_features) & ~kAllFeatures) std::abort();
  if (terms > chirp::kMaxSearchTerms) std::abort();
  if (query.HasText() && query.Empty()) std::abort();
  return 0;
}
