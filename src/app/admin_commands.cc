#include "app/admin_commands.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <fstream>
#include <map>

#include "app/bulk_import.h"
#include "app/command_support.h"
#include "app/config.h"
#include "app/worker_lease.h"
#include "auth/scopes.h"
#include "core/clock.h"
#include "core/secrets.h"
#include "core/snowflake.h"
#include "core/text.h"
#include "core/time_format.h"
#include "social/registration.h"

namespace chirp {

const char kAdminUsage[] =
    "  chirpd admin create-account --username NAME --email ADDRESS --password SECRET [options]\n"
    "                                  create a confirmed account; prints it as JSON\n"
    "  chirpd admin token --username NAME [--scopes 'read write follow push'] [options]\n"
    "                                  issue an access token for an account; prints it as JSON\n"
    "  chirpd admin token --usernames FILE [--scopes ...] [options]\n"
    "                                  one token per username listed; prints 'id username "
    "token'\n"
    "  chirpd admin import-graph --edges FILE [--prefix user] [--one-way on] [options]\n"
    "                                  bulk-load accounts PREFIXn and follows from a file of 'a "
    "b'\n"
    "                                  lines (each a follow both ways unless --one-way on)\n"
    "  chirpd admin import-statuses --statuses FILE [--prefix user] [options]\n"
    "                                  bulk-load public statuses of accounts PREFIXn from a file\n"
    "                                  of 'n<TAB>created_at_ms<TAB>text' lines\n"
    "  chirpd admin reindex [options]\n"
    "                                  rebuild the search index from the store (after an\n"
    "                                  import, or to repair it); prints the statuses indexed\n"
    "  chirpd admin events list [--consumer NAME] [options]\n"
    "                                  the event stream's dead letters (events that kept\n"
    "                                  failing for a consumer), one JSON object a line\n"
    "  chirpd admin events replay (--id N | --all) [--consumer NAME] [options]\n"
    "                                  mark dead letters for replay: a running server hands\n"
    "                                  them to their consumer again within a second\n"
    "  chirpd admin events drop (--id N | --all) [--consumer NAME] [options]\n"
    "                                  delete dead letters\n"
    "  chirpd admin events status [options]\n"
    "                                  the outbox's depth, each durable consumer's cursor\n"
    "                                  and the dead letters waiting\n"
    "\n"
    "admin commands may run while a server and other admin commands use the same data\n"
    "directory (each holds the highest worker id no other process holds, unless\n"
    "--worker-id names one), except the imports: what they load is not fanned out to\n"
    "a running server's timelines, nor indexed for search until a reindex.\n";

namespace {

// The imports' page cache: big enough for the indexes they add to at
// random (a status's by its author, a follow's by its target), which
// would otherwise be written out again and again.
constexpr int kImportCacheMib = 2048;

using Extra = std::map<std::string, std::string>;

std::string ExtraOr(const Extra& extra, const char* key, const char* fallback) {
  auto it = extra.find(key);
  return it == extra.end() ? std::string(fallback) : it->second;
}

int CreateAccount(const Config& config, const Extra& extra) {
  auto store = OpenStore(config);
  if (!store) return Fail(store.error().message);
  SystemClock clock;
  SnowflakeGenerator ids(clock, config.worker_id);
  RegistrationRequest request;
  request.username = ExtraOr(extra, "username", "");
  request.email = ExtraOr(extra, "email", "");
  request.password = ExtraOr(extra, "password", "");
  request.agreement = true;
  request.indexable = config.api.indexable_default;
  auto account = RegisterAccount(request, **store, ids, clock);
  (*store)->Close();
  if (!account) return Fail(account.error().message);
  boost::json::object out{{"id", std::to_string(account->id)}, {"username", account->username}};
  std::printf("%s\n", boost::json::serialize(out).c_str());
  return 0;
}

constexpr const char* kAdminClientId = "chirpd-admin";

// The app that operator-issued tokens belong to, created on first use.
Result<App> AdminApp(Store& store, SnowflakeGenerator& ids, const Clock& clock) {
  auto app = store.FindAppByClientId(kAdminClientId);
  if (app || app.error().code != ErrorCode::kNotFound) return app;
  App created;
  created.id = ids.Next();
  created.name = "chirpd admin";
  created.redirect_uris = {"urn:ietf:wg:oauth:2.0:oob"};
  created.scopes = "read write follow push";
  created.client_id = kAdminClientId;
  created.client_secret_digest = TokenDigest(RandomToken());  // never used to sign in
  created.created_at_ms = clock.NowMillis();
  if (Status s = store.CreateApp(created); !s) {
    // Another command running at once may have created it first.
    if (auto raced = store.FindAppByClientId(kAdminClientId)) return raced;
    return std::move(s).error();
  }
  return created;
}

// Issues one token for `account_id`; returns the token.
Result<std::string> IssueTokenFor(Store& store, SnowflakeGenerator& ids, const Clock& clock,
                                  const App& app, int64_t account_id, const ScopeSet& scopes) {
  const std::string token = RandomToken();
  AccessToken record;
  record.id = ids.Next();
  record.digest = TokenDigest(token);
  record.app_id = app.id;
  record.account_id = account_id;
  record.scopes = scopes.ToString();
  record.created_at_ms = clock.NowMillis();
  if (Status s = store.CreateToken(record); !s) return std::move(s).error();
  return token;
}

// One token for --username (printed as JSON), or one per line of
// --usernames FILE (printed as 'account_id username token' lines, the
// benchmark's format).
int IssueToken(const Config& config, const Extra& extra) {
  const std::string scopes = ExtraOr(extra, "scopes", "read write follow push");
  const auto parsed = ScopeSet::Parse(scopes);
  if (!parsed || parsed->empty()) return Fail("--scopes: unknown scope in '" + scopes + "'");
  std::vector<std::string> usernames;
  const std::string list = ExtraOr(extra, "usernames", "");
  if (!list.empty()) {
    std::ifstream in(list);
    if (!in) return Fail("cannot read " + list);
    for (std::string line; std::getline(in, line);) {
      const std::string_view name = TrimAscii(line);
      if (!name.empty()) usernames.emplace_back(name);
    }
  } else {
    usernames.push_back(ExtraOr(extra, "username", ""));
  }
  auto store = OpenStore(config);
  if (!store) return Fail(store.error().message);
  SystemClock clock;
  SnowflakeGenerator ids(clock, config.worker_id);
  auto app = AdminApp(**store, ids, clock);
  if (!app) return Fail(app.error().message);
  for (const std::string& username : usernames) {
    auto account = (*store)->FindAccountByUsername(username);
    if (!account) return Fail("no account named '" + username + "'");
    auto token = IssueTokenFor(**store, ids, clock, *app, account->id, *parsed);
    if (!token) return Fail(token.error().message);
    if (list.empty()) {
      boost::json::object out{{"access_token", *token},
                              {"account_id", std::to_string(account->id)},
                              {"scope", parsed->ToString()}};
      std::printf("%s\n", boost::json::serialize(out).c_str());
    } else {
      std::printf("%lld %s %s\n", static_cast<long long>(account->id), account->username.c_str(),
                  token->c_str());
    }
  }
  (*store)->Close();
  return 0;
}

int ImportGraphCommand(const Config& config, const Extra& extra) {
  GraphImport options;
  options.edges_path = ExtraOr(extra, "edges", "");
  if (options.edges_path.empty()) return Fail("import-graph needs --edges FILE");
  options.prefix = ExtraOr(extra, "prefix", "user");
  options.one_way = ExtraOr(extra, "one-way", "off") == "on";
  auto store = OpenStore(config, kImportCacheMib);
  if (!store) return Fail(store.error().message);
  SystemClock clock;
  SnowflakeGenerator ids(clock, config.worker_id);
  auto imported = ImportGraph(**store, ids, clock, options);
  (*store)->Close();
  if (!imported) return Fail(imported.error().message);
  boost::json::object out{{"accounts", imported->accounts}, {"follows", imported->follows}};
  std::printf("%s\n", boost::json::serialize(out).c_str());
  return 0;
}

int ImportStatusesCommand(const Config& config, const Extra& extra) {
  StatusImport options;
  options.statuses_path = ExtraOr(extra, "statuses", "");
  if (options.statuses_path.empty()) return Fail("import-statuses needs --statuses FILE");
  options.prefix = ExtraOr(extra, "prefix", "user");
  if (!config.api.public_url.empty()) options.base_url = config.api.public_url;
  options.worker_id = config.worker_id;
  options.max_characters = config.api.max_characters;
  auto store = OpenStore(config, kImportCacheMib);
  if (!store) return Fail(store.error().message);
  auto imported = ImportStatuses(**store, options);
  (*store)->Close();
  if (!imported) return Fail(imported.error().message);
  boost::json::object out{{"statuses", imported->statuses},
                          {"malformed", imported->malformed},
                          {"unknown_account", imported->unknown_account}};
  std::printf("%s\n", boost::json::serialize(out).c_str());
  return 0;
}

int ReindexCommand(const Config& config, const Extra&) {
  auto store = OpenStore(config, kImportCacheMib);
  if (!store) return Fail(store.error().message);
  auto index = OpenSearchIndex(config);
  if (!index) return Fail(index.error().message);
  SystemClock clock;
  Status s = ReindexSearch(**store, **index, clock, SearchIndexerLane(config));
  auto statuses = (*index)->CountStatuses();
  (*store)->Close();
  if (!s) return Fail(s.error().message);
  if (!statuses) return Fail(statuses.error().message);
  boost::json::object out{{"statuses", *statuses}};
  std::printf("%s\n", boost::json::serialize(out).c_str());
  return 0;
}

const char* EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kStatusCreated:
      return "status_created";
    case EventKind::kStatusDeleted:
      return "status_deleted";
    case EventKind::kFollowed:
      return "followed";
    case EventKind::kUnfollowed:
      return "unfollowed";
    case EventKind::kFavourited:
      return "favourited";
    case EventKind::kUnfavourited:
      return "unfavourited";
    case EventKind::kBlocked:
      return "blocked";
    case EventKind::kMuted:
      return "muted";
    case EventKind::kFollowChanged:
      return "follow_changed";
    case EventKind::kFollowRequested:
      return "follow_requested";
    case EventKind::kFollowRequestRemoved:
      return "follow_request_removed";
    case EventKind::kUnblocked:
      return "unblocked";
    case EventKind::kUnmuted:
      return "unmuted";
    case EventKind::kAccountUpdated:
      return "account_updated";
    case EventKind::kTokenRevoked:
      return "token_revoked";
    case EventKind::kAccountCreated:
      return "account_created";
    case EventKind::kBookmarked:
      return "bookmarked";
    case EventKind::kUnbookmarked:
      return "unbookmarked";
    case EventKind::kNotificationAdded:
      return "notification_added";
  }
  return "unknown";
}

