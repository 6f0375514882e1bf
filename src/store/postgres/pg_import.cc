// PgStore's bulk path for operators (Store's Import* methods): big
// transactions of set-based inserts, no events, counters recomputed at the
// end. Where the embedded store runs a statement per row (cheap in
// process), each step here sends its rows as arrays, unnested by the
// server, in chunks that bound the size of one statement's parameters: a
// round trip per row would cost more than the row.
#include <algorithm>
#include <charconv>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/text.h"
#include "store/postgres/pg_store.h"

namespace chirp {
namespace {

// Rows sent in one statement. Statuses carry their text and HTML, so fewer.
constexpr size_t kAccountsPerStatement = 10'000;
constexpr size_t kFollowsPerStatement = 100'000;
constexpr size_t kStatusesPerStatement = 5'000;

// Runs a statement (a constraint violated fails the import as PgConn
// reports it); `affected` receives the rows it changed.
Status Run(PgConn& conn, std::string_view sql, const PgParams& params,
           int64_t* affected = nullptr) {
  auto rows = conn.Exec(sql, params);
  if (!rows) return std::move(rows).error();
  if (affected) *affected = rows->affected();
  return {};
}

// Calls `fn` with consecutive pieces of `items`, each at most `size` long,
// and the index of the piece's first item; stops at the first failure.
template <typename T, typename Fn>
Status ForEachChunk(const std::vector<T>& items, size_t size, Fn fn) {
  for (size_t first = 0; first < items.size(); first += size) {
    const size_t n = std::min(size, items.size() - first);
    if (Status s = fn(std::span<const T>(items.data() + first, n), first); !s) return s;
  }
  return {};
}

// Inserts the accounts of `chunk` whose names are free (an account and a
// user each), then appends to `ids` the id that holds each name.
Status ImportAccountChunk(PgConn& conn, std::span<const Account> chunk, std::vector<int64_t>& ids) {
  std::vector<int64_t> account_ids, created;
  std::vector<std::string> usernames, lowers, display_names, indexables;
  for (const Account& a : chunk) {
    account_ids.push_back(a.id);
    usernames.push_back(a.username);
    // ASCII only, as SQLite's lower() in the embedded store.
    lowers.push_back(AsciiLower(a.username));
    display_names.push_back(a.display_name);
    indexables.emplace_back(a.indexable ? "t" : "f");
    created.push_back(a.created_at_ms);
  }
  // The rows go in in order and a conflict skips a row, on the name as on
  // the id: of two accounts with one name the first stands, as an existing
  // one does. Each account inserted gets a user with an unusable password:
  // it signs in once an operator sets one. (The users' foreign key is
  // checked at the end of the statement, when the accounts are in.)
  if (Status s = Run(conn,
                     "WITH inserted AS ("
                     "INSERT INTO accounts (id, username, username_lower, display_name, indexable, "
                     "created_at) "
                     "SELECT a.id, a.username, a.username_lower, a.display_name, a.indexable, "
                     "a.created_at FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], "
                     "$5::boolean[], $6::bigint[]) WITH ORDINALITY AS a(id, username, "
                     "username_lower, display_name, indexable, created_at, ordinality) "
                     "ORDER BY a.ordinality ON CONFLICT DO NOTHING "
                     "RETURNING id, username, created_at) "
                     "INSERT INTO users (account_id, email, password_hash, created_at) "
                     "SELECT id, username || '@import.invalid', '', created_at FROM inserted",
                     PgParams()
                         .AddIds(account_ids)
                         .AddTexts(usernames)
                         .AddTexts(lowers)
                         .AddTexts(display_names)
                         .AddTexts(indexables)
                         .AddIds(created));
      !s) {
    return s;
  }
  // A statement of its own: it sees the accounts just inserted, and under
  // READ COMMITTED those another transaction committed while the insert
  // waited on them.
  auto held =
      conn.Exec("SELECT username_lower, id FROM accounts WHERE username_lower = ANY($1::text[])",
                PgParams().AddTexts(lowers));
  if (!held) return std::move(held).error();
  std::unordered_map<std::string_view, int64_t> id_of;
  for (int row = 0; row < held->size(); ++row) id_of.emplace(held->View(row, 0), held->Int(row, 1));
  for (size_t i = 0; i < chunk.size(); ++i) {
    auto it = id_of.find(lowers[i]);
    if (it == id_of.end()) {
      // Its name was free but its id taken, by another name: skipped.
      return Error::Internal("imported account " + usernames[i] + " not stored");
    }
    ids.push_back(it->second);
  }
  return {};
}

// The smallest id at or above `id` not in `occupied`, which maps each id
// given or taken to an id above it; the ids passed on the way are pointed
// at the answer, so that a run of ids is crossed in one step the next time.
int64_t FreeAtOrAbove(std::unordered_map<int64_t, int64_t>& occupied, int64_t id) {
  std::vector<int64_t> passed;
  for (auto it = occupied.find(id); it != occupied.end(); it = occupied.find(id)) {
    passed.push_back(id);
    id = it->second;
  }
  for (int64_t p : passed) occupied[p] = id;
  return id;
}

// The ids the statuses get, in order: each its own or, where that is taken
// (in the database or by a status before it), the next free one above it.
// A guess from the ids known taken is checked against the table, and made
// again knowing the ids it hit, until it hits none: each check is one
// statement, so that a few round trips serve the whole batch. (A status a
// server inserts between the check and the insert fails the batch: the
// import runs while no server uses the store.)
Result<std::vector<int64_t>> FreeStatusIds(PgConn& conn,
                                           const std::vector<StatusRecord>& statuses) {
  std::vector<int64_t> taken;  // in the table
  for (;;) {
    std::unordered_map<int64_t, int64_t> occupied;
    occupied.reserve(taken.size() + statuses.size());
    for (int64_t id : taken) occupied[id] = id + 1;
    std::vector<int64_t> ids;
    ids.reserve(statuses.size());
    for (const StatusRecord& s : statuses) {
      const int64_t id = FreeAtOrAbove(occupied, s.id);
      occupied[id] = id + 1;
      ids.push_back(id);
    }
    auto hit =
        conn.Exec("SELECT id FROM statuses WHERE id = ANY($1::bigint[])", PgParams().AddIds(ids));
    if (!hit) return std::move(hit).error();
    if (hit->empty()) return ids;
    for (int row = 0; row < hit->size(); ++row) taken.push_back(hit->Int(row, 0));
  }
}

// A coordinate as an element of a text array: "" for none (NULLIF makes it
// NULL), else the shortest text that reads back as the same double.
std::string Coordinate(const std::optional<double>& value) {
  if (!value) return {};
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, *value);
  return ec == std::errc() ? std::string(buffer, end) : std::string();
}

// The rows of `chunk`, with ids from `ids`. Replies and reblogs are
// refused before, so in_reply_to_id and reblog_of_id keep their default, 0.
Status InsertStatusRows(PgConn& conn, std::span<const StatusRecord> chunk,
                        std::span<const int64_t> ids) {
  std::vector<int64_t> accounts, visibilities, reply_accounts, applications, created;
  std::vector<std::string> texts, contents, spoilers, sensitives, languages, latitudes, longitudes;
  for (const StatusRecord& s : chunk) {
    accounts.push_back(s.account_id);
    texts.push_back(s.text);
    contents.push_back(s.content);
    spoilers.push_back(s.spoiler_text);
    visibilities.push_back(static_cast<int64_t>(s.visibility));
    sensitives.emplace_back(s.sensitive ? "t" : "f");
    languages.push_back(s.language);
    reply_accounts.push_back(s.in_reply_to_account_id);
    applications.push_back(s.application_id);
    latitudes.push_back(Coordinate(s.latitude));
    longitudes.push_back(Coordinate(s.longitude));
    created.push_back(s.created_at_ms);
  }
  return Run(conn,
             "INSERT INTO statuses (id, account_id, text, content, spoiler_text, visibility, "
             "sensitive, language, in_reply_to_account_id, application_id, latitude, longitude, "
             "created_at) "
             "SELECT s.id, s.account_id, s.text, s.content, s.spoiler_text, s.visibility, "
             "s.sensitive, s.language, s.in_reply_to_account_id, s.application_id, "
             "NULLIF(s.latitude, '')::double precision, NULLIF(s.longitude, '')::double precision, "
             "s.created_at FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], "
             "$5::text[], $6::integer[], $7::boolean[], $8::text[], $9::bigint[], $10::bigint[], "
             "$11::text[], $12::text[], $13::bigint[]) AS s(id, account_id, text, content, "
             "spoiler_text, visibility, sensitive, language, in_reply_to_account_id, "
             "application_id, latitude, longitude, created_at)",
             PgParams()
                 .AddIds(std::vector<int64_t>(ids.begin(), ids.end()))
                 .AddIds(accounts)
                 .AddTexts(texts)
                 .AddTexts(contents)
                 .AddTexts(spoilers)
                 .AddIds(visibilities)
                 .AddTexts(sensitives)
                 .AddTexts(languages)
                 .AddIds(reply_accounts)
                 .AddIds(applications)
                 .AddTexts(latitudes)
                 .AddTexts(longitudes)
                 .AddIds(created));
}

// The mentions of `chunk`'s statuses. A repeated account keeps its first
// position: the rows go in in order and a repeat is skipped.
Status InsertMentions(PgConn& conn, std::span<const StatusRecord> chunk,
                      std::span<const int64_t> ids) {
  std::vector<int64_t> statuses, accounts, positions;
  for (size_t i = 0; i < chunk.size(); ++i) {
    const std::vector<int64_t>& mentioned = chunk[i].mentioned_account_ids;
    for (size_t p = 0; p < mentioned.size(); ++p) {
      statuses.push_back(ids[i]);
      accounts.push_back(mentioned[p]);
      positions.push_back(static_cast<int64_t>(p));
    }
  }
  if (statuses.empty()) return {};
  return Run(conn,
             "INSERT INTO mentions (status_id, account_id, position) "
             "SELECT m.status_id, m.account_id, m.position FROM unnest($1::bigint[], "
             "$2::bigint[], $3::integer[]) WITH ORDINALITY AS m(status_id, account_id, position, "
             "ordinality) ORDER BY m.ordinality ON CONFLICT DO NOTHING",
             PgParams().AddIds(statuses).AddIds(accounts).AddIds(positions));
}

// The tags of `chunk`'s statuses: tags not seen before are created, each
// shown as it was first written (by an earlier status, or the first of the
// chunk), then the statuses are linked to them.
Status InsertTags(PgConn& conn, std::span<const StatusRecord> chunk, std::span<const int64_t> ids) {
  std::vector<std::string> names, displays;  // each name once, in order of appearance
  std::unordered_set<std::string> seen;
  std::vector<int64_t> statuses, positions;
  std::vector<std::string> status_tags;
  for (size_t i = 0; i < chunk.size(); ++i) {
    const StatusRecord& s = chunk[i];
    for (size_t p = 0; p < s.tags.size(); ++p) {
      if (seen.insert(s.tags[p]).second) {
        names.push_back(s.tags[p]);
        displays.push_back(p < s.tag_display_names.size() ? s.tag_display_names[p] : s.tags[p]);
      }
      statuses.push_back(ids[i]);
      status_tags.push_back(s.tags[p]);
      positions.push_back(static_cast<int64_t>(p));
    }
  }
  if (names.empty()) return {};
  if (Status s = Run(conn,
                     "INSERT INTO tags (name, display_name) SELECT t.name, t.display_name "
                     "FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(name, "
                     "display_name, ordinality) ORDER BY t.ordinality "
                     "ON CONFLICT (name) DO NOTHING",
                     PgParams().AddTexts(names).AddTexts(displays));
      !s) {
    return s;
  }
  // A statement of its own: under READ COMMITTED it sees the tags a
  // concurrent transaction committed while the insert above waited on them.
  return Run(conn,
             "INSERT INTO status_tags (status_id, tag_id, position) "
             "SELECT x.status_id, t.id, x.position FROM unnest($1::bigint[], $2::text[], "
             "$3::integer[]) WITH ORDINALITY AS x(status_id, name, position, ordinality) "
             "JOIN tags t ON t.name = x.name ORDER BY x.ordinality ON CONFLICT DO NOTHING",
             PgParams().AddIds(statuses).AddTexts(status_tags).AddIds(positions));
}

}  // namespace

