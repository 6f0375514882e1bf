// PgStore's queries for timelines (store/timeline_store.h).
#include <algorithm>
#include <limits>
#include <unordered_map>

#include "store/postgres/pg_status_rows.h"
#include "store/postgres/pg_store.h"

namespace chirp {
namespace {

constexpr int64_t kNoUpperBound = std::numeric_limits<int64_t>::max();

// PostgreSQL refuses a negative LIMIT, where SQLite reads it as no limit;
// LIMIT NULL is PostgreSQL's way to say the same.
void AddLimit(PgParams& params, int limit) {
  if (limit < 0) {
    params.AddNull();
  } else {
    params.Add(limit);
  }
}

// Follows of `account_id` read by `sql`, whose columns are the follow's
// id, the account at the other end, show_reblogs and notify.
Result<std::vector<Follow>> Follows(PgConn& conn, std::string_view sql, int64_t account_id,
                                    bool by_target) {
  auto rows = conn.Exec(sql, PgParams().Add(account_id));
  if (!rows) return std::move(rows).error();
  std::vector<Follow> out;
  out.reserve(rows->size());
  for (int i = 0; i < rows->size(); ++i) {
    Follow f{rows->Int(i, 0), 0, 0, rows->Bool(i, 2), rows->Bool(i, 3), 0};
    f.account_id = by_target ? rows->Int(i, 1) : account_id;
    f.target_account_id = by_target ? account_id : rows->Int(i, 1);
    out.push_back(f);
  }
  return out;
}

Result<std::vector<int64_t>> Ids(Result<PgRows> rows) {
  if (!rows) return std::move(rows).error();
  std::vector<int64_t> out;
  out.reserve(rows->size());
  for (int i = 0; i < rows->size(); ++i) out.push_back(rows->Int(i, 0));
  return out;
}

// Whether a home timeline places `s` by its mentions (BelongsInHome): a
// direct status, or a reply to another account.
bool PlacedByMentions(const StatusRecord& s) {
  return s.visibility == Visibility::kDirect ||
         (s.in_reply_to_id != 0 && s.in_reply_to_account_id != s.account_id);
}

// Fills the mentions of those of `statuses` placed by them, in one read.
// A status may be there twice (an author asked for twice): each copy gets
// them.
Status LoadPlacementMentions(PgConn& conn, std::vector<StatusRecord>& statuses) {
  std::vector<int64_t> ids;
  for (const StatusRecord& s : statuses) {
    if (PlacedByMentions(s)) ids.push_back(s.id);
  }
  if (ids.empty()) return {};
  auto rows = conn.Exec(
      "SELECT status_id, account_id FROM mentions WHERE status_id = ANY($1::bigint[]) "
      "ORDER BY status_id, position",
      PgParams().AddIds(ids));
  if (!rows) return std::move(rows).error();
  std::unordered_map<int64_t, std::vector<int64_t>> mentioned;
  for (int i = 0; i < rows->size(); ++i) mentioned[rows->Int(i, 0)].push_back(rows->Int(i, 1));
  for (StatusRecord& s : statuses) {
    if (!PlacedByMentions(s)) continue;
    if (auto it = mentioned.find(s.id); it != mentioned.end()) s.mentioned_account_ids = it->second;
  }
  return {};
}

}  // namespace

Result<std::vector<Follow>> PgStore::FollowersOf(int64_t account_id) {
  // In follow order (follows_by_target's), as the embedded store lists them.
  return Read<std::vector<Follow>>([&](PgConn& conn) {
    return Follows(conn,
                   "SELECT id, account_id, show_reblogs, notify FROM follows "
                   "WHERE target_account_id = $1 ORDER BY id",
                   account_id, true);
  });
}

Result<std::vector<Follow>> PgStore::FollowingOf(int64_t account_id) {
  // By account followed (follows_by_account's order), as the embedded store
  // lists them.
  return Read<std::vector<Follow>>([&](PgConn& conn) {
    return Follows(conn,
                   "SELECT id, target_account_id, show_reblogs, notify FROM follows "
                   "WHERE account_id = $1 ORDER BY target_account_id",
                   account_id, false);
  });
}

Result<std::vector<int64_t>> PgStore::FollowersAlsoFollowing(int64_t author_id, int64_t other_id) {
  return Read<std::vector<int64_t>>([&](PgConn& conn) {
    return Ids(conn.Exec(
        "SELECT f.account_id FROM follows f JOIN follows g ON g.account_id = f.account_id "
        "WHERE f.target_account_id = $1 AND g.target_account_id = $2",
        PgParams().Add(author_id).Add(other_id)));
  });
}

Result<std::vector<StatusRecord>> PgStore::RecentPlacementsOf(const std::vector<int64_t>& authors,
                                                              int per_author, int64_t before_id) {
  if (authors.empty()) return std::vector<StatusRecord>{};
  const int64_t upper = before_id > 0 ? before_id : kNoUpperBound;
  return Read<std::vector<StatusRecord>>([&](PgConn& conn) -> Result<std::vector<StatusRecord>> {
    // One range read per author, from the index alone (statuses_by_account
    // INCLUDEs these columns; an index-only scan as long as the visibility
    // map is kept by autovacuum): an author's recent statuses sit together
    // there, where their rows are spread over the table. The cost is
    // bounded by authors × per_author, whatever the size of the table, and
    // the whole set is one statement rather than one round trip per author.
    PgParams params;
    params.AddIds(authors);
    AddLimit(params, per_author);
    params.Add(upper);
    auto rows = conn.Exec(
        "SELECT p.id, a.id, p.visibility, p.in_reply_to_id, p.in_reply_to_account_id, "
        "p.reblog_of_id FROM unnest($1::bigint[]) AS a(id) CROSS JOIN LATERAL ("
        "SELECT s.id, s.visibility, s.in_reply_to_id, s.in_reply_to_account_id, s.reblog_of_id "
        "FROM statuses s WHERE s.account_id = a.id AND s.id < $3::bigint AND s.deleted_at = 0 "
        "ORDER BY s.id DESC LIMIT $2) p",
        params);
    if (!rows) return std::move(rows).error();
    std::vector<StatusRecord> out(rows->size());
    for (int i = 0; i < rows->size(); ++i) {
      StatusRecord& s = out[i];
      s.id = rows->Int(i, 0);
      s.account_id = rows->Int(i, 1);
      s.visibility = static_cast<Visibility>(std::clamp<int64_t>(rows->Int(i, 2), 0, 3));
      s.in_reply_to_id = rows->Int(i, 3);
      s.in_reply_to_account_id = rows->Int(i, 4);
      s.reblog_of_id = rows->Int(i, 5);
    }
    // Newest first, sorted here rather than by the server, whose time is
    // the scarcer.
    std::sort(out.begin(), out.end(),
              [](const StatusRecord& a, const StatusRecord& b) { return a.id > b.id; });
    if (Status st = LoadPlacementMentions(conn, out); !st) return std::move(st).error();
    return out;
  });
}

Result<Delivery> PgStore::DeliveryOf(int64_t status_id) {
  return Read<Delivery>([&](PgConn& conn) -> Result<Delivery> {
    Delivery d;
    auto status = ReadPgLiveStatus(conn, status_id);
    if (!status) return std::move(status).error();
    d.status = std::move(status).value();
    // The author's followers and, for a reblog, the reblogged status's
    // author in one read (a missing row reads as 0, as SQLite's code
    // leaves it).
    auto rows = conn.Exec(
        "SELECT (SELECT followers_count FROM accounts WHERE id = $1::bigint), "
        "(SELECT account_id FROM statuses WHERE $2::bigint <> 0 AND id = $2::bigint "
        "AND deleted_at = 0)",
        PgParams().Add(d.status.account_id).Add(d.status.reblog_of_id));
    if (!rows) return std::move(rows).error();
    d.author_followers = rows->Int(0, 0);
    d.original_author_id = rows->Int(0, 1);
    return d;
  });
}

Result<std::vector<int64_t>> PgStore::AccountsWithFollowersAtLeast(int64_t min_followers) {
  return Read<std::vector<int64_t>>([&](PgConn& conn) {
    return Ids(conn.Exec("SELECT id FROM accounts WHERE followers_count >= $1 ORDER BY id",
                         PgParams().Add(min_followers)));
  });
}

Result<bool> PgStore::TagExists(std::string_view normalized_name) {
  return Read<bool>([&](PgConn& conn) -> Result<bool> {
    auto rows = conn.Exec("SELECT 1 FROM tags WHERE name = $1", PgParams().Add(normalized_name));
    if (!rows) return std::move(rows).error();
    return !rows->empty();
  });
}

Result<ReaderFilters> PgStore::FiltersOf(int64_t reader_id, int64_t now_ms) {
  return Read<ReaderFilters>([&](PgConn& conn) -> Result<ReaderFilters> {
    ReaderFilters f;
    auto muted = conn.Exec(
        "SELECT target_account_id, expires_at FROM mutes WHERE account_id = $1 AND "
        "(expires_at = 0 OR expires_at > $2)",
        PgParams().Add(reader_id).Add(now_ms));
    if (!muted) return std::move(muted).error();
    for (int i = 0; i < muted->size(); ++i) {
      f.muted.push_back(muted->Int(i, 0));
      const int64_t expires = muted->Int(i, 1);
      if (expires != 0 && (f.next_expiry_ms == 0 || expires < f.next_expiry_ms)) {
        f.next_expiry_ms = expires;
      }
    }
    auto blocked =
        Ids(conn.Exec("SELECT target_account_id FROM blocks WHERE account_id = $1::bigint "
                      "UNION SELECT account_id FROM blocks WHERE target_account_id = $1::bigint",
                      PgParams().Add(reader_id)));
    if (!blocked) return std::move(blocked).error();
    f.blocked = std::move(blocked).value();
    std::sort(f.muted.begin(), f.muted.end());
    std::sort(f.blocked.begin(), f.blocked.end());
    return f;
  });
}

// The conditions of the public and hashtag timelines past the page's
// bounds. $4 only_media, $5 any_tags, $6 all_tags, $7 none_tags (text[] of
// normalised names), $8 include_replies. A status has all of $6 when as
// many of its tags are among them as $6 has names, as the embedded store
// counts. A list left empty skips its subquery. Each list of names becomes
// tag ids once per statement (ARRAY(SELECT ...) is an InitPlan), not once
// per status looked at.
// clang-format off
#define CHIRP_TAG_IDS(names) "ARRAY(SELECT t.id FROM tags t WHERE t.name = ANY(" names "::text[]))"
#define CHIRP_PUBLIC_FILTERS                                                                   \
  " AND s.visibility = 0 AND s.reblog_of_id = 0 AND s.deleted_at = 0"                          \
  " AND ($8::boolean OR s.in_reply_to_id = 0 OR s.in_reply_to_account_id = s.account_id)"      \
  " AND (NOT $4::boolean OR EXISTS (SELECT 1 FROM media_attachments m"                         \
  "   WHERE m.status_id = s.id AND m.status_id <> 0))"                                         \
  " AND (cardinality($6::text[]) = 0 OR (SELECT count(*) FROM status_tags st"                  \
  "   WHERE st.status_id = s.id AND st.tag_id = ANY(" CHIRP_TAG_IDS("$6") "))"                 \
  "   = cardinality($6::text[]))"                                                              \
  " AND (cardinality($7::text[]) = 0 OR NOT EXISTS (SELECT 1 FROM status_tags st"              \
  "   WHERE st.status_id = s.id AND st.tag_id = ANY(" CHIRP_TAG_IDS("$7") ")))"

// With any_tags, a semi-join with the tags' entries, which the planner may
// drive from either side, rather than SQLite's test of every status
// against the list (an OR the planner cannot turn into a join).
#define CHIRP_ANY_OF_TAGS                                                                      \
  " AND s.id IN (SELECT st.status_id FROM status_tags st"                                      \
  "   WHERE st.tag_id = ANY(" CHIRP_TAG_IDS("$5") ")"                                          \
  "   AND st.status_id > $1::bigint AND st.status_id < $2::bigint)"
// Without, $5 is left empty and only its type matters.
#define CHIRP_NO_TAGS " AND cardinality($5::text[]) = 0"

#define CHIRP_PUBLIC_NEWEST(tags)                                                              \
  "SELECT " PG_STATUS_COLUMNS " FROM statuses s WHERE s.id < $2::bigint AND s.id > $1::bigint" \
  tags CHIRP_PUBLIC_FILTERS " ORDER BY s.id DESC LIMIT $3"
#define CHIRP_PUBLIC_OLDEST(tags)                                                              \
  "SELECT " PG_STATUS_COLUMNS " FROM statuses s WHERE s.id > $1::bigint AND s.id < $2::bigint" \
  tags CHIRP_PUBLIC_FILTERS " ORDER BY s.id ASC LIMIT $3"
// clang-format on

Result<std::vector<StatusRecord>> PgStore::PublicTimeline(const PublicTimelineQuery& query,
                                                          const PageRequest& page) {
  return ReadMayLag<std::vector<StatusRecord>>([&](PgConn& conn) -> Result<std::vector<StatusRecord>> {
    const bool tagged = !query.any_tags.empty();
    const int64_t upper = page.max_id > 0 ? page.max_id : kNoUpperBound;
    const bool oldest = page.min_id > 0;
    // Four texts: newest or oldest first, with or without any_tags.
    static constexpr const char* kStatements[2][2] = {
        {CHIRP_PUBLIC_NEWEST(CHIRP_NO_TAGS), CHIRP_PUBLIC_NEWEST(CHIRP_ANY_OF_TAGS)},
        {CHIRP_PUBLIC_OLDEST(CHIRP_NO_TAGS), CHIRP_PUBLIC_OLDEST(CHIRP_ANY_OF_TAGS)},
    };
    PgParams params;
    params.Add(oldest ? page.min_id : std::max<int64_t>(0, page.since_id)).Add(upper);
    AddLimit(params, page.limit);
    params.Add(query.only_media).AddTexts(query.any_tags).AddTexts(query.all_tags);
    params.AddTexts(query.none_tags).Add(query.include_replies);
    auto rows = conn.Exec(kStatements[oldest ? 1 : 0][tagged ? 1 : 0], params);
    if (!rows) return std::move(rows).error();
    std::vector<StatusRecord> out;
    out.reserve(rows->size());
    for (int i = 0; i < rows->size(); ++i) out.push_back(ReadPgStatusRow(*rows, i));
    if (oldest) std::reverse(out.begin(), out.end());
    if (Status st = LoadPgStatusDetails(conn, out); !st) return std::move(st).error();
    return out;
  });
}

#undef CHIRP_PUBLIC_OLDEST
#undef CHIRP_PUBLIC_NEWEST
#undef CHIRP_NO_TAGS
#undef CHIRP_ANY_OF_TAGS
#undef CHIRP_PUBLIC_FILTERS
#undef CHIRP_TAG_IDS

}  // namespace chirp