// Dead letters are read a page at a time.
constexpr int kDeadLetterPage = 1000;

Result<std::string> ListDeadLettersOf(EventLog& log, const std::string& consumer) {
  std::string out;
  int64_t after_id = 0;
  for (;;) {
    auto page = log.ListDeadLetters({.consumer = consumer}, after_id, kDeadLetterPage);
    if (!page) return std::move(page).error();
    for (const DeadLetter& d : *page) {
      const OutboxEvent& e = d.event;
      boost::json::object line{{"id", d.id},
                               {"consumer", d.consumer},
                               {"event_id", e.id},
                               {"kind", EventKindName(e.kind)},
                               {"account_id", std::to_string(e.account_id)},
                               {"subject_id", std::to_string(e.subject_id)},
                               {"related_id", std::to_string(e.related_id)},
                               {"flags", e.flags},
                               {"created_at", FormatIso8601Millis(e.created_at_ms)},
                               {"attempts", d.attempts},
                               {"last_error", d.last_error},
                               {"failed_at", FormatIso8601Millis(d.failed_at_ms)},
                               {"replay", d.replay}};
      out += boost::json::serialize(line) + "\n";
      after_id = d.id;
    }
    if (static_cast<int>(page->size()) < kDeadLetterPage) return out;
  }
}

