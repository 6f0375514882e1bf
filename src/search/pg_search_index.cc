#include "search/pg_search_index.h"

#include <algorithm>

#include "core/snowflake.h"
#include "core/text.h"
#include "search/search_text.h"

namespace chirp {
namespace {

constexpr int64_t kDayMs = 24 * 3600 * 1000;
// PostgreSQL's bounds: a lexeme's bytes, and a position in a tsvector.
constexpr size_t kMaxLexemeBytes = 2000;
constexpr int kMaxPosition = 16383;

// `token` within kMaxLexemeBytes, cut at a character's start.
std::string_view Lexeme(std::string_view token) {
  if (token.size() <= kMaxLexemeBytes) return token;
  size_t end = kMaxLexemeBytes;
  while (end > 0 && (static_cast<unsigned char>(token[end]) & 0xC0) == 0x80) --end;
  return token.substr(0, end);
}

// `token` as a quoted lexeme of tsvector or tsquery input.
void AppendQuoted(std::string_view token, std::string& out) {
  out += '\'';
  for (char c : Lexeme(token)) {
    if (c == '\'') out += '\'';
    if (c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
}

// The tsvector input of `tokens`, numbered from `first`.
void AppendVector(const std::vector<std::string>& tokens, int first, std::string& out) {
  int position = first;
  for (const std::string& token : tokens) {
    if (!out.empty()) out += ' ';
    AppendQuoted(token, out);
    out += ':';
    out += std::to_string(std::min(position++, kMaxPosition));
  }
}

std::string StatusVector(const std::string& text) {
  std::string out;
  AppendVector(SearchTokens(IndexableText(text)), 1, out);
  return out;
}

// Usernames and display names in one vector, the display name's tokens two
// positions after the username's, so that no phrase spans both.
std::string NamesVector(const std::string& username, const std::string& display_name) {
  const std::vector<std::string> user = SearchTokens(IndexableText(username));
  std::string out;
  AppendVector(user, 1, out);
  AppendVector(SearchTokens(IndexableText(display_name)), static_cast<int>(user.size()) + 3, out);
  return out;
}

// The tsquery input matching `term` as a phrase ("" when it has nothing to
// match); with `prefix`, its last token is matched as a token's start.
std::string QueryPhrase(std::string_view term, bool prefix = false) {
  const QueryTokens q = TokensOfTerm(term);
  std::string out;
  for (size_t i = 0; i < q.tokens.size(); ++i) {
    if (i > 0) out += " <-> ";
    AppendQuoted(q.tokens[i], out);
    if (i + 1 == q.tokens.size() && (prefix || q.last_is_prefix)) out += ":*";
  }
  if (q.tokens.size() > 1) out = "(" + out + ")";
  return out;
}

// The phrases of `words` and `phrases` joined by `op` ("&": all must
// match; "|": any), or "" when none has anything to match.
std::string Joined(const std::vector<std::string>& words, const std::vector<std::string>& phrases,
                   const char* op) {
  std::string out;
  for (const auto* list : {&words, &phrases}) {
    for (const std::string& term : *list) {
      const std::string phrase = QueryPhrase(term);
      if (phrase.empty()) continue;
      if (!out.empty()) out += std::string(" ") + op + " ";
      out += phrase;
    }
  }
  return out;
}

// A statement built at run time with its parameters, numbered as added.
class Sql {
 public:
  // "$n" for `value`, added as the next parameter.
  template <typename T>
  std::string Param(const T& value) {
    params_.Add(value);
    return "$" + std::to_string(params_.size());
  }
  std::string Ids(const std::vector<int64_t>& ids) {
    params_.AddIds(ids);
    return "$" + std::to_string(params_.size()) + "::bigint[]";
  }
  std::string Texts(const std::vector<std::string>& texts) {
    params_.AddTexts(texts);
    return "$" + std::to_string(params_.size()) + "::text[]";
  }
  const PgParams& params() const { return params_; }

 private:
  PgParams params_;
};

// The statement for FindStatuses: the statuses matching `search` that its
// reader may find, newest first.
std::string StatusQuery(const StatusSearch& search, Sql& sql) {
  const SearchQuery& q = search.query;
  std::vector<std::string> where;
  const std::string positive = Joined(q.words, q.phrases, "&");
  const std::string negative = Joined(q.excluded_words, q.excluded_phrases, "|");
  if (!positive.empty()) {
    where.push_back("s.body @@ " + sql.Param(positive) + "::tsquery");
  }
  if (!negative.empty()) {
    where.push_back("NOT (s.body @@ " + sql.Param(negative) + "::tsquery)");
  }
  const int64_t author = SingleAuthor(search);
  if (author != 0) where.push_back("s.author_id = " + sql.Param(author));
  if (!search.excluded_from_ids.empty()) {
    where.push_back("s.author_id <> ALL(" + sql.Ids(search.excluded_from_ids) + ")");
  }
  // Lists go as one array each, so that the statement's text, which each
  // connection prepares once, takes few shapes whatever the query holds.
  std::vector<std::string> tags = q.tags;
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  if (!tags.empty()) {
    where.push_back("s.id IN (SELECT status_id FROM search_status_tags WHERE tag = " +
                    sql.Param(tags.front()) + ")");
  }
  if (tags.size() > 1) {
    const std::vector<std::string> rest(tags.begin() + 1, tags.end());
    where.push_back(
        "(SELECT count(*) FROM search_status_tags WHERE status_id = s.id AND tag = ANY(" +
        sql.Texts(rest) + ")) = " + sql.Param(static_cast<int64_t>(rest.size())));
  }
  if (!q.excluded_tags.empty()) {
    where.push_back(
        "NOT EXISTS (SELECT 1 FROM search_status_tags WHERE status_id = s.id AND tag = ANY(" +
        sql.Texts(q.excluded_tags) + "))");
  }
  if (q.required_features != 0) {
    const std::string bits = sql.Param(int64_t{q.required_features});
    where.push_back("(s.features & " + bits + "::integer) = " + bits + "::integer");
  }
  if (q.excluded_features != 0) {
    where.push_back("(s.features & " + sql.Param(int64_t{q.excluded_features}) + "::integer) = 0");
  }
  if (!q.languages.empty()) where.push_back("s.language = ANY(" + sql.Texts(q.languages) + ")");
  if (!q.excluded_languages.empty()) {
    where.push_back("s.language <> ALL(" + sql.Texts(q.excluded_languages) + ")");
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
  if (min_id > 0) where.push_back("s.id > " + sql.Param(min_id));
  if (max_id != 0) where.push_back("s.id < " + sql.Param(max_id));

  // Who finds what (search/search_index.h).
  const auto own_or_library = [&] {
    const std::string viewer = sql.Param(search.viewer_id);
    return "s.author_id = " + viewer +
           " OR EXISTS (SELECT 1 FROM search_library l WHERE l.account_id = " + viewer +
           " AND l.status_id = s.id)";
  };
  const std::string public_indexable =
      "s.visibility = 0 AND NOT EXISTS (SELECT 1 FROM search_accounts a WHERE a.id = "
      "s.author_id AND NOT a.indexable)";
  switch (q.scope) {
    case SearchScope::kLibrary:
      where.push_back("(" + own_or_library() + ")");
      break;
    case SearchScope::kPublic:
      where.push_back("(" + public_indexable + ")");
      break;
    case SearchScope::kAll:
      where.push_back("(" + own_or_library() + " OR (" + public_indexable + "))");
      break;
  }

  std::string out = "SELECT s.id FROM search_statuses s";
  for (size_t i = 0; i < where.size(); ++i) out += (i == 0 ? " WHERE " : " AND ") + where[i];
  out += " ORDER BY s.id DESC LIMIT " + sql.Param(int64_t{search.limit});
  out += " OFFSET " + sql.Param(int64_t{search.offset});
  return out;
}

std::vector<int64_t> IdsOf(const PgRows& rows) {
  std::vector<int64_t> ids;
  ids.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) ids.push_back(rows.Int(i, 0));
  return ids;
}

// The writes, on one connection inside its transaction.
class PgIndexWriter final : public SearchIndexWriter {
 public:
  explicit PgIndexWriter(PgConn& conn) : conn_(conn) {}

  Status PutStatus(const IndexedStatus& st) override {
    // Its hashtags stay: a status indexed again (the event stream may
    // deliver it twice) is counted once.
    if (Status s = RemoveStatus(st.id, /*keep_tags=*/true); !s) return s;
    if (Status s = Run("INSERT INTO search_statuses (id, author_id, visibility, features, "
                       "language, body) VALUES ($1, $2, $3, $4, $5, $6::tsvector)",
                       PgParams()
                           .Add(st.id)
                           .Add(st.author_id)
                           .Add(static_cast<int64_t>(st.visibility))
                           .Add(int64_t{st.features})
                           .Add(st.language)
                           .Add(StatusVector(st.text)));
        !s) {
      return s;
    }
    const int64_t at_ms = SnowflakeGenerator::MillisOf(st.id);
    for (const std::string& tag : st.tags) {
      auto added = conn_.Exec(
          "INSERT INTO search_status_tags (tag, status_id, author_id) VALUES ($1, $2, $3) "
          "ON CONFLICT DO NOTHING",
          PgParams().Add(tag).Add(st.id).Add(st.author_id));
      if (!added) return std::move(added).error();
      if (added->affected() == 1) {
        if (Status s = CountUse(tag, at_ms - at_ms % kDayMs, st.author_id); !s) return s;
      }
      if (Status s = Run("INSERT INTO search_tags (name, last_used_at) VALUES ($1, $2) "
                         "ON CONFLICT (name) DO UPDATE SET last_used_at = "
                         "greatest(search_tags.last_used_at, EXCLUDED.last_used_at)",
                         PgParams().Add(tag).Add(at_ms));
          !s) {
        return s;
      }
    }
    for (int64_t account : st.mentioned_ids) {
      if (Status s = AddToLibrary(account, st.id, kLibraryMention); !s) return s;
    }
    return {};
  }

  Status RemoveStatus(int64_t id) override { return RemoveStatus(id, false); }

  Status AddToLibrary(int64_t account_id, int64_t status_id, LibraryReason reason) override {
    return Run(
        "INSERT INTO search_library (account_id, status_id, reasons) VALUES ($1, $2, $3) "
        "ON CONFLICT (account_id, status_id) DO UPDATE SET reasons = "
        "search_library.reasons | EXCLUDED.reasons",
        PgParams().Add(account_id).Add(status_id).Add(int64_t{reason}));
  }

  Status RemoveFromLibrary(int64_t account_id, int64_t status_id, LibraryReason reason) override {
    if (Status s = Run("UPDATE search_library SET reasons = reasons & ~$3::integer "
                       "WHERE account_id = $1 AND status_id = $2",
                       PgParams().Add(account_id).Add(status_id).Add(int64_t{reason}));
        !s) {
      return s;
    }
    return Run(
        "DELETE FROM search_library WHERE account_id = $1 AND status_id = $2 AND reasons = 0",
        PgParams().Add(account_id).Add(status_id));
  }

  Status PutAccount(const IndexedAccount& a) override {
    return Run(
        "INSERT INTO search_accounts (id, username_lower, indexable, followers_count, "
        "last_status_at, names) VALUES ($1, $2, $3, $4, $5, $6::tsvector) "
        "ON CONFLICT (id) DO UPDATE SET username_lower = EXCLUDED.username_lower, "
        "indexable = EXCLUDED.indexable, followers_count = EXCLUDED.followers_count, "
        "last_status_at = EXCLUDED.last_status_at, names = EXCLUDED.names",
        PgParams()
            .Add(a.id)
            .Add(AsciiLower(a.username))
            .Add(a.indexable)
            .Add(a.followers_count)
            .Add(a.last_status_at_ms)
            .Add(NamesVector(a.username, a.display_name)));
  }

  Status SetFollowers(int64_t account_id, int64_t followers_count) override {
    return Run("UPDATE search_accounts SET followers_count = $2 WHERE id = $1",
               PgParams().Add(account_id).Add(followers_count));
  }

  Status NoteStatusAt(int64_t account_id, int64_t last_status_at_ms) override {
    return Run(
        "UPDATE search_accounts SET last_status_at = $2 WHERE id = $1 AND last_status_at < $2",
        PgParams().Add(account_id).Add(last_status_at_ms));
  }

 private:
  Status Run(std::string_view sql, const PgParams& params) {
    auto rows = conn_.Exec(sql, params);
    if (!rows) return std::move(rows).error();
    return {};
  }

  Status RemoveStatus(int64_t id, bool keep_tags) {
    for (const char* sql : {"DELETE FROM search_statuses WHERE id = $1",
                            "DELETE FROM search_library WHERE status_id = $1"}) {
      if (Status s = Run(sql, PgParams().Add(id)); !s) return s;
    }
    if (keep_tags) return {};
    return Run("DELETE FROM search_status_tags WHERE status_id = $1", PgParams().Add(id));
  }

  // One more use of `tag` on `day`, by `author_id`.
  Status CountUse(const std::string& tag, int64_t day, int64_t author_id) {
    auto added = conn_.Exec(
        "INSERT INTO search_tag_day_accounts (tag, day, account_id) VALUES ($1, $2, $3) "
        "ON CONFLICT DO NOTHING",
        PgParams().Add(tag).Add(day).Add(author_id));
    if (!added) return std::move(added).error();
    return Run(
        "INSERT INTO search_tag_days (tag, day, uses, accounts) VALUES ($1, $2, 1, $3) "
        "ON CONFLICT (tag, day) DO UPDATE SET uses = search_tag_days.uses + 1, "
        "accounts = search_tag_days.accounts + EXCLUDED.accounts",
        PgParams().Add(tag).Add(day).Add(added->affected()));
  }

  PgConn& conn_;
};

}  // namespace

PgSearchIndex::PgSearchIndex(const PgSearchIndexOptions& options)
    : status_query_timeout_ms_(options.status_query_timeout_ms),
      pool_({.conn = options.conn,
             .size = options.connections,
             .acquire_timeout_ms = options.acquire_timeout_ms}) {}

Result<std::unique_ptr<PgSearchIndex>> PgSearchIndex::Open(const PgSearchIndexOptions& options) {
  std::unique_ptr<PgSearchIndex> index(new PgSearchIndex(options));
  auto found = index->pool_.Run<bool>([](PgConn& conn) -> Result<bool> {
    auto rows = conn.Exec("SELECT to_regclass('search_statuses') IS NOT NULL");
    if (!rows) return std::move(rows).error();
    return rows->Bool(0, 0);
  });
  if (!found) return std::move(found).error();
  if (!*found) {
    return Error::Unavailable(
        "the database has no search tables: run chirpd migrate with this build");
  }
  return index;
}

Status PgSearchIndex::Write(const std::function<Status(SearchIndexWriter&)>& writes) {
  auto done = pool_.Run<bool>([&](PgConn& conn) -> Result<bool> {
    if (Status s = conn.Script("BEGIN"); !s) return std::move(s).error();
    PgIndexWriter writer(conn);
    Status s = writes(writer);
    if (s) s = conn.Script("COMMIT");
    if (!s) {
      if (!conn.broken()) (void)conn.Script("ROLLBACK");
      return std::move(s).error();
    }
    return true;
  });
  if (!done) return std::move(done).error();
  return {};
}

Result<std::vector<int64_t>> PgSearchIndex::FindStatuses(const StatusSearch& search) {
  if (search.viewer_id == 0 || search.limit <= 0) return std::vector<int64_t>{};
  Sql sql;
  const std::string query = StatusQuery(search, sql);
  const std::string begin =
      "BEGIN READ ONLY; SET LOCAL statement_timeout = " + std::to_string(status_query_timeout_ms_);
  return pool_.Run<std::vector<int64_t>>([&](PgConn& conn) -> Result<std::vector<int64_t>> {
    if (Status s = conn.Script(begin); !s) return std::move(s).error();
    auto rows = conn.Exec(query, sql.params());
    if (!rows) {
      const bool timed_out = conn.last_state() == "57014";
      if (!conn.broken()) (void)conn.Script("ROLLBACK");
      if (timed_out) {
        return Error::Unavailable("The search took too long; try more specific words");
      }
      return std::move(rows).error();
    }
    if (Status s = conn.Script("COMMIT"); !s) return std::move(s).error();
    return IdsOf(*rows);
  });
}

Result<std::vector<int64_t>> PgSearchIndex::FindAccounts(const AccountSearch& search) {
  const std::string prefix = AccountPrefix(search.prefix);
  if (prefix.empty() || search.limit <= 0) return std::vector<int64_t>{};
  const std::string match = QueryPhrase(prefix, /*prefix=*/true);
  const int wanted = search.limit + search.offset;
  return pool_.Run<std::vector<int64_t>>([&](PgConn& conn) -> Result<std::vector<int64_t>> {
    std::vector<int64_t> ids;
    auto exact = conn.Exec("SELECT id FROM search_accounts WHERE username_lower = $1",
                           PgParams().Add(AsciiLower(prefix)));
    if (!exact) return std::move(exact).error();
    for (int64_t id : IdsOf(*exact)) {
      const bool allowed =
          search.only_ids.empty() ||
          std::find(search.only_ids.begin(), search.only_ids.end(), id) != search.only_ids.end();
      if (allowed) ids.push_back(id);
    }
    if (!match.empty()) {
      PgParams params;
      params.Add(match);
      if (search.only_ids.empty()) {
        params.AddNull();
      } else {
        params.AddIds(search.only_ids);
      }
      params.Add(int64_t{wanted + 1});
      auto more = conn.Exec(
          "SELECT id FROM search_accounts WHERE names @@ $1::tsquery "
          "AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[])) "
          "ORDER BY followers_count DESC, last_status_at DESC, id LIMIT $3",
          params);
      if (!more) return std::move(more).error();
      for (int64_t id : IdsOf(*more)) {
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
      }
    }
    return PageOf(std::move(ids), search.offset, search.limit);
  });
}

Result<std::vector<std::string>> PgSearchIndex::FindTags(std::string_view prefix, int limit,
                                                         int offset) {
  if (prefix.empty() || limit <= 0) return std::vector<std::string>{};
  const std::string begin(prefix);
  const std::string end = PrefixEnd(begin);
  return pool_.Run<std::vector<std::string>>([&](PgConn& conn) -> Result<std::vector<std::string>> {
    std::vector<std::string> names;
    auto exact = conn.Exec("SELECT name FROM search_tags WHERE name = $1", PgParams().Add(begin));
    if (!exact) return std::move(exact).error();
    for (int i = 0; i < exact->size(); ++i) names.push_back(exact->Text(i, 0));
    auto more = conn.Exec(
        "SELECT name FROM search_tags WHERE name > $1 AND ($2 = '' OR name < $2) "
        "ORDER BY last_used_at DESC LIMIT $3",
        PgParams().Add(begin).Add(end).Add(int64_t{limit + offset}));
    if (!more) return std::move(more).error();
    for (int i = 0; i < more->size(); ++i) names.push_back(more->Text(i, 0));
    return PageOf(std::move(names), offset, limit);
  });
}

Result<std::vector<TagDay>> PgSearchIndex::TagHistory(std::string_view tag, int64_t now_ms,
                                                      int days) {
  const int64_t today = now_ms - now_ms % kDayMs;
  std::vector<TagDay> out;
  for (int i = 0; i < days; ++i) out.push_back({.day_start_ms = today - i * kDayMs});
  if (out.empty()) return out;
  auto rows = pool_.Run<PgRows>([&](PgConn& conn) {
    return conn.Exec(
        "SELECT day, uses, accounts FROM search_tag_days WHERE tag = $1 AND day >= $2 AND "
        "day <= $3",
        PgParams().Add(tag).Add(out.back().day_start_ms).Add(today));
  });
  if (!rows) return std::move(rows).error();
  for (int i = 0; i < rows->size(); ++i) {
    const int64_t index = (today - rows->Int(i, 0)) / kDayMs;
    if (index < 0 || index >= days) continue;
    out[static_cast<size_t>(index)].uses = rows->Int(i, 1);
    out[static_cast<size_t>(index)].accounts = rows->Int(i, 2);
  }
  return out;
}

Result<int64_t> PgSearchIndex::CountStatuses() {
  return pool_.Run<int64_t>([](PgConn& conn) -> Result<int64_t> {
    auto rows = conn.Exec("SELECT count(*) FROM search_statuses");
    if (!rows) return std::move(rows).error();
    return rows->Int(0, 0);
  });
}

Result<bool> PgSearchIndex::HoldsStatuses() {
  return pool_.Run<bool>([](PgConn& conn) -> Result<bool> {
    auto rows = conn.Exec("SELECT EXISTS (SELECT 1 FROM search_statuses)");
    if (!rows) return std::move(rows).error();
    return rows->Bool(0, 0);
  });
}

Status PgSearchIndex::Clear() {
  auto done = pool_.Run<bool>([](PgConn& conn) -> Result<bool> {
    if (Status s = conn.Script(
            "TRUNCATE search_statuses, search_status_tags, search_tags, search_tag_days, "
            "search_tag_day_accounts, search_library, search_accounts");
        !s) {
      return std::move(s).error();
    }
    return true;
  });
  if (!done) return std::move(done).error();
  return {};
}

Result<int64_t> PgSearchIndex::Bytes() {
  return pool_.Run<int64_t>([](PgConn& conn) -> Result<int64_t> {
    auto rows = conn.Exec(
        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c "
        "WHERE c.relkind = 'r' AND c.relname LIKE 'search\\_%' AND "
        "c.relnamespace = 'public'::regnamespace");
    if (!rows) return std::move(rows).error();
    return rows->Int(0, 0);
  });
}

}  // namespace chirp
