#include "api/status_presenter.h"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "api/entities.h"
#include "social/visibility.h"

namespace chirp {
namespace json = boost::json;

Result<bool> StatusPresenter::Visible(const StatusRecord& status) {
  auto visibility = ViewerVisibility::Load(ctx_.store, viewer_id_, ctx_.clock.NowMillis());
  if (!visibility) return std::move(visibility).error();
  if (!visibility->CanSee(status)) return false;
  if (status.reblog_of_id == 0) return true;
  auto original = ctx_.store.FindStatus(status.reblog_of_id);
  if (!original)
    return original.error().code == ErrorCode::kNotFound ? Result<bool>(false) : original.error();
  return visibility->CanSee(*original);
}

Result<json::object> StatusPresenter::RenderUnchecked(const StatusRecord& status,
                                                      const StatusRecord* original, bool favourited,
                                                      bool reblogged, bool source_requested) {
  auto author = ctx_.accounts.Get(status.account_id);
  if (!author) return std::move(author).error();
  std::vector<AccountRef> keep;
  std::vector<const Account*> mentioned;
  for (int64_t id : status.mentioned_account_ids) {
    auto a = ctx_.accounts.Get(id);
    if (!a) continue;
    mentioned.push_back(a->get());
    keep.push_back(std::move(a).value());
  }
  ViewerFlags flags{favourited, reblogged, viewer_id_ != 0 && viewer_id_ == status.account_id};
  json::value inner(nullptr, sp_);
  if (original != nullptr) {
    auto rendered = RenderUnchecked(*original, nullptr, favourited, reblogged, false);
    if (!rendered) return std::move(rendered).error();
    inner = std::move(rendered).value();
  }
  return StatusJson(status, **author, mentioned, std::move(inner),
                    viewer_id_ != 0 ? &flags : nullptr, base_url_, source_requested, sp_);
}

Result<std::vector<json::object>> StatusPresenter::RenderList(
    const std::vector<StatusRecord>& statuses, bool source_requested) {
  std::vector<json::object> out;
  if (statuses.empty()) return out;
  std::optional<ViewerVisibility> loaded;
  if (preloaded_ == nullptr) {
    auto v = ViewerVisibility::Load(ctx_.store, viewer_id_, ctx_.clock.NowMillis());
    if (!v) return std::move(v).error();
    loaded = std::move(v).value();
  }
  const ViewerVisibility* visibility = preloaded_ != nullptr ? preloaded_ : &*loaded;
  // The statuses reblogs wrap, in one read.
  std::vector<int64_t> original_ids;
  for (const StatusRecord& s : statuses) {
    if (s.reblog_of_id != 0) original_ids.push_back(s.reblog_of_id);
  }
  std::unordered_map<int64_t, StatusRecord> originals;
  if (!original_ids.empty()) {
    auto found = ctx_.store.FindStatuses(original_ids);
    if (!found) return std::move(found).error();
    for (StatusRecord& o : *found) originals.emplace(o.id, std::move(o));
  }
  // The viewer's favourites and reblogs among what is shown, in two reads.
  std::unordered_set<int64_t> favourited;
  std::unordered_set<int64_t> reblogged;
  if (viewer_id_ != 0) {
    std::vector<int64_t> shown;
    for (const StatusRecord& s : statuses)
      shown.push_back(s.reblog_of_id != 0 ? s.reblog_of_id : s.id);
    auto f = ctx_.store.FavouritedAmong(viewer_id_, shown);
    if (!f) return std::move(f).error();
    favourited.insert(f->begin(), f->end());
    auto r = ctx_.store.RebloggedAmong(viewer_id_, shown);
    if (!r) return std::move(r).error();
    reblogged.insert(r->begin(), r->end());
  }
  for (const StatusRecord& s : statuses) {
    if (!visibility->CanSee(s)) continue;
    const StatusRecord* original = nullptr;
    if (s.reblog_of_id != 0) {
      auto it = originals.find(s.reblog_of_id);
      if (it == originals.end() || !visibility->CanSee(it->second)) continue;
      original = &it->second;
    }
    if (hide_muted_) {
      const bool muted = (s.account_id != viewer_id_ && visibility->Mutes(s.account_id)) ||
                         (original != nullptr && original->account_id != viewer_id_ &&
                          visibility->Mutes(original->account_id));
      if (muted) continue;
    }
    const int64_t shown = original != nullptr ? original->id : s.id;
    auto rendered = RenderUnchecked(s, original, favourited.contains(shown),
                                    reblogged.contains(shown), source_requested);
    if (!rendered) return std::move(rendered).error();
    out.push_back(std::move(rendered).value());
  }
  return out;
}

Result<json::object> StatusPresenter::Render(const StatusRecord& status, bool source_requested) {
  auto rendered = RenderList({status}, source_requested);
  if (!rendered) return std::move(rendered).error();
  if (rendered->empty()) return Error::NotFound();
  return std::move(rendered->front());
}

Result<json::array> StatusPresenter::RenderVisible(const std::vector<StatusRecord>& statuses) {
  auto rendered = RenderList(statuses, false);
  if (!rendered) return std::move(rendered).error();
  json::array out(sp_);
  out.reserve(rendered->size());
  for (json::object& o : *rendered) out.push_back(std::move(o));
  return out;
}

}  // namespace chirp