Result<std::string> EventsStatus(EventLog& log) {
  auto depth = log.CountOutbox();
  if (!depth) return std::move(depth).error();
  auto newest = log.NewestOutboxId();
  if (!newest) return std::move(newest).error();
  auto cursors = log.ListCursors();
  if (!cursors) return std::move(cursors).error();
  auto waiting = log.CountDeadLetters({});
  if (!waiting) return std::move(waiting).error();
  auto marked = log.CountDeadLetters({.marked_only = true});
  if (!marked) return std::move(marked).error();
  boost::json::array listed;
  for (const EventCursor& c : *cursors) {
    listed.push_back({{"consumer", c.consumer},
                      {"last_id", c.last_id},
                      {"pending", std::max<int64_t>(0, *newest - c.last_id)},
                      {"updated_at", FormatIso8601Millis(c.updated_at_ms)}});
  }
  boost::json::object out{{"outbox", {{"events", *depth}, {"newest_id", *newest}}},
                          {"cursors", std::move(listed)},
                          {"dead_letters", {{"waiting", *waiting}, {"marked", *marked}}}};
  return boost::json::serialize(out) + "\n";
}

// The dead letters that replay or drop act on: --id N or --all, and
// --consumer NAME.
Result<DeadLetterSelection> SelectionOf(const std::string& verb, const Extra& extra, bool all) {
  DeadLetterSelection selection{.consumer = ExtraOr(extra, "consumer", "")};
  const std::string id = ExtraOr(extra, "id", "");
  if (all == !id.empty()) return Error::BadRequest(verb + " needs either --id N or --all");
  if (!id.empty()) {
    const auto parsed = ParseId(id);
    if (!parsed) return Error::BadRequest("--id: '" + id + "' is not an id");
    selection.id = *parsed;
  }
  return selection;
}

}  // namespace

