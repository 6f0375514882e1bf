#include "api/status_presenter.h"

#include <algorithm>

#include "api/entities.h"
#include "social/visibility.h"

namespace chirp {
namespace json = boost::json;

Result<bool> StatusPresenter::Visible(const StatusRecord& status) {
  auto own = CanSee(ctx_.store, viewer_id_, status);
  if (!own || !*own || status.reblog_of_id == 0) return own;
  auto original = ctx_.store.FindStatus(status.reblog_of_id);
  if (!original) return original.error().code == ErrorCode::kNotFound ? Result<bool>(false) : original.error();
  return CanSee(ctx_.store, viewer_id_, *original);
}

Result<json::object> StatusPresenter::RenderUnchecked(const StatusRecord& status, const StatusRecord* original,
                                                      bool source_requested) {
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
  json::value inner = nullptr;
  if (original != nullptr) {
    auto rendered = RenderUnchecked(*original, nullptr, false);
    if (!rendered) return std::move(rendered).error();
    inner = std::move(rendered).value();
  }
  ViewerFlags flags;
  if (viewer_id_ != 0) {
    const int64_t target = original != nullptr ? original->id : status.id;
    auto favourited = ctx_.store.FavouritedAmong(viewer_id_, {target});
    if (!favourited) return std::move(favourited).error();
    auto reblogged = ctx_.store.RebloggedAmong(viewer_id_, {target});
    if (!reblogged) return std::move(reblogged).error();
    flags.favourited = !favourited->empty();
    flags.reblogged = !reblogged->empty();
    flags.is_author = viewer_id_ == status.account_id;
    if (inner.is_object()) {
      inner.as_object()["favourited"] = flags.favourited;
      inner.as_object()["reblogged"] = flags.reblogged;
    }
  }
  return StatusJson(status, **author, mentioned, std::move(inner), viewer_id_ != 0 ? &flags : nullptr, base_url_,
                    source_requested);
}

Result<json::object> StatusPresenter::Render(const StatusRecord& status, bool source_requested) {
  auto visible = Visible(status);
  if (!visible) return std::move(visible).error();
  if (!*visible) return Error::NotFound();
  if (status.reblog_of_id == 0) return RenderUnchecked(status, nullptr, source_requested);
  auto original = ctx_.store.FindStatus(status.reblog_of_id);
  if (!original) return std::move(original).error();
  return RenderUnchecked(status, &*original, source_requested);
}

Result<json::array> StatusPresenter::RenderVisible(const std::vector<StatusRecord>& statuses) {
  json::array out;
  for (const StatusRecord& s : statuses) {
    auto rendered = Render(s);
    if (rendered) {
      out.push_back(std::move(rendered).value());
    } else if (rendered.error().code != ErrorCode::kNotFound) {
      return std::move(rendered).error();
    }
  }
  return out;
}

}  // namespace chirp