Result<std::vector<int64_t>> PgStore::ImportAccounts(const std::vector<Account>& accounts) {
  return Write<std::vector<int64_t>>([&](PgTx& tx) -> Result<std::vector<int64_t>> {
    std::vector<int64_t> ids;
    ids.reserve(accounts.size());
    if (Status s = ForEachChunk(accounts, kAccountsPerStatement,
                                [&](std::span<const Account> chunk, size_t) {
                                  return ImportAccountChunk(tx.conn(), chunk, ids);
                                });
        !s) {
      return std::move(s).error();
    }
    return ids;
  });
}

Result<int64_t> PgStore::ImportFollows(const std::vector<std::pair<int64_t, int64_t>>& follows,
                                       int64_t first_follow_id) {
  return Write<int64_t>([&](PgTx& tx) -> Result<int64_t> {
    int64_t added = 0;
    Status s = ForEachChunk(
        follows, kFollowsPerStatement,
        [&](std::span<const std::pair<int64_t, int64_t>> chunk, size_t first) -> Status {
          std::vector<int64_t> followers, followed;
          for (const auto& [a, b] : chunk) {
            followers.push_back(a);
            followed.push_back(b);
          }
          // Ids are numbered over every pair, skipped ones too; a
          // conflict (an existing follow, a repeat, a taken id) skips the
          // row, and in order, so the first of two repeats stands.
          int64_t n = 0;
          Status inserted =
              Run(tx.conn(),
                  "INSERT INTO follows (id, account_id, target_account_id, created_at) "
                  "SELECT $3::bigint + f.ordinality - 1, f.account_id, f.target_account_id, 0 "
                  "FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS f(account_id, "
                  "target_account_id, ordinality) WHERE f.account_id <> f.target_account_id "
                  "ORDER BY f.ordinality ON CONFLICT DO NOTHING",
                  PgParams().AddIds(followers).AddIds(followed).Add(first_follow_id +
                                                                    static_cast<int64_t>(first)),
                  &n);
          added += n;
          return inserted;
        });
    if (!s) return std::move(s).error();
    return added;
  });
}