Result<std::string> RunEventsCommand(std::vector<std::string> args) {
  const std::string verb = args.empty() ? "" : args[0];
  if (verb != "list" && verb != "replay" && verb != "drop" && verb != "status") {
    return Error::BadRequest("admin events needs list, replay, drop or status (see chirpd --help)");
  }
  args.erase(args.begin());
  const bool all = std::erase(args, std::string("--all")) > 0;
  Extra extra;
  const std::vector<std::string> names =
      verb == "status" ? std::vector<std::string>{} : std::vector<std::string>{"consumer", "id"};
  auto config = ParseConfig(args, Env, nullptr, &extra, names);
  if (!config) return std::move(config).error();
  if (verb == "list" && (all || extra.contains("id"))) {
    return Error::BadRequest("list takes only --consumer NAME");
  }
  if (verb == "status" && all) return Error::BadRequest("unknown option --all");
  Result<DeadLetterSelection> selection = DeadLetterSelection{};
  if (verb == "replay" || verb == "drop") {
    selection = SelectionOf(verb, extra, all);
    if (!selection) return std::move(selection).error();
  }
  auto store = OpenStore(*config);
  if (!store) return std::move(store).error();
  Result<std::string> out = std::string();
  if (verb == "list") {
    out = ListDeadLettersOf(**store, ExtraOr(extra, "consumer", ""));
  } else if (verb == "status") {
    out = EventsStatus(**store);
  } else {
    const bool replay = verb == "replay";
    auto changed =
        replay ? (*store)->MarkForReplay(*selection) : (*store)->DropDeadLetters(*selection);
    if (!changed) {
      out = std::move(changed).error();
    } else if (*changed == 0 && selection->id != 0) {
      out = Error::NotFound("no dead letter " + std::to_string(selection->id) +
                            (selection->consumer.empty() ? "" : " of " + selection->consumer));
    } else {
      out = boost::json::serialize(boost::json::object{{replay ? "marked" : "dropped", *changed}}) +
            "\n";
    }
  }
  (*store)->Close();
  return out;
}

