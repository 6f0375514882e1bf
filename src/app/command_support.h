// What chirpd's commands share: reporting a failure and opening the store
// a configuration names.
#pragma once

#include <memory>
#include <string>

#include "app/config.h"
#include "core/clock.h"
#include "core/error.h"
#include "search/sqlite_search_index.h"
#include "store/store.h"

namespace chirp {

// Prints "chirpd: MESSAGE" to stderr; returns the exit status of a failed
// command (2).
int Fail(const std::string& message);

// The process environment, for ParseConfig.
std::string Env(const std::string& name);

// The store the configuration names, migrated to the current schema:
// PostgreSQL at config.database.url when set, else the embedded store in
// config.data_dir (created when missing), its writer with a page cache of
// `writer_cache_mib`.
Result<std::unique_ptr<Store>> OpenStore(const Config& config, int writer_cache_mib = 64);

// The name of the search indexer's lane, under which its cursor is saved.
inline constexpr char kSearchIndexerLane[] = "search_indexer";

// The search index in config.data_dir (created when missing).
Result<std::unique_ptr<SqliteSearchIndex>> OpenSearchIndex(const Config& config);

// Rebuilds the search index from the store and saves the indexer's cursor
// at the outbox's end as it was before the rebuild (what came after is
// indexed again by the lane, idempotently). Progress on stderr.
Status ReindexSearch(Store& store, SearchIndex& index, const Clock& clock);

// The indexer's cursor while its index is behind the outbox for good (a
// run without search trimmed the outbox past it): no event has this id.
inline constexpr int64_t kStaleSearchCursor = -1;

// Before the indexer's lane opens: rebuilds the index when it has never
// been built beside this store (no cursor saved), when a run without search
// left it behind (kStaleSearchCursor, see MarkSearchIndexStale), or when it
// holds nothing while the store holds accounts (its file was removed).
Status PrepareSearchIndex(Store& store, SearchIndex& index, const Clock& clock);

// For a run with search off: the outbox is trimmed without waiting for the
// indexer, so its cursor is set to kStaleSearchCursor and the next run with
// search rebuilds the index.
Status MarkSearchIndexStale(Store& store, const Clock& clock);

}  // namespace chirp
