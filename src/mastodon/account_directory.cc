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
// A map node: the link, the key and the value, and the bucket.
constexpr size_t kNode = 2 * sizeof(void*) + sizeof(int64_t);
// Rendered JSON held at most, whatever the budget in bytes.
constexpr size_t kMaxRendered = 1 << 20;

}  // namespace

AccountDirectory::AccountDirectory(Store& store, size_t max_bytes)
    : store_(store), max_entry_bytes_(max_bytes / 2), rendered_(kMaxRendered, max_bytes / 2) {}

size_t AccountDirectory::Weigh(const Entry& e) {
  const Account& a = *e.account;
  size_t n = kNode + sizeof(Entry) + HeapBytes(e.applied_ahead);
  n += kSharedBlock + sizeof(Account) + HeapBytes(a.username) + HeapBytes(a.display_name) +
       HeapBytes(a.note) + HeapBytes(a.fields) + HeapBytes(a.default_privacy) +
       HeapBytes(a.default_language);
  for (const ProfileField& f : a.fields) n += HeapBytes(f.name) + HeapBytes(f.value);
  // Its username's node in id_by_username_, lower-cased alike, and its
  // place in the order of loads.
  n += kNode + sizeof(std::string) + HeapBytes(a.username) + sizeof(std::pair<int64_t, uint64_t>);
  return n;
}

void AccountDirectory::Put(Entry e) {
  const int64_t id = e.account->id;
  e.bytes = Weigh(e);
  auto [it, inserted] = by_id_.try_emplace(id);
  if (inserted) {
    e.loaded = ++loads_;
    load_order_.emplace_back(id, e.loaded);
    id_by_username_[AsciiLower(e.account->username)] = id;
  } else {
    e.loaded = it->second.loaded;
    entry_bytes_ -= it->second.bytes;
  }
  entry_bytes_ += e.bytes;
  it->second = std::move(e);
  while (entry_bytes_ > max_entry_bytes_ && by_id_.size() > 1 && !load_order_.empty()) {
    const auto [oldest, loaded] = load_order_.front();
    load_order_.pop_front();
    auto victim = by_id_.find(oldest);
    if (victim == by_id_.end() || victim->second.loaded != loaded) continue;
    if (oldest == id) {
      load_order_.emplace_back(oldest, loaded);  // the one just put stays
    } else {
      Drop(oldest);
    }
  }
  // Pairs left by dropped accounts go once they outnumber the live ones.
  if (load_order_.size() > 2 * by_id_.size() + 64) {
    std::erase_if(load_order_, [&](const std::pair<int64_t, uint64_t>& p) {
      auto held = by_id_.find(p.first);
      return held == by_id_.end() || held->second.loaded != p.second;
    });
  }
}

void AccountDirectory::Drop(int64_t id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  auto name = id_by_username_.find(AsciiLower(it->second.account->username));
  if (name != id_by_username_.end() && name->second == id) id_by_username_.erase(name);
  entry_bytes_ -= it->second.bytes;
  by_id_.erase(it);
}

AccountRef AccountDirectory::Insert(Account account, int64_t as_of_event, uint64_t loaded_at) {
  auto ref = std::make_shared<const Account>(std::move(account));
  std::unique_lock lock(mu_);
  if (loaded_at != forgets_) return ref;  // raced with a change
  auto held = by_id_.find(ref->id);
  if (held != by_id_.end()) return held->second.account;
  Put(Entry{ref, as_of_event});
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
  Drop(id);
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
    Drop(id);
    rendered_.Forget(id);
    return {};
  }
  Put(Entry{std::make_shared<const Account>(std::move(loaded->account)), loaded->as_of_event});
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
  Entry e = it->second;
  if (e.as_of_event >= event_id) return;  // loaded after the write: shows it
  auto updated = std::make_shared<Account>(*e.account);
  if (counted) updated->statuses_count += 1;
  updated->last_status_at_ms = std::max(updated->last_status_at_ms, created_at_ms);
  e.account = std::move(updated);
  // The event stream passes over these within moments; the oldest are let
  // go (an event no longer listed only costs its pass a reload).
  if (e.applied_ahead.size() >= kAppliedAheadKept) e.applied_ahead.erase(e.applied_ahead.begin());
  e.applied_ahead.push_back(event_id);
  Put(std::move(e));
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
  const size_t rendered = rendered_.bytes();
  std::shared_lock lock(mu_);
  return rendered + entry_bytes_;
}

}  // namespace chirp
