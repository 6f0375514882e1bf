#include "mastodon/status_directory.h"

#include <optional>
#include <unordered_map>

#include "core/resident_bytes.h"
#include "mastodon/entities.h"

namespace chirp {

size_t CachedStatus::ResidentBytes() const {
  return sizeof(CachedStatus) + HeapBytes(base_url) + HeapBytes(fixed) + HeapBytes(record.text) +
         HeapBytes(record.content) + HeapBytes(record.spoiler_text) + HeapBytes(record.language) +
         HeapBytes(record.media_ids) + HeapBytes(record.mentioned_account_ids) +
         HeapBytes(record.tags) + HeapBytes(record.tag_display_names);
}

Result<StatusRef> StatusDirectory::Render(const StatusRecord& status, const std::string& base_url,
                                          bool source_requested) {
  auto author = accounts_.Get(status.account_id);
  if (!author) return std::move(author).error();
  std::vector<AccountRef> keep;
  std::vector<const Account*> mentioned;
  for (int64_t id : status.mentioned_account_ids) {
    auto a = accounts_.Get(id);
    if (!a) {
      // An account that no longer exists is not listed; any other failure
      // fails the rendering, which is cached.
      if (a.error().code == ErrorCode::kNotFound) continue;
      return std::move(a).error();
    }
    mentioned.push_back(a->get());
    keep.push_back(std::move(a).value());
  }
  auto rendered = std::make_shared<CachedStatus>();
  rendered->fixed =
      StatusFixedJson(status, (*author)->username, mentioned, base_url, source_requested);
  rendered->base_url = base_url;
  rendered->record = status;
  std::string().swap(rendered->record.text);
  std::string().swap(rendered->record.content);
  return StatusRef(std::move(rendered));
}

Result<StatusRecord> StatusDirectory::FindWhole(int64_t id) { return store_.FindStatus(id); }

Result<StatusRef> StatusDirectory::RenderSource(int64_t id, const std::string& base_url) {
  auto whole = FindWhole(id);
  if (!whole) return std::move(whole).error();
  return Render(*whole, base_url, /*source_requested=*/true);
}

Result<std::vector<StatusRef>> StatusDirectory::GetMany(const std::vector<int64_t>& ids,
                                                        const std::string& base_url) {
  std::vector<StatusRef> found(ids.size());
  std::vector<int64_t> missing;
  std::unordered_map<int64_t, uint64_t> tokens;
  for (size_t i = 0; i < ids.size(); ++i) {
    StatusRef cached = cache_.Find(ids[i]);
    if (cached == nullptr) {
      if (tokens.try_emplace(ids[i], cache_.LoadToken(ids[i])).second) missing.push_back(ids[i]);
      continue;
    }
    if (cached->base_url == base_url) {
      found[i] = std::move(cached);
    } else if (tokens.try_emplace(ids[i], cache_.LoadToken(ids[i])).second) {
      // A request under another host name: read and rendered for it, and
      // not cached over the entry held (Insert keeps the first).
      missing.push_back(ids[i]);
    }
  }
  if (!missing.empty()) {
    auto loaded = store_.FindStatuses(missing);
    if (!loaded) return std::move(loaded).error();
    std::unordered_map<int64_t, StatusRef> by_id;
    for (const StatusRecord& s : *loaded) {
      auto rendered = Render(s, base_url, false);
      if (!rendered) return std::move(rendered).error();
      by_id.emplace(s.id, cache_.Insert(s.id, std::move(rendered).value(), tokens.at(s.id)));
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      if (found[i] != nullptr) continue;
      auto it = by_id.find(ids[i]);
      if (it != by_id.end()) found[i] = it->second;
    }
  }
  std::vector<StatusRef> out;
  out.reserve(ids.size());
  for (StatusRef& s : found) {
    if (s != nullptr) out.push_back(std::move(s));
  }
  return out;
}

Result<StatusRecord> StatusDirectory::FindLive(int64_t id) {
  if (StatusRef cached = cache_.Find(id); cached != nullptr) return cached->record;
  return store_.FindStatus(id);
}

Result<std::vector<StatusRecord>> StatusDirectory::FindLiveMany(const std::vector<int64_t>& ids) {
  std::vector<std::optional<StatusRecord>> found(ids.size());
  std::vector<int64_t> missing;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (StatusRef cached = cache_.Find(ids[i]); cached != nullptr) {
      found[i] = cached->record;
    } else {
      missing.push_back(ids[i]);
    }
  }
  if (!missing.empty()) {
    auto read = store_.FindStatuses(missing);
    if (!read) return std::move(read).error();
    std::unordered_map<int64_t, StatusRecord> by_id;
    for (StatusRecord& s : *read) by_id.emplace(s.id, std::move(s));
    for (size_t i = 0; i < ids.size(); ++i) {
      if (found[i]) continue;
      if (auto it = by_id.find(ids[i]); it != by_id.end()) found[i] = std::move(it->second);
    }
  }
  std::vector<StatusRecord> out;
  for (auto& s : found) {
    if (s) out.push_back(std::move(*s));
  }
  return out;
}

Result<StatusRef> StatusDirectory::Remember(const StatusRecord& stored, const std::string& base_url,
                                            uint64_t token) {
  auto rendered = Render(stored, base_url, false);
  if (!rendered) return std::move(rendered).error();
  return cache_.Insert(stored.id, std::move(rendered).value(), token);
}

Result<StatusRef> StatusDirectory::Get(int64_t id, const std::string& base_url) {
  auto found = GetMany({id}, base_url);
  if (!found) return std::move(found).error();
  if (found->empty()) return Error::NotFound();
  return std::move(found->front());
}

}  // namespace chirp
