// /api/v1/accounts: registration, credentials, profile updates, look-ups.
#include <boost/json/array.hpp>

#include "api/entities.h"
#include "api/routes.h"
#include "core/secrets.h"
#include "core/text.h"
#include "social/registration.h"

namespace chirp {
namespace json = boost::json;

namespace {

constexpr size_t kMaxDisplayName = 30;
constexpr size_t kMaxNote = 500;
constexpr size_t kMaxFields = 4;
constexpr size_t kMaxFieldLength = 255;
constexpr int64_t kDefaultSearchLimit = 40;
constexpr int64_t kMaxSearchLimit = 80;

Error TooLong(const char* field, size_t max) {
  return Error::Unprocessable(std::string("Validation failed: ") + field +
                              " is too long (maximum is " + std::to_string(max) + " characters)");
}

Result<HttpResponse> Register(ApiContext& ctx, ApiRequest& req) {
  if (!ctx.config.registrations_open) return Error::Forbidden("This action is not allowed");
  RegistrationRequest r;
  for (auto [key, target] : {std::pair{"username", &r.username},
                             {"email", &r.email},
                             {"password", &r.password},
                             {"locale", &r.locale},
                             {"reason", &r.reason},
                             {"date_of_birth", &r.date_of_birth}}) {
    auto value = req.params.String(key);
    if (!value) return std::move(value).error();
    *target = value->value_or("");
  }
  auto agreement = req.params.Bool("agreement");
  r.agreement = agreement && agreement->value_or(false);
  auto app = ctx.store.FindApp(req.principal->app_id);
  if (!app) return std::move(app).error();
  const std::string token = RandomToken();
  AccessToken record;
  record.id = ctx.ids.Next();
  record.digest = TokenDigest(token);
  record.app_id = app->id;
  record.scopes = app->scopes;
  record.created_at_ms = ctx.clock.NowMillis();
  auto account = RegisterAccount(r, ctx.store, ctx.ids, ctx.clock, &record);
  if (!account) return std::move(account).error();
  ctx.accounts.Remember(*account);
  return JsonBody(200, TokenJson(token, record.scopes, record.created_at_ms));
}

// Pending follow requests exist only for locked accounts (unlocking
// authorizes them), so unlocked accounts need no count.
Result<int64_t> PendingRequests(ApiContext& ctx, const Account& account) {
  if (!account.locked) return int64_t{0};
  return ctx.store.CountFollowRequests(account.id);
}

Result<HttpResponse> VerifyCredentials(ApiContext& ctx, ApiRequest& req) {
  auto account = ctx.accounts.Get(req.account_id());
  if (!account) return std::move(account).error();
  auto pending = PendingRequests(ctx, **account);
  if (!pending) return std::move(pending).error();
  return JsonBody(200, CredentialAccountJson(**account, req.base_url, *pending));
}

// Unlocking an account accepts the requests waiting for it, as Mastodon does.
Status AuthorizeAllRequests(ApiContext& ctx, int64_t account_id) {
  for (;;) {
    auto page = ctx.store.ListFollowRequests(account_id, {.limit = 100});
    if (!page) return std::move(page).error();
    if (page->empty()) {
      ctx.accounts.Forget(account_id);  // its followers_count
      return ctx.home != nullptr ? ctx.home->celebrities().Refresh(account_id) : Status();
    }
    for (const auto& entry : *page) {
      Status s = ctx.store.AuthorizeFollowRequest(entry.item, account_id, ctx.ids.Next(),
                                                  ctx.clock.NowMillis());
      if (!s && s.error().code != ErrorCode::kNotFound) return s;
      ctx.accounts.Forget(entry.item);
      ctx.viewers.Forget(entry.item);
    }
  }
}

// Applies one optional string parameter with a length limit.
Status ReadText(const Params& params, const char* key, const char* label, size_t max,
                std::string* target) {
  auto value = params.String(key);
  if (!value) return std::move(value).error();
  if (!*value) return {};
  if (CountCodePoints(**value) > max) return TooLong(label, max);
  *target = std::move(**value);
  return {};
}

Status ReadFlag(const Params& params, const char* key, bool* target) {
  auto value = params.Bool(key);
  if (!value) return std::move(value).error();
  if (*value) *target = **value;
  return {};
}

Result<HttpResponse> UpdateCredentials(ApiContext& ctx, ApiRequest& req) {
  auto current = ctx.accounts.Get(req.account_id());
  if (!current) return std::move(current).error();
  Account a = **current;
  const Params& p = req.params;
  if (!p.files().empty()) {
    return Error::Unprocessable(
        "Validation failed: avatar and header uploads are not supported yet");
  }
  if (Status s = ReadText(p, "display_name", "Display name", kMaxDisplayName, &a.display_name);
      !s) {
    return std::move(s).error();
  }
  if (Status s = ReadText(p, "note", "Note", kMaxNote, &a.note); !s) return std::move(s).error();
  for (auto [key, target] : {std::pair{"locked", &a.locked},
                             {"bot", &a.bot},
                             {"discoverable", &a.discoverable},
                             {"indexable", &a.indexable}}) {
    if (Status s = ReadFlag(p, key, target); !s) return std::move(s).error();
  }
  if (p.Has("fields_attributes")) {
    const json::value& raw = p.root().at("fields_attributes");
    if (!raw.is_array() && !raw.is_object()) {
      return Error::Unprocessable("Validation failed: fields_attributes must be a list");
    }
    std::vector<ProfileField> fields;
    for (const Params& entry : p.GroupList("fields_attributes")) {
      ProfileField f;
      if (Status s = ReadText(entry, "name", "Field name", kMaxFieldLength, &f.name); !s) {
        return std::move(s).error();
      }
      if (Status s = ReadText(entry, "value", "Field value", kMaxFieldLength, &f.value); !s) {
        return std::move(s).error();
      }
      if (TrimAscii(f.name).empty() && TrimAscii(f.value).empty()) continue;
      fields.push_back(std::move(f));
    }
    if (fields.size() > kMaxFields) {
      return Error::Unprocessable("Validation failed: Fields has too many entries (maximum is 4)");
    }
    a.fields = std::move(fields);
  }
  if (auto source = p.Group("source")) {
    auto privacy = source->String("privacy");
    if (!privacy) return std::move(privacy).error();
    if (*privacy) {
      if (**privacy != "public" && **privacy != "unlisted" && **privacy != "private") {
        return Error::Unprocessable(
            "Validation failed: Source privacy is not included in the list");
      }
      a.default_privacy = **privacy;
    }
    if (Status s = ReadFlag(*source, "sensitive", &a.default_sensitive); !s)
      return std::move(s).error();
    auto language = source->String("language");
    if (!language) return std::move(language).error();
    if (*language) {
      const std::string& l = **language;
      const bool valid = l.empty() || ((l.size() == 2 || l.size() == 3) &&
                                       std::all_of(l.begin(), l.end(),
                                                   [](char c) { return c >= 'a' && c <= 'z'; }));
      if (!valid)
        return Error::Unprocessable("Validation failed: Source language is not a language code");
      a.default_language = l;
    }
  }
  if (Status s = ctx.accounts.UpdateProfile(a); !s) return std::move(s).error();
  if ((*current)->locked && !a.locked) {
    if (Status s = AuthorizeAllRequests(ctx, a.id); !s) return std::move(s).error();
  }
  auto fresh = ctx.accounts.Get(a.id);
  if (!fresh) return std::move(fresh).error();
  auto pending = PendingRequests(ctx, **fresh);
  if (!pending) return std::move(pending).error();
  return JsonBody(200, CredentialAccountJson(**fresh, req.base_url, *pending));
}

Result<HttpResponse> ShowAccount(ApiContext& ctx, ApiRequest& req) {
  const auto id = ParseId(req.path.Get("id"));
  if (!id) return Error::NotFound();
  auto account = ctx.accounts.Get(*id);
  if (!account) return std::move(account).error();
  return JsonBody(200, AccountJson(**account, req.base_url));
}

// "alice", "@alice" and "alice@this.host" name the local account alice.
std::string LocalUsername(std::string_view acct, const std::string& base_url) {
  acct = TrimAscii(acct);
  if (acct.starts_with('@')) acct.remove_prefix(1);
  const size_t at = acct.find('@');
  if (at == std::string_view::npos) return std::string(acct);
  const std::string_view domain = acct.substr(at + 1);
  const std::string_view host = std::string_view(base_url).substr(base_url.find("://") + 3);
  if (AsciiLower(domain) != AsciiLower(host)) return "";
  return std::string(acct.substr(0, at));
}

Result<HttpResponse> Lookup(ApiContext& ctx, ApiRequest& req) {
  auto acct = req.params.String("acct");
  if (!acct) return std::move(acct).error();
  if (!*acct || (*acct)->empty())
    return Error::BadRequest("param is missing or the value is empty: acct");
  const std::string username = LocalUsername(**acct, req.base_url);
  if (username.empty()) return Error::NotFound();
  auto account = ctx.accounts.GetByUsername(username);
  if (!account) return std::move(account).error();
  return JsonBody(200, AccountJson(**account, req.base_url));
}

Result<HttpResponse> Search(ApiContext& ctx, ApiRequest& req) {
  auto q = req.params.String("q");
  if (!q) return std::move(q).error();
  if (!*q || TrimAscii(**q).empty())
    return Error::BadRequest("param is missing or the value is empty: q");
  auto limit = req.params.Int("limit");
  if (!limit) return std::move(limit).error();
  auto offset = req.params.Int("offset");
  if (!offset) return std::move(offset).error();
  int64_t n = limit->value_or(kDefaultSearchLimit);
  n = std::clamp<int64_t>(n < 0 ? -n : n, 1, kMaxSearchLimit);
  const int64_t skip = std::max<int64_t>(0, offset->value_or(0));
  std::string prefix = LocalUsername(**q, req.base_url);
  if (prefix.empty()) return JsonResponse(200, "[]");
  auto found = ctx.store.SearchAccounts(prefix, static_cast<int>(n),
                                        static_cast<int>(std::min<int64_t>(skip, 1 << 20)));
  if (!found) return std::move(found).error();
  json::array out;
  for (const Account& a : *found) out.push_back(AccountJson(a, req.base_url));
  return JsonBody(200, out);
}

}  // namespace

void AddAccountRoutes(ApiRoutes& routes, ApiContext& ctx) {
  routes.Add({.method = "POST",
              .pattern = "/api/v1/accounts",
              .auth = AuthRequirement::kAnyToken,
              .scopes = "write:accounts",
              .limit = LimitClass::kRegistration},
             [&ctx](ApiRequest& r) { return Register(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/accounts/verify_credentials",
              .auth = AuthRequirement::kUser,
              .scopes = "read:accounts profile",
              .execution = Execution::kInline},
             [&ctx](ApiRequest& r) { return VerifyCredentials(ctx, r); });
  routes.Add({.method = "PATCH",
              .pattern = "/api/v1/accounts/update_credentials",
              .auth = AuthRequirement::kUser,
              .scopes = "write:accounts"},
             [&ctx](ApiRequest& r) { return UpdateCredentials(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/accounts/lookup",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:accounts"},
             [&ctx](ApiRequest& r) { return Lookup(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/accounts/search",
              .auth = AuthRequirement::kUser,
              .scopes = "read:accounts"},
             [&ctx](ApiRequest& r) { return Search(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/accounts/:id",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:accounts"},
             [&ctx](ApiRequest& r) { return ShowAccount(ctx, r); });
}

}  // namespace chirp
