#include "search/search_indexer.h"

#include <algorithm>
#include <map>
#include <set>

#include "text/status_text.h"

namespace chirp {
namespace {

// Statuses, accounts and favourites read at a time by a rebuild.
constexpr int kRebuildBatch = 20000;

uint32_t FeaturesOf(const StatusRecord& status) {
  uint32_t features = 0;
  if (status.in_reply_to_id != 0) features |= kIsReply;
  if (status.sensitive) features |= kIsSensitive;
  if (!status.media_ids.empty()) features |= kHasMedia;
  for (const MediaAttachment& m : status.media) {
    if (m.type == MediaType::kImage) features |= kHasImage;
    if (m.type == MediaType::kVideo || m.type == MediaType::kGifv) features |= kHasVideo;
    if (m.type == MediaType::kAudio) features |= kHasAudio;
  }
  for (const TextEntity& e : ParseStatusText(status.text).entities) {
    if (e.kind == EntityKind::kLink) features |= kHasLink;
  }
  return features;
}

}  // namespace

IndexedStatus IndexEntryOf(const StatusRecord& status) {
  IndexedStatus entry{.id = status.id,
                      .author_id = status.account_id,
                      .visibility = status.visibility,
                      .features = FeaturesOf(status),
                      .language = status.language,
                      .tags = status.tags,
                      .mentioned_ids = status.mentioned_account_ids};
  entry.text = status.spoiler_text;
  if (!entry.text.empty()) entry.text += '\n';
  entry.text += status.text;
  return entry;
}

IndexedAccount IndexEntryOf(const Account& account) {
  return {.id = account.id,
          .username = account.username,
          .display_name = account.display_name,
          .indexable = account.indexable,
          .followers_count = account.followers_count,
          .last_status_at_ms = account.last_status_at_ms};
}

Status SearchIndexer::Handle(const OutboxEvent& event) {
  switch (event.kind) {
    case EventKind::kStatusCreated:
    case EventKind::kStatusDeleted:
    case EventKind::kFavourited:
    case EventKind::kUnfavourited:
    case EventKind::kBookmarked:
    case EventKind::kUnbookmarked:
    case EventKind::kNotificationAdded:
    case EventKind::kFollowed:
    case EventKind::kUnfollowed:
    case EventKind::kAccountCreated:
    case EventKind::kAccountUpdated:
      pending_.push_back(
          {event.kind, event.account_id, event.subject_id, event.related_id, event.flags});
      break;
    default:
      break;
  }
  return {};
}

Status SearchIndexer::Flush() {
  if (pending_.empty()) return {};
  std::vector<Change> changes;
  changes.swap(pending_);  // dropped whatever happens: a failed batch is handed out again

  // What the batch must read: the statuses posted (those deleted since are
  // not found and stay out), the accounts whose names or settings changed,
  // and the follower counts of those followed or unfollowed. Authors only
  // get the time of their latest status, which the event carries.
  std::vector<int64_t> status_ids;
  std::set<int64_t> profiles;
  std::set<int64_t> followed;
  std::map<int64_t, int64_t> latest_status_at;
  for (const Change& c : changes) {
    switch (c.kind) {
      case EventKind::kStatusCreated:
        if ((c.flags & kEventReblog) == 0) status_ids.push_back(c.subject_id);
        latest_status_at[c.account_id] = std::max(latest_status_at[c.account_id], c.at_ms);
        break;
      case EventKind::kFollowed:
      case EventKind::kUnfollowed:
        followed.insert(c.subject_id);
        break;
      case EventKind::kAccountCreated:
      case EventKind::kAccountUpdated:
        profiles.insert(c.account_id);
        break;
      default:
        break;
    }
  }
  std::map<int64_t, StatusRecord> statuses;
  if (!status_ids.empty()) {
    auto found = store_.FindStatuses(status_ids);
    if (!found) return std::move(found).error();
    for (StatusRecord& s : *found) statuses.emplace(s.id, std::move(s));
  }
  std::vector<Account> accounts;
  std::vector<std::pair<int64_t, int64_t>> followers;  // account, count
  for (const std::set<int64_t>* ids : {&profiles, &followed}) {
    for (int64_t id : *ids) {
      auto account = store_.FindAccount(id);
      if (!account) {
        if (account.error().code == ErrorCode::kNotFound) continue;
        return std::move(account).error();
      }
      if (ids == &profiles) {
        accounts.push_back(std::move(account).value());
      } else {
        followers.emplace_back(id, account->followers_count);
      }
    }
  }

  return index_.Write([&](SearchIndexWriter& w) -> Status {
    for (const Change& c : changes) {
      const bool reblog = (c.flags & kEventReblog) != 0;
      Status s;
      switch (c.kind) {
        case EventKind::kStatusCreated:
          if (reblog) {
            s = w.AddToLibrary(c.account_id, c.related_id, kLibraryReblog);
          } else if (auto it = statuses.find(c.subject_id); it != statuses.end()) {
            s = w.PutStatus(IndexEntryOf(it->second));
          }
          break;
        case EventKind::kStatusDeleted:
          s = reblog ? w.RemoveFromLibrary(c.account_id, c.related_id, kLibraryReblog)
                     : w.RemoveStatus(c.subject_id);
          break;
        case EventKind::kFavourited:
          s = w.AddToLibrary(c.account_id, c.subject_id, kLibraryFavourite);
          break;
        case EventKind::kUnfavourited:
          s = w.RemoveFromLibrary(c.account_id, c.subject_id, kLibraryFavourite);
          break;
        case EventKind::kBookmarked:
          s = w.AddToLibrary(c.account_id, c.subject_id, kLibraryBookmark);
          break;
        case EventKind::kUnbookmarked:
          s = w.RemoveFromLibrary(c.account_id, c.subject_id, kLibraryBookmark);
          break;
        default:
          break;
      }
      if (!s) return s;
    }
    for (const Account& a : accounts) {
      if (Status s = w.PutAccount(IndexEntryOf(a)); !s) return s;
    }
    for (const auto& [id, count] : followers) {
      if (Status s = w.SetFollowers(id, count); !s) return s;
    }
    for (const auto& [id, at_ms] : latest_status_at) {
      if (Status s = w.NoteStatusAt(id, at_ms); !s) return s;
    }
    return {};
  });
}

Status SearchIndexer::Rebuild(Store& store, SearchIndex& index,
                              const std::function<void(int64_t)>& progress) {
  if (Status s = index.Clear(); !s) return s;
  for (int64_t after = 0;;) {
    auto accounts = store.ScanAccounts(after, kRebuildBatch);
    if (!accounts) return std::move(accounts).error();
    if (accounts->empty()) break;
    Status s = index.Write([&](SearchIndexWriter& w) -> Status {
      for (const Account& a : *accounts) {
        if (Status r = w.PutAccount(IndexEntryOf(a)); !r) return r;
      }
      return {};
    });
    if (!s) return s;
    after = accounts->back().id;
  }
  int64_t done = 0;
  for (int64_t after = 0;;) {
    auto statuses = store.ScanStatuses(after, kRebuildBatch);
    if (!statuses) return std::move(statuses).error();
    if (statuses->empty()) break;
    Status s = index.Write([&](SearchIndexWriter& w) -> Status {
      for (const StatusRecord& st : *statuses) {
        Status r = st.reblog_of_id != 0
                       ? w.AddToLibrary(st.account_id, st.reblog_of_id, kLibraryReblog)
                       : w.PutStatus(IndexEntryOf(st));
        if (!r) return r;
      }
      return {};
    });
    if (!s) return s;
    after = statuses->back().id;
    done += static_cast<int64_t>(statuses->size());
    if (progress) progress(done);
  }
  // Favourites and bookmarks, each a library entry.
  const auto scan_into_libraries = [&](auto scan, LibraryReason reason) -> Status {
    for (int64_t after = 0;;) {
      auto rows = scan(after);
      if (!rows) return std::move(rows).error();
      if (rows->empty()) return {};
      Status s = index.Write([&](SearchIndexWriter& w) -> Status {
        for (const FavouriteRow& row : *rows) {
          if (Status r = w.AddToLibrary(row.account_id, row.status_id, reason); !r) return r;
        }
        return {};
      });
      if (!s) return s;
      after = rows->back().id;
    }
  };
  if (Status s = scan_into_libraries(
          [&](int64_t after) { return store.ScanFavourites(after, kRebuildBatch); },
          kLibraryFavourite);
      !s) {
    return s;
  }
  return scan_into_libraries(
      [&](int64_t after) { return store.ScanBookmarks(after, kRebuildBatch); }, kLibraryBookmark);
}

}  // namespace chirp
