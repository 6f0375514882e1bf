#include "search/sqlite_search_index.h"

#include <algorithm>
#include <filesystem>

#include "core/snowflake.h"
#include "core/text.h"
#include "search/search_text.h"

namespace chirp {
namespace {

constexpr int64_t kDayMs = 24 * 3600 * 1000;

// The schema. Statuses: their filterable facts in `statuses`, their text in
// the FTS5 table `status_text` under the same rowid (the status id), so the
// index is walked newest first. Libraries: who, besides the author, may find
// a status whatever its visibility. Accounts: names for prefix search (FTS5
// prefix indexes on 1 to 3 characters), figures for ranking. Hashtags:
// when each was last used, and its uses and distinct authors a day, counted
// as statuses are indexed (as Mastodon counts them, a deleted status stays
// counted).
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS statuses (
  id INTEGER PRIMARY KEY,
  author_id INTEGER NOT NULL,
  visibility INTEGER NOT NULL,
  features INTEGER NOT NULL,
  language TEXT NOT NULL
);
-- Covers the filters, so that a from: search reads no rows of the table.
CREATE INDEX IF NOT EXISTS statuses_of_author ON statuses(author_id, id, visibility, features, language);
CREATE VIRTUAL TABLE IF NOT EXISTS status_text USING fts5(
  text, tokenize = 'unicode61 remove_diacritics 2', columnsize = 0);
CREATE TABLE IF NOT EXISTS status_tags (
  tag TEXT NOT NULL,
  status_id INTEGER NOT NULL,
  author_id INTEGER NOT NULL,
  PRIMARY KEY (tag, status_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS status_tags_by_status ON status_tags(status_id);
CREATE TABLE IF NOT EXISTS tags (
  name TEXT PRIMARY KEY,
  last_used_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tags_by_use ON tags(last_used_at);
CREATE TABLE IF NOT EXISTS tag_days (
  tag TEXT NOT NULL,
  day INTEGER NOT NULL,
  uses INTEGER NOT NULL,
  accounts INTEGER NOT NULL,
  PRIMARY KEY (tag, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tag_day_accounts (
  tag TEXT NOT NULL,
  day INTEGER NOT NULL,
  account_id INTEGER NOT NULL,
  PRIMARY KEY (tag, day, account_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS library (
  account_id INTEGER NOT NULL,
  status_id INTEGER NOT NULL,
  reasons INTEGER NOT NULL,
  PRIMARY KEY (account_id, status_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS library_by_status ON library(status_id);
CREATE TABLE IF NOT EXISTS accounts (
  id INTEGER PRIMARY KEY,
  username_lower TEXT NOT NULL,
  indexable INTEGER NOT NULL,
  followers_count INTEGER NOT NULL,
  last_status_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS accounts_by_username ON accounts(username_lower);
CREATE VIRTUAL TABLE IF NOT EXISTS account_names USING fts5(
  username, display_name, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3',
  columnsize = 0);
)sql";

// A value to bind to a statement built at run time: a number or a text.
struct SqlValue {
  SqlValue(int64_t n) : number(n) {}                              // NOLINT: implicit by design
  SqlValue(std::string t) : text(std::move(t)), is_text(true) {}  // NOLINT
  int64_t number = 0;
  std::string text;
  bool is_text = false;
};

void BindAll(SqliteStatement& s, const std::vector<SqlValue>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    if (values[i].is_text) {
      s.Bind(index, std::string_view(values[i].text));
    } else {
      s.Bind(index, values[i].number);
    }
  }
}

// "?,?,?" for `n` values.
std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ",?";
  return out;
}

// The FTS5 expression joining the phrases of `words` and `phrases` with
// `op` (" AND ": all must match; " OR ": any), or "" when none has anything
// to match.
std::string Joined(const std::vector<std::string>& words, const std::vector<std::string>& phrases,
                   const char* op) {
  std::string out;
  for (const auto* list : {&words, &phrases}) {
    for (const std::string& term : *list) {
      const std::string phrase = FtsPhrase(term);
      if (phrase.empty()) continue;
      if (!out.empty()) out += op;
      out += phrase;
    }
  }
  return out;
}

// The query for FindStatuses, and which table drives its walk newest
// first:
//  - kIndex: the text index when the query has words to match, else the
//    author's statuses (from:, account_id), else a hashtag's, else every
//    status; the reader's access is a condition on each row;
//  - kLibrary: the reader's own statuses and library, each row matched
//    against the text index by id (tens of microseconds a row for a common
//    word): for what kIndex did not reach within its budget.
enum class Driver { kIndex, kLibrary };

struct StatusQueryPlan {
  std::string sql;
  std::vector<SqlValue> values;
};

StatusQueryPlan PlanStatusQuery(const StatusSearch& search, Driver driver) {
  const SearchQuery& q = search.query;
  std::vector<std::string> where;
  std::vector<SqlValue> where_values;

  const std::string positive = Joined(q.words, q.phrases, " AND ");
  const std::string negative = Joined(q.excluded_words, q.excluded_phrases, " OR ");
  const int64_t author = SingleAuthor(search);

  std::string from;
  std::string order = "s.id";
  std::vector<SqlValue> from_values;
  bool text_driven = false;
  if (driver == Driver::kLibrary) {
    from =
        "(SELECT status_id AS id FROM library WHERE account_id = ? UNION "
        "SELECT id FROM statuses WHERE author_id = ? ORDER BY id DESC LIMIT -1) c "
        "CROSS JOIN statuses s ON s.id = c.id";
    order = "c.id";
    from_values.push_back(search.viewer_id);
    from_values.push_back(search.viewer_id);
  } else if (!positive.empty()) {
    from = "status_text t CROSS JOIN statuses s ON s.id = t.rowid";
    order = "t.rowid";
    text_driven = true;
    where.push_back("status_text MATCH ?");
    where_values.push_back(negative.empty() ? positive
                                            : "(" + positive + ") NOT (" + negative + ")");
  } else if (author != 0) {
    from = "statuses s INDEXED BY statuses_of_author";
  } else if (!q.tags.empty()) {
    from = "status_tags g CROSS JOIN statuses s ON s.id = g.status_id";
    order = "g.status_id";
    where.push_back("g.tag = ?");
    where_values.push_back(q.tags.front());
  } else {
    from = "statuses s";
  }
  // The text, matched row by row where the index does not drive.
  if (!text_driven && !positive.empty()) {
    where.push_back(
        "EXISTS (SELECT 1 FROM status_text WHERE status_text MATCH ? AND rowid = s.id)");
    where_values.push_back(positive);
  }
  if (!text_driven && !negative.empty()) {
    where.push_back(
        "NOT EXISTS (SELECT 1 FROM status_text WHERE status_text MATCH ? AND rowid = s.id)");
    where_values.push_back(negative);
  }
  if (author != 0) {
    where.push_back("s.author_id = ?");
    where_values.push_back(author);
  }
  if (!search.excluded_from_ids.empty()) {
    where.push_back("s.author_id NOT IN (" + Placeholders(search.excluded_from_ids.size()) + ")");
    for (int64_t id : search.excluded_from_ids) where_values.push_back(id);
  }
  for (const std::string& tag : q.tags) {
    where.push_back("EXISTS (SELECT 1 FROM status_tags WHERE tag = ? AND status_id = s.id)");
    where_values.push_back(tag);
  }
  for (const std::string& tag : q.excluded_tags) {
    where.push_back("NOT EXISTS (SELECT 1 FROM status_tags WHERE tag = ? AND status_id = s.id)");
    where_values.push_back(tag);
  }
  if (q.required_features != 0) {
    where.push_back("(s.features & ?) = ?");
    where_values.push_back(int64_t{q.required_features});
    where_values.push_back(int64_t{q.required_features});
  }
  if (q.excluded_features != 0) {
    where.push_back("(s.features & ?) = 0");
    where_values.push_back(int64_t{q.excluded_features});
  }
  if (!q.languages.empty()) {
    where.push_back("s.language IN (" + Placeholders(q.languages.size()) + ")");
    for (const std::string& l : q.languages) where_values.push_back(l);
  }
  if (!q.excluded_languages.empty()) {
    where.push_back("s.language NOT IN (" + Placeholders(q.excluded_languages.size()) + ")");
    for (const std::string& l : q.excluded_languages) where_values.push_back(l);
  }
  int64_t min_id = search.min_id;  // exclusive
  int64_t max_id = search.max_id;  // exclusive
  if (q.created_after_ms) {
    min_id = std::max(min_id, SnowflakeGenerator::FirstIdAt(*q.created_after_ms) - 1);
  }
  if (q.created_before_ms) {
    const int64_t bound = SnowflakeGenerator::FirstIdAt(*q.created_before_ms);
    max_id = max_id == 0 ? bound : std::min(max_id, bound);
  }
  if (min_id > 0) {
    where.push_back(order + " > ?");
    where_values.push_back(min_id);
  }
  if (max_id != 0) {
    where.push_back(order + " < ?");
    where_values.push_back(max_id);
  }

  // Who finds what: the library driver walks only what the reader owns or
  // holds in their library.
  const std::string own_or_library =
      "s.author_id = ? OR EXISTS (SELECT 1 FROM library WHERE account_id = ? AND status_id = s.id)";
  const std::string public_indexable =
      "s.visibility = 0 AND NOT EXISTS (SELECT 1 FROM accounts WHERE id = s.author_id AND "
      "indexable = 0)";
  if (driver == Driver::kIndex) {
    switch (q.scope) {
      case SearchScope::kLibrary:
        where.push_back("(" + own_or_library + ")");
        where_values.push_back(search.viewer_id);
        where_values.push_back(search.viewer_id);
        break;
      case SearchScope::kPublic:
        where.push_back("(" + public_indexable + ")");
        break;
      case SearchScope::kAll:
        where.push_back("(" + own_or_library + " OR (" + public_indexable + "))");
        where_values.push_back(search.viewer_id);
        where_values.push_back(search.viewer_id);
        break;
    }
  }

  StatusQueryPlan plan;
  plan.sql = "SELECT s.id FROM " + from;
  for (size_t i = 0; i < where.size(); ++i) plan.sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  // The library's candidates come newest first from their subquery (a
  // merge of two index walks; its LIMIT keeps SQLite from dropping its
  // ORDER BY): an ORDER BY here would make SQLite match every candidate
  // against the text before sorting them, where in this order it stops at
  // the page's end.
  if (driver == Driver::kIndex) plan.sql += " ORDER BY " + order + " DESC";
  plan.sql += " LIMIT ? OFFSET ?";
  plan.values = std::move(from_values);
  for (auto& v : where_values) plan.values.push_back(std::move(v));
  plan.values.push_back(int64_t{search.limit});
  plan.values.push_back(int64_t{search.offset});
  return plan;
}

// The ids `plan` finds within `budget`, and whether it was cut short.
struct BudgetedIds {
  std::vector<int64_t> ids;
  bool cut = false;
};

Result<BudgetedIds> RunWithinBudget(SqliteDb& db, const StatusQueryPlan& plan, uint64_t budget) {
  db.LimitWork(budget);
  BudgetedIds out;
  bool failed = false;
  {
    SqliteStatement s = db.PrepareText(plan.sql);
    BindAll(s, plan.values);
    while (s.Step()) out.ids.push_back(s.Int(0));
    out.cut = db.WorkLimitReached();
    failed = s.failed() && !out.cut;
  }
  db.LimitWork(0);
  if (failed) return db.Failure();
  return out;
}

Result<std::vector<int64_t>> Ids(SqliteDb& db, SqliteStatement& s) {
  std::vector<int64_t> ids;
  while (s.Step()) ids.push_back(s.Int(0));
  if (s.failed()) return db.Failure();
  return ids;
}

// The writes, on the writer's connection inside its transaction.
class SqliteIndexWriter final : public SearchIndexWriter {
 public:
  explicit SqliteIndexWriter(SqliteDb& db) : db_(db) {}

  Status PutStatus(const IndexedStatus& st) override {
    // Its hashtags stay: a status indexed again (the event stream may
    // deliver it twice) is counted once.
    if (Status s = RemoveStatus(st.id, /*keep_tags=*/true); !s) return s;
    {
      SqliteStatement s = db_.Prepare(
          "INSERT INTO statuses (id, author_id, visibility, features, language) "
          "VALUES (?,?,?,?,?)");
      s.Bind(1, st.id).Bind(2, st.author_id).Bind(3, static_cast<int64_t>(st.visibility));
      s.Bind(4, int64_t{st.features}).Bind(5, std::string_view(st.language));
      if (Status r = db_.Run(s); !r) return r;
    }
    {
      SqliteStatement s = db_.Prepare("INSERT INTO status_text (rowid, text) VALUES (?,?)");
      s.Bind(1, st.id).Bind(2, std::string_view(IndexableText(st.text)));
      if (Status r = db_.Run(s); !r) return r;
    }
    const int64_t at_ms = SnowflakeGenerator::MillisOf(st.id);
    for (const std::string& tag : st.tags) {
      SqliteStatement s = db_.Prepare(
          "INSERT OR IGNORE INTO status_tags (tag, status_id, author_id) VALUES (?,?,?)");
      s.Bind(1, std::string_view(tag)).Bind(2, st.id).Bind(3, st.author_id);
      if (Status r = db_.Run(s); !r) return r;
      if (db_.Changes() == 1) {
        if (Status r = CountUse(tag, at_ms - at_ms % kDayMs, st.author_id); !r) return r;
      }
      SqliteStatement u = db_.Prepare(
          "INSERT INTO tags (name, last_used_at) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE "
          "SET last_used_at = max(last_used_at, ?2)");
      u.Bind(1, std::string_view(tag)).Bind(2, at_ms);
      if (Status r = db_.Run(u); !r) return r;
    }
    for (int64_t account : st.mentioned_ids) {
      if (Status r = AddToLibrary(account, st.id, kLibraryMention); !r) return r;
    }
    return {};
  }

  Status RemoveStatus(int64_t id) override { return RemoveStatus(id, false); }

  Status AddToLibrary(int64_t account_id, int64_t status_id, LibraryReason reason) override {
    SqliteStatement s = db_.Prepare(
        "INSERT INTO library (account_id, status_id, reasons) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (account_id, status_id) DO UPDATE SET reasons = reasons | ?3");
    s.Bind(1, account_id).Bind(2, status_id).Bind(3, int64_t{reason});
    return db_.Run(s);
  }

  Status RemoveFromLibrary(int64_t account_id, int64_t status_id, LibraryReason reason) override {
    {
      SqliteStatement s = db_.Prepare(
          "UPDATE library SET reasons = reasons & ~?3 WHERE account_id = ?1 AND status_id = ?2");
      s.Bind(1, account_id).Bind(2, status_id).Bind(3, int64_t{reason});
      if (Status r = db_.Run(s); !r) return r;
    }
    SqliteStatement s =
        db_.Prepare("DELETE FROM library WHERE account_id = ? AND status_id = ? AND reasons = 0");
    s.Bind(1, account_id).Bind(2, status_id);
    return db_.Run(s);
  }

  Status PutAccount(const IndexedAccount& a) override {
    {
      SqliteStatement s = db_.Prepare(
          "INSERT OR REPLACE INTO accounts (id, username_lower, indexable, followers_count, "
          "last_status_at) VALUES (?,?,?,?,?)");
      s.Bind(1, a.id).Bind(2, std::string_view(AsciiLower(a.username))).Bind(3, a.indexable);
      s.Bind(4, a.followers_count).Bind(5, a.last_status_at_ms);
      if (Status r = db_.Run(s); !r) return r;
    }
    {
      SqliteStatement s = db_.Prepare("DELETE FROM account_names WHERE rowid = ?");
      s.Bind(1, a.id);
      if (Status r = db_.Run(s); !r) return r;
    }
    SqliteStatement s =
        db_.Prepare("INSERT INTO account_names (rowid, username, display_name) VALUES (?,?,?)");
    s.Bind(1, a.id).Bind(2, std::string_view(IndexableText(a.username)));
    s.Bind(3, std::string_view(IndexableText(a.display_name)));
    return db_.Run(s);
  }

  Status SetFollowers(int64_t account_id, int64_t followers_count) override {
    SqliteStatement s = db_.Prepare("UPDATE accounts SET followers_count = ? WHERE id = ?");
    s.Bind(1, followers_count).Bind(2, account_id);
    return db_.Run(s);
  }

  Status NoteStatusAt(int64_t account_id, int64_t last_status_at_ms) override {
    SqliteStatement s = db_.Prepare(
        "UPDATE accounts SET last_status_at = ?1 WHERE id = ?2 AND last_status_at < ?1");
    s.Bind(1, last_status_at_ms).Bind(2, account_id);
    return db_.Run(s);
  }

 private:
  Status RemoveStatus(int64_t id, bool keep_tags) {
    for (const char* sql :
         {"DELETE FROM statuses WHERE id = ?", "DELETE FROM status_text WHERE rowid = ?",
          "DELETE FROM library WHERE status_id = ?"}) {
      SqliteStatement s = db_.Prepare(sql);
      s.Bind(1, id);
      if (Status r = db_.Run(s); !r) return r;
    }
    if (keep_tags) return {};
    SqliteStatement s = db_.Prepare("DELETE FROM status_tags WHERE status_id = ?");
    s.Bind(1, id);
    return db_.Run(s);
  }

  // One more use of `tag` on `day`, by `author_id`.
  Status CountUse(const std::string& tag, int64_t day, int64_t author_id) {
    SqliteStatement a =
        db_.Prepare("INSERT OR IGNORE INTO tag_day_accounts (tag, day, account_id) VALUES (?,?,?)");
    a.Bind(1, std::string_view(tag)).Bind(2, day).Bind(3, author_id);
    if (Status r = db_.Run(a); !r) return r;
    const int64_t new_account = db_.Changes();
    SqliteStatement u = db_.Prepare(
        "INSERT INTO tag_days (tag, day, uses, accounts) VALUES (?1, ?2, 1, ?3) "
        "ON CONFLICT (tag, day) DO UPDATE SET uses = uses + 1, accounts = accounts + ?3");
    u.Bind(1, std::string_view(tag)).Bind(2, day).Bind(3, new_account);
    return db_.Run(u);
  }

  SqliteDb& db_;
};

}  // namespace

Result<std::unique_ptr<SqliteSearchIndex>> SqliteSearchIndex::Open(
    const std::string& path, SqliteSearchIndexOptions options) {
  std::unique_ptr<SqliteSearchIndex> index(new SqliteSearchIndex());
  index->path_ = path;
  index->status_query_budget_ = options.status_query_budget;
  // A crash of the process loses nothing committed with synchronous NORMAL
  // in WAL mode; a crash of the machine may lose the last commits, which
  // the operator's reindex restores (the index is derived).
  auto writer = SqliteDb::Open(path, false, "NORMAL", options.cache_mib);
  if (!writer) return std::move(writer).error();
  index->writer_ = std::move(writer).value();
  if (Status s = index->writer_->Exec(kSchema); !s) return s.error();
  for (int i = 0; i < std::max(1, options.readers); ++i) {
    auto reader = SqliteDb::Open(path, true, "NORMAL", options.cache_mib);
    if (!reader) return std::move(reader).error();
    index->idle_readers_.push_back(reader->get());
    index->readers_.push_back(std::move(reader).value());
  }
  return index;
}

template <typename T>
T SqliteSearchIndex::Read(const std::function<T(SqliteDb&)>& fn) {
  SqliteDb* db = nullptr;
  {
    std::unique_lock lock(read_mu_);
    read_cv_.wait(lock, [&] { return !idle_readers_.empty(); });
    db = idle_readers_.back();
    idle_readers_.pop_back();
  }
  struct Release {
    SqliteSearchIndex* index;
    SqliteDb* db;
    ~Release() {
      {
        std::lock_guard lock(index->read_mu_);
        index->idle_readers_.push_back(db);
      }
      index->read_cv_.notify_one();
    }
  } release{this, db};
  return fn(*db);
}

Status SqliteSearchIndex::Write(const std::function<Status(SearchIndexWriter&)>& writes) {
  std::lock_guard lock(write_mu_);
  if (Status s = writer_->Exec("BEGIN IMMEDIATE"); !s) return s;
  SqliteIndexWriter writer(*writer_);
  Status s = writes(writer);
  if (s) s = writer_->Exec("COMMIT");
  if (!s) (void)writer_->Exec("ROLLBACK");
  return s;
}

Result<std::vector<int64_t>> SqliteSearchIndex::FindStatuses(const StatusSearch& search) {
  if (search.viewer_id == 0 || search.limit <= 0) return std::vector<int64_t>{};
  return Read<Result<std::vector<int64_t>>>([&](SqliteDb& db) -> Result<std::vector<int64_t>> {
    auto found = RunWithinBudget(db, PlanStatusQuery(search, Driver::kIndex), status_query_budget_);
    if (!found) return std::move(found).error();
    const size_t wanted = static_cast<size_t>(search.limit);
    if (!found->cut || found->ids.size() >= wanted || search.query.scope == SearchScope::kPublic) {
      return std::move(found->ids);
    }
    // The walk stopped before a page was full (the text is common, the
    // reader may find little of it): what the reader holds themselves is
    // still found, newest first beside what the walk reached.
    StatusSearch own = search;
    own.offset = 0;
    auto held = RunWithinBudget(db, PlanStatusQuery(own, Driver::kLibrary), status_query_budget_);
    if (!held) return std::move(held).error();
    std::vector<int64_t> ids = std::move(found->ids);
    ids.insert(ids.end(), held->ids.begin(), held->ids.end());
    std::sort(ids.begin(), ids.end(), std::greater<>());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (ids.size() > wanted) ids.resize(wanted);
    return ids;
  });
}

Result<std::vector<int64_t>> SqliteSearchIndex::FindAccounts(const AccountSearch& search) {
  const std::string prefix = AccountPrefix(search.prefix);
  if (prefix.empty() || search.limit <= 0) return std::vector<int64_t>{};
  std::string match = FtsPhrase(prefix);
  if (!match.empty() && !match.ends_with('*')) match += " *";
  std::string only;
  for (int64_t id : search.only_ids) only += (only.empty() ? "[" : ",") + std::to_string(id);
  if (!only.empty()) only += "]";
  const int wanted = search.limit + search.offset;
  return Read<Result<std::vector<int64_t>>>([&](SqliteDb& db) -> Result<std::vector<int64_t>> {
    std::vector<int64_t> ids;
    {
      SqliteStatement s = db.Prepare("SELECT id FROM accounts WHERE username_lower = ?");
      s.Bind(1, std::string_view(AsciiLower(prefix)));
      auto exact = Ids(db, s);
      if (!exact) return std::move(exact).error();
      for (int64_t id : *exact) {
        const bool allowed =
            search.only_ids.empty() ||
            std::find(search.only_ids.begin(), search.only_ids.end(), id) != search.only_ids.end();
        if (allowed) ids.push_back(id);
      }
    }
    if (!match.empty()) {
      // `only` empty: every account ("[]" would be none).
      SqliteStatement s = db.Prepare(
          "SELECT a.id FROM account_names n CROSS JOIN accounts a ON a.id = n.rowid "
          "WHERE account_names MATCH ?1 AND (?2 = '' OR a.id IN (SELECT value FROM json_each(?2))) "
          "ORDER BY a.followers_count DESC, a.last_status_at DESC LIMIT ?3");
      s.Bind(1, std::string_view(match)).Bind(2, std::string_view(only));
      s.Bind(3, int64_t{wanted + 1});
      auto more = Ids(db, s);
      if (!more) return std::move(more).error();
      for (int64_t id : *more) {
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
      }
    }
    return PageOf(std::move(ids), search.offset, search.limit);
  });
}

Result<std::vector<std::string>> SqliteSearchIndex::FindTags(std::string_view prefix, int limit,
                                                             int offset) {
  if (prefix.empty() || limit <= 0) return std::vector<std::string>{};
  const std::string begin(prefix);
  const std::string end = PrefixEnd(begin);
  return Read<Result<std::vector<std::string>>>(
      [&](SqliteDb& db) -> Result<std::vector<std::string>> {
        std::vector<std::string> names;
        {
          SqliteStatement s = db.Prepare("SELECT name FROM tags WHERE name = ?");
          s.Bind(1, std::string_view(begin));
          while (s.Step()) names.push_back(s.Text(0));
          if (s.failed()) return db.Failure();
        }
        SqliteStatement s = db.Prepare(
            "SELECT name FROM tags WHERE name > ?1 AND (?2 = '' OR name < ?2) "
            "ORDER BY last_used_at DESC LIMIT ?3");
        s.Bind(1, std::string_view(begin)).Bind(2, std::string_view(end));
        s.Bind(3, int64_t{limit + offset});
        while (s.Step()) names.push_back(s.Text(0));
        if (s.failed()) return db.Failure();
        return PageOf(std::move(names), offset, limit);
      });
}

Result<std::vector<TagDay>> SqliteSearchIndex::TagHistory(std::string_view tag, int64_t now_ms,
                                                          int days) {
  const int64_t today = now_ms - now_ms % kDayMs;
  return Read<Result<std::vector<TagDay>>>([&](SqliteDb& db) -> Result<std::vector<TagDay>> {
    std::vector<TagDay> out;
    for (int i = 0; i < days; ++i) out.push_back({.day_start_ms = today - i * kDayMs});
    if (out.empty()) return out;
    // The days with uses, in one walk of the tag's rows; the others stay 0.
    SqliteStatement s = db.Prepare(
        "SELECT day, uses, accounts FROM tag_days WHERE tag = ? AND day >= ? AND day <= ?");
    s.Bind(1, tag).Bind(2, out.back().day_start_ms).Bind(3, today);
    while (s.Step()) {
      const int64_t index = (today - s.Int(0)) / kDayMs;
      if (index < 0 || index >= days) continue;
      out[index].uses = s.Int(1);
      out[index].accounts = s.Int(2);
    }
    if (s.failed()) return db.Failure();
    return out;
  });
}

Result<int64_t> SqliteSearchIndex::CountStatuses() {
  return Read<Result<int64_t>>([&](SqliteDb& db) -> Result<int64_t> {
    SqliteStatement s = db.Prepare("SELECT count(*) FROM statuses");
    if (!s.Step()) return db.Failure();
    return s.Int(0);
  });
}

Result<bool> SqliteSearchIndex::HoldsStatuses() {
  return Read<Result<bool>>([&](SqliteDb& db) -> Result<bool> {
    SqliteStatement s = db.Prepare("SELECT 1 FROM statuses LIMIT 1");
    const bool any = s.Step();
    if (s.failed()) return db.Failure();
    return any;
  });
}

Result<int64_t> SqliteSearchIndex::Bytes() {
  int64_t total = 0;
  for (const std::string& file : {path_, path_ + "-wal"}) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (!ec) total += static_cast<int64_t>(size);
  }
  return total;
}

Status SqliteSearchIndex::Clear() {
  std::lock_guard lock(write_mu_);
  // Dropped and made again rather than emptied: deleting every row of an
  // FTS5 table writes a tombstone for each into the index, which then
  // carries the old entries until they are merged away (a reindex of 10
  // million statuses over an index of them grew it from 3.3 to 5.2 GiB and
  // slowed its searches).
  const std::string script =
      std::string(
          "BEGIN IMMEDIATE; DROP TABLE statuses; DROP TABLE status_text; "
          "DROP TABLE status_tags; DROP TABLE tags; DROP TABLE tag_days; "
          "DROP TABLE tag_day_accounts; DROP TABLE library; DROP TABLE accounts; "
          "DROP TABLE account_names;") +
      kSchema + "COMMIT;";
  Status s = writer_->Exec(script.c_str());
  if (!s) (void)writer_->Exec("ROLLBACK");
  return s;
}

}  // namespace chirp
