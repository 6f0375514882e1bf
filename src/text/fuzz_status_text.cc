// Fuzzes the status text pipeline: parsing, counting and rendering must accept
// any bytes, and what they produce must fit the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "text/status_text.h"

namespace {

std::optional<chirp::ResolvedMention> ResolveAlice(std::string_view username,
                                                   std::string_view domain) {
  if (username != "alice" || !domain.empty()) return std::nullopt;
  return chirp::ResolvedMention{1, "alice", "https://chirp.example/@alice"};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const chirp::ParsedStatusText parsed = chirp::ParseStatusText(text);
  size_t previous_end = 0;
  for (const chirp::TextEntity& entity : parsed.entities) {
    if (entity.begin < previous_end || entity.end <= entity.begin || entity.end > size)
      std::abort();
    previous_end = entity.end;
  }
  for (const std::string& key : chirp::NormalizedTags(parsed)) {
    if (key.empty()) std::abort();  // NormalizedTags lists no empty key
  }
  (void)chirp::CountStatusLength(text);
  if (chirp::CountGraphemes(text) > size) std::abort();  // never more clusters than bytes
  std::vector<chirp::ResolvedMention> resolved;
  const std::string html =
      chirp::RenderStatusHtml(text, parsed, ResolveAlice, "https://chirp.example", &resolved);
  if (resolved.size() > 1) std::abort();
  return 0;
}
