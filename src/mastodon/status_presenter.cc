#include "mastodon/status_presenter.h"

#include <unordered_map>
#include <unordered_set>

#include "mastodon/entities.h"
#include "social/status_access.h"

namespace chirp {

Result<ViewerRef> StatusPresenter::Viewer() {
  if (viewer_ == nullptr) {
    auto loaded = read_.viewers.Get(viewer_id_);
    if (!loaded) return std::move(loaded).error();
    viewer_ = std::move(loaded).value();
  }
  return viewer_;
}

Result<bool> StatusPresenter::Visible(const StatusRecord& status) {
  auto viewer = Viewer();
  if (!viewer) return std::move(viewer).error();
  return MayView(read_.statuses, (*viewer)->visibility, status);
}

Status StatusPresenter::AppendVisible(std::string& out, const std::vector<StatusRef>& statuses,
                                      bool source_requested) {
  if (statuses.empty()) return {};
  auto viewer_state = Viewer();
  if (!viewer_state) return std::move(viewer_state).error();
  const ViewerState& viewer = **viewer_state;
  const ViewerVisibility& visibility = viewer.visibility;

  // The statuses reblogs wrap, in one read.
  std::vector<int64_t> original_ids;
  for (const StatusRef& s : statuses) {
    if (s->record.reblog_of_id != 0) original_ids.push_back(s->record.reblog_of_id);
  }
  std::unordered_map<int64_t, StatusRef> originals;
  if (!original_ids.empty()) {
    auto found = read_.statuses.GetMany(original_ids, base_url_);
    if (!found) return std::move(found).error();
    for (StatusRef& o : *found) originals.emplace(o->record.id, std::move(o));
  }
  // The viewer's favourites, reblogs and bookmarks among what is shown:
  // from the viewer's state, and from the store for statuses older than it
  // holds.
  std::unordered_set<int64_t> old_favourited;
  std::unordered_set<int64_t> old_reblogged;
  std::unordered_set<int64_t> old_bookmarked;
  if (viewer_id_ != 0) {
    std::vector<int64_t> old;
    for (const StatusRef& s : statuses) {
      const int64_t shown = s->record.reblog_of_id != 0 ? s->record.reblog_of_id : s->record.id;
      if (!viewer.Covers(shown)) old.push_back(shown);
    }
    if (!old.empty()) {
      auto done = read_.store.InteractionsAmong(viewer_id_, old);
      if (!done) return std::move(done).error();
      old_favourited.insert(done->favourited.begin(), done->favourited.end());
      old_reblogged.insert(done->reblogged.begin(), done->reblogged.end());
      old_bookmarked.insert(done->bookmarked.begin(), done->bookmarked.end());
    }
  }

  std::string inner;
  bool first = true;
  for (const StatusRef& s : statuses) {
    const StatusRecord& record = s->record;
    if (!visibility.CanSee(record)) continue;
    const CachedStatus* original = nullptr;
    if (record.reblog_of_id != 0) {
      auto it = originals.find(record.reblog_of_id);
      if (it == originals.end() || !visibility.CanSee(it->second->record)) continue;
      original = it->second.get();
    }
    if (hide_muted_) {
      const bool muted = (record.account_id != viewer_id_ && visibility.Mutes(record.account_id)) ||
                         (original != nullptr && original->record.account_id != viewer_id_ &&
                          visibility.Mutes(original->record.account_id));
      if (muted) continue;
    }
    const int64_t shown = original != nullptr ? original->record.id : record.id;
    ViewerFlags flags;
    if (viewer.Covers(shown)) {
      flags.favourited = viewer.Favourited(shown);
      flags.reblogged = viewer.Reblogged(shown);
      flags.bookmarked = viewer.Bookmarked(shown);
    } else {
      flags.favourited = old_favourited.contains(shown);
      flags.reblogged = old_reblogged.contains(shown);
      flags.bookmarked = old_bookmarked.contains(shown);
    }
    const ViewerFlags* shown_flags = viewer_id_ != 0 ? &flags : nullptr;

    inner.clear();
    if (original != nullptr) {
      ViewerFlags original_flags = flags;
      original_flags.is_author = viewer_id_ != 0 && viewer_id_ == original->record.account_id;
      Status appended = read_.accounts.WithJson(
          original->record.account_id, base_url_, [&](std::string_view account) {
            AppendStatusJson(inner, {.status = original->record,
                                     .fixed = original->fixed,
                                     .account = account,
                                     .reblog = {},
                                     .viewer = viewer_id_ != 0 ? &original_flags : nullptr});
          });
      if (!appended) return std::move(appended).error();
    }
    flags.is_author = viewer_id_ != 0 && viewer_id_ == record.account_id;
    StatusRef source;
    std::string_view fixed = s->fixed;
    if (source_requested) {
      auto rendered = read_.statuses.RenderSource(record.id, base_url_);
      if (!rendered) return std::move(rendered).error();
      source = std::move(rendered).value();
      fixed = source->fixed;
    }
    if (!first) out += ',';
    first = false;
    Status appended =
        read_.accounts.WithJson(record.account_id, base_url_, [&](std::string_view account) {
          AppendStatusJson(out, {.status = record,
                                 .fixed = fixed,
                                 .account = account,
                                 .reblog = inner,
                                 .viewer = shown_flags});
        });
    if (!appended) return std::move(appended).error();
  }
  return {};
}

Result<std::string> StatusPresenter::RenderVisible(const std::vector<StatusRef>& statuses) {
  std::string out;
  // About what the page takes: each status's fixed part, an account, and
  // the counters and flags.
  size_t estimate = 2;
  for (const StatusRef& s : statuses) estimate += s->fixed.size() + 1536;
  out.reserve(estimate);
  out += '[';
  if (Status s = AppendVisible(out, statuses, false); !s) return std::move(s).error();
  out += ']';
  return out;
}

Result<std::string> StatusPresenter::RenderVisibleIds(const std::vector<int64_t>& ids) {
  auto statuses = read_.statuses.GetMany(ids, base_url_);
  if (!statuses) return std::move(statuses).error();
  return RenderVisible(*statuses);
}

Result<std::string> StatusPresenter::Render(const StatusRef& status, bool source_requested) {
  std::string out;
  if (Status s = AppendVisible(out, {status}, source_requested); !s) return std::move(s).error();
  if (out.empty()) return Error::NotFound();
  return out;
}

}  // namespace chirp
