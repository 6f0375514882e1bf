// PgStore's accounts, users and OAuth records: the embedded store's
// (sqlite_store.cc) translated to PostgreSQL.
#include <string>
#include <vector>

#include "core/text.h"
#include "store/postgres/pg_store.h"

namespace chirp {
namespace {

Status Done(Result<PgRows> rows) {
  if (!rows) return std::move(rows).error();
  return {};
}

// The columns ReadAccount expects, in order, from `accounts a`.
#define PG_ACCOUNT_COLUMNS                                                                       \
  "a.id, a.username, a.display_name, a.note, a.locked, a.bot, a.discoverable, a.indexable, "     \
  "a.default_privacy, a.default_sensitive, a.default_language, a.created_at, a.statuses_count, " \
  "a.followers_count, a.following_count, a.last_status_at, a.avatar, a.header"
constexpr int kAccountColumnCount = 18;

// An account with its fields in one statement (so in one snapshot): a row
// per field, in order, or one row with NULL field columns when it has none.
// The fields' columns follow the account's.
#define PG_ACCOUNT_WITH_FIELDS(extra_columns, condition)                                \
  "SELECT " PG_ACCOUNT_COLUMNS ", f.name, f.value" extra_columns                        \
  " FROM accounts a LEFT JOIN account_fields f ON f.account_id = a.id WHERE " condition \
  " ORDER BY f.position"

constexpr const char* kSelectAccountById = PG_ACCOUNT_WITH_FIELDS("", "a.id = $1");
constexpr const char* kSelectAccountByUsername =
    PG_ACCOUNT_WITH_FIELDS("", "a.username_lower = $1");
// The outbox's last assigned id stays in outbox_head after its events are
// trimmed; read in the same statement as the account, it is of the same
// snapshot.
constexpr const char* kSelectAccountAsOf =
    PG_ACCOUNT_WITH_FIELDS(", (SELECT last_id FROM outbox_head)", "a.id = $1");

Account ReadAccount(const PgRows& rows, int row) {
  Account a;
  a.id = rows.Int(row, 0);
  a.username = rows.Text(row, 1);
  a.display_name = rows.Text(row, 2);
  a.note = rows.Text(row, 3);
  a.locked = rows.Bool(row, 4);
  a.bot = rows.Bool(row, 5);
  a.discoverable = rows.Bool(row, 6);
  a.indexable = rows.Bool(row, 7);
  a.default_privacy = rows.Text(row, 8);
  a.default_sensitive = rows.Bool(row, 9);
  a.default_language = rows.Text(row, 10);
  a.created_at_ms = rows.Int(row, 11);
  a.statuses_count = rows.Int(row, 12);
  a.followers_count = rows.Int(row, 13);
  a.following_count = rows.Int(row, 14);
  a.last_status_at_ms = rows.Int(row, 15);
  a.avatar = rows.Text(row, 16);
  a.header = rows.Text(row, 17);
  return a;
}

// The account of rows read by PG_ACCOUNT_WITH_FIELDS, with its fields.
Result<Account> AccountFrom(Result<PgRows> rows) {
  if (!rows) return std::move(rows).error();
  if (rows->empty()) return Error::NotFound();
  Account account = ReadAccount(*rows, 0);
  for (int row = 0; row < rows->size(); ++row) {
    if (rows->IsNull(row, kAccountColumnCount)) continue;  // no fields
    account.fields.push_back(
        {rows->Text(row, kAccountColumnCount), rows->Text(row, kAccountColumnCount + 1)});
  }
  return account;
}

#define PG_USER_COLUMNS                                                                  \
  "SELECT account_id, email, password_hash, locale, date_of_birth, reason, created_at, " \
  "last_login_at FROM users "
constexpr const char* kSelectUserByEmail = PG_USER_COLUMNS "WHERE email = $1";
constexpr const char* kSelectUserById = PG_USER_COLUMNS "WHERE account_id = $1";

Result<User> UserFrom(Result<PgRows> rows) {
  if (!rows) return std::move(rows).error();
  if (rows->empty()) return Error::NotFound();
  User u;
  u.account_id = rows->Int(0, 0);
  u.email = rows->Text(0, 1);
  u.password_hash = rows->Text(0, 2);
  u.locale = rows->Text(0, 3);
  u.date_of_birth = rows->Text(0, 4);
  u.registration_reason = rows->Text(0, 5);
  u.created_at_ms = rows->Int(0, 6);
  u.last_login_ms = rows->Int(0, 7);
  return u;
}

#define PG_APP_COLUMNS                                                                            \
  "SELECT id, name, website, redirect_uris, scopes, client_id, client_secret_digest, created_at " \
  "FROM apps "
constexpr const char* kSelectAppByClientId = PG_APP_COLUMNS "WHERE client_id = $1";
constexpr const char* kSelectAppById = PG_APP_COLUMNS "WHERE id = $1";

Result<App> AppFrom(Result<PgRows> rows) {
  if (!rows) return std::move(rows).error();
  if (rows->empty()) return Error::NotFound();
  App a;
  a.id = rows->Int(0, 0);
  a.name = rows->Text(0, 1);
  a.website = rows->Text(0, 2);
  a.redirect_uris = RedirectUrisFromText(rows->View(0, 3));
  a.scopes = rows->Text(0, 4);
  a.client_id = rows->Text(0, 5);
  a.client_secret_digest = rows->Text(0, 6);
  a.created_at_ms = rows->Int(0, 7);
  return a;
}

// Inserts the fields of `a`, in order, with one statement: the account has
// none yet (it is new, or its fields were just deleted).
Status InsertFields(PgConn& conn, const Account& a) {
  if (a.fields.empty()) return {};
  std::vector<std::string> names, values;
  for (const ProfileField& f : a.fields) {
    names.push_back(f.name);
    values.push_back(f.value);
  }
  return Done(
      conn.Exec("INSERT INTO account_fields (account_id, position, name, value) "
                "SELECT $1, f.ordinality - 1, f.name, f.value "
                "FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS f(name, value, ordinality)",
                PgParams().Add(a.id).AddTexts(names).AddTexts(values)));
}

// Inserts account, fields and user; maps uniqueness violations to the
// registration details Mastodon reports. The inserts themselves decide
// (ON CONFLICT DO NOTHING), so that a registration racing another for the
// same name waits for it and then reports the name taken, and no failed
// statement is left in the transaction.
Status InsertAccount(PgTx& tx, const Account& a, const User& u) {
  // Any conflict, on the id as on the name, is a name taken, as in the
  // embedded store.
  auto account = tx.Exec(
      "INSERT INTO accounts (id, username, username_lower, display_name, note, "
      "locked, bot, discoverable, indexable, default_privacy, default_sensitive, "
      "default_language, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,"
      "$13) ON CONFLICT DO NOTHING",
      PgParams()
          .Add(a.id)
          .Add(a.username)
          .Add(AsciiLower(a.username))
          .Add(a.display_name)
          .Add(a.note)
          .Add(a.locked)
          .Add(a.bot)
          .Add(a.discoverable)
          .Add(a.indexable)
          .Add(a.default_privacy)
          .Add(a.default_sensitive)
          .Add(a.default_language)
          .Add(a.created_at_ms));
  if (!account) return std::move(account).error();
  if (account->affected() == 0) {
    Error e = Error::Unprocessable("Validation failed: Username has already been taken");
    e.details["username"].push_back({"ERR_TAKEN", "has already been taken"});
    return e;
  }
  if (Status s = InsertFields(tx.conn(), a); !s) return s;
  tx.AppendEvent({.kind = EventKind::kAccountCreated,
                  .account_id = a.id,
                  .subject_id = a.id,
                  .created_at_ms = a.created_at_ms});
  auto user = tx.Exec(
      "INSERT INTO users (account_id, email, password_hash, locale, date_of_birth, "
      "reason, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7) "
      "ON CONFLICT (email) DO NOTHING",
      PgParams()
          .Add(a.id)
          .Add(AsciiLower(u.email))
          .Add(u.password_hash)
          .Add(u.locale)
          .Add(u.date_of_birth)
          .Add(u.registration_reason)
          .Add(u.created_at_ms));
  if (!user) return std::move(user).error();
  if (user->affected() == 0) {
    Error e = Error::Unprocessable("Validation failed: Email has already been taken");
    e.details["email"].push_back({"ERR_TAKEN", "has already been taken"});
    return e;
  }
  return {};
}

Status InsertToken(PgConn& conn, const AccessToken& t) {
  return Done(
      conn.Exec("INSERT INTO access_tokens (id, digest, app_id, account_id, scopes, created_at) "
                "VALUES ($1,$2,$3,$4,$5,$6)",
                PgParams()
                    .Add(t.id)
                    .Add(t.digest)
                    .Add(t.app_id)
                    .Add(t.account_id)
                    .Add(t.scopes)
                    .Add(t.created_at_ms)));
}

}  // namespace

Status PgStore::CreateAccount(const Account& account, const User& user) {
  return WriteStatus([&](PgTx& tx) { return InsertAccount(tx, account, user); });
}

Status PgStore::CreateAccountWithToken(const Account& account, const User& user,
                                       const AccessToken& token) {
  return WriteStatus([&](PgTx& tx) -> Status {
    if (Status s = InsertAccount(tx, account, user); !s) return s;
    return InsertToken(tx.conn(), token);
  });
}

Result<Account> PgStore::FindAccount(int64_t id) {
  return Read<Account>(
      [&](PgConn& conn) { return AccountFrom(conn.Exec(kSelectAccountById, PgParams().Add(id))); });
}

Result<AccountAsOf> PgStore::FindAccountAsOf(int64_t id) {
  return Read<AccountAsOf>([&](PgConn& conn) -> Result<AccountAsOf> {
    // One statement, so that the position and the account are of the same
    // snapshot.
    auto rows = conn.Exec(kSelectAccountAsOf, PgParams().Add(id));
    if (!rows) return std::move(rows).error();
    const int64_t as_of_event = rows->empty() ? 0 : rows->Int(0, kAccountColumnCount + 2);
    auto account = AccountFrom(std::move(rows));
    if (!account) return std::move(account).error();
    return AccountAsOf{.account = std::move(account).value(), .as_of_event = as_of_event};
  });
}

Result<Account> PgStore::FindAccountByUsername(std::string_view username) {
  return Read<Account>([&](PgConn& conn) {
    return AccountFrom(conn.Exec(kSelectAccountByUsername, PgParams().Add(AsciiLower(username))));
  });
}

Result<User> PgStore::FindUserByEmail(std::string_view email) {
  // Emails are stored lower-cased (ASCII, as the embedded store does it).
  return Read<User>([&](PgConn& conn) {
    return UserFrom(conn.Exec(kSelectUserByEmail, PgParams().Add(AsciiLower(email))));
  });
}

Result<User> PgStore::FindUser(int64_t account_id) {
  return Read<User>([&](PgConn& conn) {
    return UserFrom(conn.Exec(kSelectUserById, PgParams().Add(account_id)));
  });
}

Result<std::vector<Account>> PgStore::ScanAccounts(int64_t after_id, int limit) {
  // Without their fields, as in the embedded store.
  return Read<std::vector<Account>>([&](PgConn& conn) -> Result<std::vector<Account>> {
    auto rows = conn.Exec("SELECT " PG_ACCOUNT_COLUMNS
                          " FROM accounts a WHERE a.id > $1 ORDER BY a.id LIMIT $2",
                          PgParams().Add(after_id).Add(limit));
    if (!rows) return std::move(rows).error();
    std::vector<Account> out;
    out.reserve(rows->size());
    for (int row = 0; row < rows->size(); ++row) out.push_back(ReadAccount(*rows, row));
    return out;
  });
}

Status PgStore::UpdateProfile(const Account& a) {
  return WriteStatus([&](PgTx& tx) -> Status {
    // The update locks the account's row until the commit: two updates of
    // one profile replace its fields one after the other.
    auto updated = tx.Exec(
        "UPDATE accounts SET display_name = $1, note = $2, locked = $3, bot = $4, "
        "discoverable = $5, indexable = $6, default_privacy = $7, "
        "default_sensitive = $8, default_language = $9, avatar = $10, header = $11 "
        "WHERE id = $12",
        PgParams()
            .Add(a.display_name)
            .Add(a.note)
            .Add(a.locked)
            .Add(a.bot)
            .Add(a.discoverable)
            .Add(a.indexable)
            .Add(a.default_privacy)
            .Add(a.default_sensitive)
            .Add(a.default_language)
            .Add(a.avatar)
            .Add(a.header)
            .Add(a.id));
    if (!updated) return std::move(updated).error();
    if (updated->affected() == 0) return Error::NotFound();
    if (Status s =
            Done(tx.Exec("DELETE FROM account_fields WHERE account_id = $1", PgParams().Add(a.id)));
        !s) {
      return s;
    }
    if (Status s = InsertFields(tx.conn(), a); !s) return s;
    tx.AppendEvent({.kind = EventKind::kAccountUpdated, .account_id = a.id, .subject_id = a.id});
    return {};
  });
}

Status PgStore::RecordLogin(int64_t account_id, int64_t at_ms) {
  return WriteStatus([&](PgTx& tx) {
    return Done(tx.Exec("UPDATE users SET last_login_at = $1 WHERE account_id = $2",
                        PgParams().Add(at_ms).Add(account_id)));
  });
}

Result<int64_t> PgStore::CountAccounts() {
  return Read<int64_t>([&](PgConn& conn) -> Result<int64_t> {
    auto rows = conn.Exec("SELECT count(*) FROM accounts");
    if (!rows) return std::move(rows).error();
    return rows->Int(0, 0);
  });
}

Status PgStore::CreateApp(const App& a) {
  return WriteStatus([&](PgTx& tx) {
    return Done(
        tx.Exec("INSERT INTO apps (id, name, website, redirect_uris, scopes, client_id, "
                "client_secret_digest, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
                PgParams()
                    .Add(a.id)
                    .Add(a.name)
                    .Add(a.website)
                    .Add(RedirectUrisToText(a.redirect_uris))
                    .Add(a.scopes)
                    .Add(a.client_id)
                    .Add(a.client_secret_digest)
                    .Add(a.created_at_ms)));
  });
}

Result<App> PgStore::FindAppByClientId(std::string_view client_id) {
  return Read<App>([&](PgConn& conn) {
    return AppFrom(conn.Exec(kSelectAppByClientId, PgParams().Add(client_id)));
  });
}

Result<App> PgStore::FindApp(int64_t id) {
  return Read<App>(
      [&](PgConn& conn) { return AppFrom(conn.Exec(kSelectAppById, PgParams().Add(id))); });
}

Status PgStore::CreateToken(const AccessToken& token) {
  return WriteStatus([&](PgTx& tx) { return InsertToken(tx.conn(), token); });
}

Result<AccessToken> PgStore::FindTokenByDigest(std::string_view digest) {
  return Read<AccessToken>([&](PgConn& conn) -> Result<AccessToken> {
    auto rows = conn.Exec(
        "SELECT id, digest, app_id, account_id, scopes, created_at, revoked_at "
        "FROM access_tokens WHERE digest = $1",
        PgParams().Add(digest));
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return Error::NotFound();
    AccessToken t;
    t.id = rows->Int(0, 0);
    t.digest = rows->Text(0, 1);
    t.app_id = rows->Int(0, 2);
    t.account_id = rows->Int(0, 3);
    t.scopes = rows->Text(0, 4);
    t.created_at_ms = rows->Int(0, 5);
    t.revoked_at_ms = rows->Int(0, 6);
    return t;
  });
}

Status PgStore::RevokeToken(std::string_view digest, int64_t app_id, int64_t at_ms) {
  return WriteStatus([&](PgTx& tx) -> Status {
    // The update decides: of two revocations at once, the second waits for
    // the first, finds the token revoked and changes nothing, so a token is
    // announced revoked once.
    auto rows = tx.Exec(
        "UPDATE access_tokens SET revoked_at = $1 WHERE digest = $2 AND app_id = $3 "
        "AND revoked_at = 0 RETURNING id, account_id",
        PgParams().Add(at_ms).Add(digest).Add(app_id));
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return {};
    tx.AppendEvent({.kind = EventKind::kTokenRevoked,
                    .account_id = rows->Int(0, 1),
                    .subject_id = rows->Int(0, 0),
                    .created_at_ms = at_ms});
    return {};
  });
}

Status PgStore::CreateAuthorizationCode(const AuthorizationCode& c) {
  return WriteStatus([&](PgTx& tx) {
    return Done(
        tx.Exec("INSERT INTO authorization_codes (digest, app_id, account_id, redirect_uri, "
                "scopes, code_challenge, created_at, expires_at) "
                "VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
                PgParams()
                    .Add(c.digest)
                    .Add(c.app_id)
                    .Add(c.account_id)
                    .Add(c.redirect_uri)
                    .Add(c.scopes)
                    .Add(c.code_challenge)
                    .Add(c.created_at_ms)
                    .Add(c.expires_at_ms)));
  });
}

Result<AuthorizationCode> PgStore::ConsumeAuthorizationCode(std::string_view digest) {
  return Write<AuthorizationCode>([&](PgTx& tx) -> Result<AuthorizationCode> {
    // One statement deletes and returns: of two redeems at once, the
    // second waits for the first's delete and then finds nothing.
    auto rows = tx.Exec(
        "DELETE FROM authorization_codes WHERE digest = $1 RETURNING digest, app_id, "
        "account_id, redirect_uri, scopes, code_challenge, created_at, expires_at",
        PgParams().Add(digest));
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return Error::NotFound();
    AuthorizationCode code;
    code.digest = rows->Text(0, 0);
    code.app_id = rows->Int(0, 1);
    code.account_id = rows->Int(0, 2);
    code.redirect_uri = rows->Text(0, 3);
    code.scopes = rows->Text(0, 4);
    code.code_challenge = rows->Text(0, 5);
    code.created_at_ms = rows->Int(0, 6);
    code.expires_at_ms = rows->Int(0, 7);
    return code;
  });
}

}  // namespace chirp
