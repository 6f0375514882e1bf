#include "search/search_index.h"

#include "core/text.h"

namespace chirp {

int64_t SingleAuthor(const StatusSearch& search) {
  int64_t author = search.account_id;
  for (int64_t id : search.from_ids) {
    if (author != 0 && author != id) return -1;
    author = id;
  }
  return author;
}

std::string AccountPrefix(std::string_view typed) {
  std::string prefix(TrimAscii(typed));
  if (prefix.starts_with('@')) prefix.erase(0, 1);
  if (const size_t at = prefix.find('@'); at != std::string::npos) prefix.erase(at);
  return prefix;
}

std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(prefix.back());
    if (last < 0xff) {
      ++last;
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

}  // namespace chirp