Status PgStore::RecountFollows() {
  return WriteStatus([&](PgTx& tx) -> Status {
    // One pass over the follows for each direction, grouped, instead of two
    // counts per account; and in one statement, which writes only the
    // accounts whose counts change (PostgreSQL writes a new version of
    // every row it updates).
    return Run(tx.conn(),
               "UPDATE accounts SET followers_count = c.followers, following_count = c.following "
               "FROM (SELECT a.id, coalesce(fr.n, 0) AS followers, coalesce(fg.n, 0) AS following "
               "FROM accounts a "
               "LEFT JOIN (SELECT target_account_id AS id, count(*) AS n FROM follows "
               "GROUP BY target_account_id) fr ON fr.id = a.id "
               "LEFT JOIN (SELECT account_id AS id, count(*) AS n FROM follows "
               "GROUP BY account_id) fg ON fg.id = a.id) AS c "
               "WHERE accounts.id = c.id AND (accounts.followers_count, accounts.following_count) "
               "IS DISTINCT FROM (c.followers, c.following)",
               {});
  });
}

Result<int64_t> PgStore::ImportStatuses(const std::vector<StatusRecord>& statuses) {
  for (const StatusRecord& s : statuses) {
    if (s.in_reply_to_id != 0 || s.reblog_of_id != 0 || !s.media_ids.empty()) {
      return Error::BadRequest("imported statuses are neither replies, reblogs nor with media");
    }
  }
  return Write<int64_t>([&](PgTx& tx) -> Result<int64_t> {
    // A taken id moves up to the next free one: imports of history pick
    // ids from their times, and two statuses may share a millisecond.
    auto ids = FreeStatusIds(tx.conn(), statuses);
    if (!ids) return std::move(ids).error();
    Status s =
        ForEachChunk(statuses, kStatusesPerStatement,
                     [&](std::span<const StatusRecord> chunk, size_t first) -> Status {
                       const std::span<const int64_t> chunk_ids(ids->data() + first, chunk.size());
                       if (Status st = InsertStatusRows(tx.conn(), chunk, chunk_ids); !st)
                         return st;
                       if (Status st = InsertMentions(tx.conn(), chunk, chunk_ids); !st) return st;
                       return InsertTags(tx.conn(), chunk, chunk_ids);
                     });
    if (!s) return std::move(s).error();
    return static_cast<int64_t>(statuses.size());
  });
}

Status PgStore::RecountStatuses() {
  return WriteStatus([&](PgTx& tx) -> Status {
    // As RecountFollows: one statement, writing only the accounts whose
    // figures change.
    return Run(tx.conn(),
               "UPDATE accounts SET statuses_count = c.n, last_status_at = c.last "
               "FROM (SELECT a.id, coalesce(s.n, 0) AS n, coalesce(s.last, 0) AS last "
               "FROM accounts a LEFT JOIN (SELECT account_id AS id, count(*) AS n, "
               "max(created_at) AS last FROM statuses WHERE visibility <> $1::integer AND "
               "deleted_at = 0 GROUP BY account_id) s ON s.id = a.id) AS c "
               "WHERE accounts.id = c.id AND (accounts.statuses_count, accounts.last_status_at) "
               "IS DISTINCT FROM (c.n, c.last)",
               PgParams().Add(static_cast<int64_t>(Visibility::kDirect)));
  });
}

}  // namespace chirp
