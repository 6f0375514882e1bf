// The search index on SQLite FTS5, in a database file of its own beside
// the store's: one writer connection (the indexer's) and a few readers, in
// WAL mode so that searches never wait for indexing. The text is tokenized
// by FTS5's unicode61 with diacritics removed, after search_text.h has
// split CJK runs; statuses are found newest first by walking the index in
// id order, which costs the same for a rare word and a common one.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "search/search_index.h"
#include "store/sqlite/sqlite_db.h"

namespace chirp {

struct SqliteSearchIndexOptions {
  int readers = 4;
  int cache_mib = 16;  // each connection's page cache
  // The most work one status query may do, in SQLite's virtual machine
  // instructions (a few milliseconds): a common word that the reader may
  // find in few statuses would otherwise walk every status holding it.
  // What was found within it is the answer, with the reader's own and
  // library statuses looked for apart when the page is not full.
  uint64_t status_query_budget = 3'000'000;
};

class SqliteSearchIndex final : public SearchIndex {
 public:
  // Opens (creating when missing) the index at `path`.
  static Result<std::unique_ptr<SqliteSearchIndex>> Open(const std::string& path,
                                                         SqliteSearchIndexOptions options = {});

  Status Write(const std::function<Status(SearchIndexWriter&)>& writes) override;
  Result<std::vector<int64_t>> FindStatuses(const StatusSearch& search) override;
  Result<std::vector<int64_t>> FindAccounts(const AccountSearch& search) override;
  Result<std::vector<std::string>> FindTags(std::string_view prefix, int limit,
                                            int offset) override;
  Result<std::vector<TagDay>> TagHistory(std::string_view tag, int64_t now_ms, int days) override;
  Result<int64_t> CountStatuses() override;
  Result<bool> HoldsStatuses() override;
  Status Clear() override;
  Result<int64_t> Bytes() override;  // the database file and its write-ahead log

 private:
  SqliteSearchIndex() = default;
  template <typename T>
  T Read(const std::function<T(SqliteDb&)>& fn);

  std::string path_;
  uint64_t status_query_budget_ = 0;
  std::mutex write_mu_;
  std::unique_ptr<SqliteDb> writer_;  // guarded by write_mu_
  std::mutex read_mu_;
  std::condition_variable read_cv_;
  std::vector<std::unique_ptr<SqliteDb>> readers_;
  std::vector<SqliteDb*> idle_readers_;  // guarded by read_mu_
};

}  // namespace chirp
