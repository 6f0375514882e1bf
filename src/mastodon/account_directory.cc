#include "mastodon/account_directory.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <mutex>

#include "core/resident_bytes.h"
#include "core/text.h"
#include "mastodon/entities.h"

namespace chirp {
namespace {

// The block holding a shared_ptr's counts, beside what it points to.
constexpr size_t kSharedBlock = 16;

}  // namespace

AccountRef AccountDirectory::Insert(Account account, int64_t as_of_event, uint64_t loaded_at) {
  auto ref = std::make_shared<const Account>(std::move(account));
  std::unique_lock lock(mu_);
  if (loaded_at != forgets_) return ref;  // raced with a change
  auto [it, inserted] = by_id_.try_emplace(ref->id, Entry{ref, as_of_event});
  if (!inserted) return it->second.account;
  id_by_username_[AsciiLower(ref->username)] = ref->id;
  return ref;
}

Result<AccountRef> AccountDirectory::Get(int64_t id) {
  uint64_t generation;
  {
    std::shared_lock lock(mu_);
    auto it = by_id_.find(id);
    if (it != by_id_.end()) return it->second.account;
    generation = forgets_;
  }
  auto loaded = store_.FindAccountAsOf(id);
  if (!loaded) return std::move(loaded).error();
  return Insert(std::move(loaded->account), loaded->as_of_event, generation);
}

Result<AccountRef> AccountDirectory::GetByUsername(std::string_view username) {
  const std::string key = AsciiLower(username);
  uint64_t generation;
  {
    std::shared_lock lock(mu_);
    generation = forgets_;
    auto it = id_by_username_.find(key);
    if (it != id_by_username_.end()) {
      auto found = by_id_.find(it->second);
      if (found != by_id_.end()) return found->second.account;
    }
  }
  auto loaded = store_.FindAccountByUsername(key);
  if (!loaded) return std::move(loaded).error();
  return Insert(std::move(loaded).value(), /*as_of_event=*/0, generation);
}

Result<std::shared_ptr<const std::string>> AccountDirectory::Json(int64_t id,
                                                                  const std::string& base_url) {
  if (auto held = rendered_.Find(id); held != nullptr && held->base_url == base_url) {
    return held->json;
  }
  const uint64_t token = rendered_.LoadToken(id);
  auto account = Get(id);
  if (!account) return std::move(account).error();
  auto rendered = std::make_shared<Rendered>();
  rendered->base_url = base_url;
  rendered->json =
      std::make_shared<const std::string>(boost::json::serialize(AccountJson(**account, base_url)));
  auto json = rendered->json;
  rendered_.Insert(id, std::move(rendered), token);
  return json;
}

void AccountDirectory::Forget(int64_t id) {
  std::unique_lock lock(mu_);
  ++forgets_;
  by_id_.erase(id);
  rendered_.Forget(id);
}

// Whether the entry shows event `event_id` already.
bool AccountDirectory::Shows(const Entry& e, int64_t event_id) {
  return e.as_of_event >= event_id || std::find(e.applied_ahead.begin(), e.applied_ahead.end(),
                                                event_id) != e.applied_ahead.end();
}

Status AccountDirectory::Reload(int64_t id, int64_t event_id) {
  {
    // The common case, an entry that shows the event (its writer applied
    // it), without holding up the readers.
    std::shared_lock lock(mu_);
    auto it = by_id_.find(id);
    if (it != by_id_.end() && Shows(it->second, event_id)) return {};
  }
  uint64_t generation;
  {
    std::unique_lock lock(mu_);
    auto it = by_id_.find(id);
    if (it != by_id_.end() && Shows(it->second, event_id)) return {};
    ++forgets_;  // a load in flight may predate the change
    rendered_.Forget(id);
    if (it == by_id_.end()) return {};
    generation = forgets_;
  }
  auto loaded = store_.FindAccountAsOf(id);
  if (!loaded && loaded.error().code != ErrorCode::kNotFound) return std::move(loaded).error();
  std::unique_lock lock(mu_);
  if (!loaded || forgets_ != generation) {  // gone, or changed again meanwhile
    ++forgets_;
    by_id_.erase(id);
    rendered_.Forget(id);
    return {};
  }
  by_id_[id] =
      Entry{std::make_shared<const Account>(std::move(loaded->account)), loaded->as_of_event};
  rendered_.Forget(id);
  return {};
}

void AccountDirectory::CountOwnStatus(int64_t id, int64_t event_id, bool counted,
                                      int64_t created_at_ms) {
  std::unique_lock lock(mu_);
  ++forgets_;  // a load in flight may predate the write
  rendered_.Forget(id);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  Entry& e = it->second;
  if (e.as_of_event >= event_id) return;  // loaded after the write: shows it
  auto updated = std::make_shared<Account>(*e.account);
  if (counted) updated->statuses_count += 1;
  updated->last_status_at_ms = std::max(updated->last_status_at_ms, created_at_ms);
  e.account = std::move(updated);
  // The event stream passes over these within moments; the oldest are let
  // go (an event no longer listed only costs its pass a reload).
  if (e.applied_ahead.size() >= kAppliedAheadKept) e.applied_ahead.erase(e.applied_ahead.begin());
  e.applied_ahead.push_back(event_id);
}

size_t AccountDirectory::size() const {
  std::shared_lock lock(mu_);
  return by_id_.size();
}

size_t AccountDirectory::Rendered::ResidentBytes() const {
  return sizeof(Rendered) + HeapBytes(base_url) +
         (json != nullptr ? sizeof(std::string) + kSharedBlock + HeapBytes(*json) : 0);
}

size_t AccountDirectory::bytes() const {
  // A map node: the link, the key and the value, and the bucket.
  constexpr size_t kNode = 2 * sizeof(void*) + sizeof(int64_t);
  size_t n = rendered_.bytes();
  std::shared_lock lock(mu_);
  for (const auto& [id, entry] : by_id_) {
    n += kNode + sizeof(Entry) + HeapBytes(entry.applied_ahead);
    const Account& a = *entry.account;
    n += kSharedBlock + sizeof(Account) + HeapBytes(a.username) + HeapBytes(a.display_name) +
         HeapBytes(a.note) + HeapBytes(a.fields) + HeapBytes(a.default_privacy) +
         HeapBytes(a.default_language);
    for (const ProfileField& f : a.fields) n += HeapBytes(f.name) + HeapBytes(f.value);
  }
  for (const auto& [name, id] : id_by_username_) {
    n += kNode + sizeof(std::string) + HeapBytes(name);
  }
  return n;
}

}  // namespace chirp
