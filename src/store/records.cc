#include "store/records.h"

namespace chirp {

std::string RedirectUrisToText(const std::vector<std::string>& uris) {
  std::string out;
  for (const auto& uri : uris) {
    if (!out.empty()) out += '\n';
    out += uri;
  }
  return out;
}

std::vector<std::string> RedirectUrisFromText(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace chirp