int RunAdminCommand(std::vector<std::string> args) {
  // Operator commands may run beside a server and beside each other on one
  // data directory: each holds a worker id of its own while it runs (the
  // highest one free unless --worker-id names one), so the ids and token
  // ids they make cannot collide with a server's or with each other's.
  // On PostgreSQL the id is held in the database as well (Store::HoldWorkerId),
  // where processes of other data directories and machines hold theirs.
  const auto with_worker = [](Result<Config> config, int (*command)(const Config&, const Extra&),
                              const Extra& extra) {
    if (!config) return Fail(config.error().message);
    if (config->database.url.empty()) {
      auto lease = config->worker_id == 0
                       ? WorkerLease::HoldFree(config->data_dir, 1, SnowflakeGenerator::kMaxWorker)
                       : WorkerLease::Hold(config->data_dir, config->worker_id);
      if (!lease) return Fail(lease.error().message);
      config->worker_id = lease->worker_id();
      return command(*config, extra);
    }
    auto holder = OpenStore(*config);
    if (!holder) return Fail(holder.error().message);
    const int64_t highest =
        config->worker_id == 0 ? SnowflakeGenerator::kMaxWorker : config->worker_id;
    const int64_t lowest = config->worker_id == 0 ? 1 : config->worker_id;
    for (int64_t id = highest; id >= lowest; --id) {
      auto lease = WorkerLease::Hold(config->data_dir, id);
      if (!lease) continue;
      auto held = (*holder)->HoldWorkerId(id);
      if (!held) return Fail(held.error().message);
      if (!*held) continue;
      config->worker_id = id;
      return command(*config, extra);
    }
    return Fail(config->worker_id == 0
                    ? "every worker id is held by another process"
                    : "worker id " + std::to_string(config->worker_id) +
                          " is held by another process: give another --worker-id");
  };
  const std::string sub = args.empty() ? "" : args[0];
  if (!args.empty()) args.erase(args.begin());
  std::map<std::string, std::string> extra;
  if (sub == "create-account") {
    return with_worker(ParseConfig(args, Env, nullptr, &extra, {"username", "email", "password"}),
                       CreateAccount, extra);
  }
  if (sub == "token") {
    return with_worker(ParseConfig(args, Env, nullptr, &extra, {"username", "usernames", "scopes"}),
                       IssueToken, extra);
  }
  if (sub == "import-graph") {
    return with_worker(ParseConfig(args, Env, nullptr, &extra, {"edges", "prefix", "one-way"}),
                       ImportGraphCommand, extra);
  }
  if (sub == "import-statuses") {
    return with_worker(ParseConfig(args, Env, nullptr, &extra, {"statuses", "prefix"}),
                       ImportStatusesCommand, extra);
  }
  if (sub == "reindex") {
    return with_worker(ParseConfig(args, Env, nullptr, &extra, {}), ReindexCommand, extra);
  }
  if (sub == "events") {
    auto out = RunEventsCommand(std::move(args));
    if (!out) return Fail(out.error().message);
    std::fputs(out->c_str(), stdout);
    return 0;
  }
  return Fail(
      "admin needs a subcommand: create-account, token, import-graph, import-statuses, reindex "
      "or events (see chirpd --help)");
}

}  // namespace chirp
