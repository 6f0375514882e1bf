// The search index of the scaled-out deployment: PostgreSQL full-text
// search in the store's database (tables search_*, made by the store's
// migrations), one index shared by every process, kept by one indexer lane
// at a time among them (search/search_indexer.h) and read by all.
//
// The tokens are made by Chirp (search/search_text.h), not by a text search
// configuration: the index holds each status's tokens with their positions
// as a tsvector, and a query is a tsquery of quoted tokens (a phrase's
// joined by <->), so both deployments split, fold and match text the same
// way and nothing a user types is read as query syntax. Statuses are found
// newest first by walking the primary key backwards or, for rare words, by
// the text's GIN index, as PostgreSQL's planner chooses from its
// statistics.
//
// Thread safety: as SearchIndex (search/search_index.h); each call takes a
// connection of the index's own pool.
#pragma once

#include <memory>
#include <string>

#include "search/search_index.h"
#include "store/postgres/pg_pool.h"

namespace chirp {

struct PgSearchIndexOptions {
  PgConnOptions conn;   // the store's database (its migrations made the tables)
  int connections = 8;  // the pool's size: callers beyond it wait
  int acquire_timeout_ms = 5000;
  // A status search running longer is cancelled (kUnavailable): a search
  // for a common word that the reader may find little of walks many rows.
  int status_query_timeout_ms = 2000;
};

class PgSearchIndex final : public SearchIndex {
 public:
  // Connects once to check that the tables exist (the store's migrations
  // ran).
  static Result<std::unique_ptr<PgSearchIndex>> Open(const PgSearchIndexOptions& options);

  Status Write(const std::function<Status(SearchIndexWriter&)>& writes) override;
  Result<std::vector<int64_t>> FindStatuses(const StatusSearch& search) override;
  Result<std::vector<int64_t>> FindAccounts(const AccountSearch& search) override;
  Result<std::vector<std::string>> FindTags(std::string_view prefix, int limit,
                                            int offset) override;
  Result<std::vector<TagDay>> TagHistory(std::string_view tag, int64_t now_ms, int days) override;
  Result<int64_t> CountStatuses() override;
  Result<bool> HoldsStatuses() override;
  Status Clear() override;
  Result<int64_t> Bytes() override;  // its tables and their indexes
  // Closes the pool's connections and refuses every later call.
  void Close() { pool_.Close(); }

 private:
  explicit PgSearchIndex(const PgSearchIndexOptions& options);

  const int status_query_timeout_ms_;
  PgPool pool_;
};

}  // namespace chirp
