// /api/v1/accounts: registration, credentials, profile updates, look-ups.
#include <boost/json/array.hpp>

#include "api/routes.h"
#include "core/secrets.h"
#include "core/text.h"
#include "mastodon/entities.h"
#include "social/registration.h"

namespace chirp {
namespace json = boost::json;

namespace {

Result<HttpResponse> Register(const AccountRouteParts& ctx, ApiRequest& req) {
  if (!ctx.config.registrations_open) return Error::Forbidden("This action is not allowed");
  RegistrationRequest r;
  r.indexable = ctx.config.indexable_default;
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
  auto signed_up = ctx.account_service.SignUp(r, req.principal->app_id);
  if (!signed_up) return std::move(signed_up).error();
  return JsonBody(
      200, TokenJson(signed_up->token, signed_up->record.scopes, signed_up->record.created_at_ms));
}

Result<HttpResponse> VerifyCredentials(const AccountRouteParts& ctx, ApiRequest& req) {
  auto account = ctx.accounts.Get(req.account_id());
  if (!account) return std::move(account).error();
  auto pending = ctx.account_service.PendingRequests(**account);
  if (!pending) return std::move(pending).error();
  return JsonBody(200, CredentialAccountJson(**account, req.base_url, *pending));
}

// Reads one optional string parameter.
Status ReadText(const Params& params, const char* key, std::optional<std::string>* target) {
  auto value = params.String(key);
  if (!value) return std::move(value).error();
  *target = std::move(value).value();
  return {};
}

Status ReadFlag(const Params& params, const char* key, std::optional<bool>* target) {
  auto value = params.Bool(key);
  if (!value) return std::move(value).error();
  *target = *value;
  return {};
}

// The account a profile change left, as CredentialAccount.
Result<HttpResponse> PresentCredentials(const AccountRouteParts& ctx, ApiRequest& req,
                                        Result<AccountRef> updated) {
  if (!updated) return std::move(updated).error();
  return PresentCommitted([&]() -> Result<HttpResponse> {
    auto pending = ctx.account_service.PendingRequests(**updated);
    if (!pending) return std::move(pending).error();
    return JsonBody(200, CredentialAccountJson(**updated, req.base_url, *pending));
  });
}

Result<HttpResponse> UpdateCredentials(const AccountRouteParts& ctx, ApiRequest& req) {
  const Params& p = req.params;
  ProfileUpdate u;
  for (const UploadedFile& file : p.files()) {
    const UploadedImage image{file.data, TrimAscii(file.content_type)};
    if (file.field == "avatar") u.avatar = image;
    if (file.field == "header") u.header = image;
  }
  for (auto [key, target] : {std::pair{"display_name", &u.display_name}, {"note", &u.note}}) {
    if (Status s = ReadText(p, key, target); !s) return std::move(s).error();
  }
  for (auto [key, target] : {std::pair{"locked", &u.locked},
                             {"bot", &u.bot},
                             {"discoverable", &u.discoverable},
                             {"indexable", &u.indexable}}) {
    if (Status s = ReadFlag(p, key, target); !s) return std::move(s).error();
  }
  if (p.Has("fields_attributes")) {
    const json::value& raw = p.root().at("fields_attributes");
    if (!raw.is_array() && !raw.is_object()) {
      return Error::Unprocessable("Validation failed: fields_attributes must be a list");
    }
    std::vector<ProfileField> fields;
    for (const Params& entry : p.GroupList("fields_attributes")) {
      std::optional<std::string> name;
      std::optional<std::string> value;
      if (Status s = ReadText(entry, "name", &name); !s) return std::move(s).error();
      if (Status s = ReadText(entry, "value", &value); !s) return std::move(s).error();
      fields.push_back({name.value_or(""), value.value_or("")});
    }
    u.fields = std::move(fields);
  }
  if (auto source = p.Group("source")) {
    if (Status s = ReadText(*source, "privacy", &u.default_privacy); !s) {
      return std::move(s).error();
    }
    if (Status s = ReadFlag(*source, "sensitive", &u.default_sensitive); !s) {
      return std::move(s).error();
    }
    if (Status s = ReadText(*source, "language", &u.default_language); !s) {
      return std::move(s).error();
    }
  }
  return PresentCredentials(ctx, req, ctx.account_service.UpdateProfile(req.account_id(), u));
}

// DELETE /api/v1/profile/avatar and /header.
Result<HttpResponse> RemoveProfileImage(const AccountRouteParts& ctx, ApiRequest& req,
                                        ProfileImageKind kind) {
  return PresentCredentials(ctx, req,
                            ctx.account_service.RemoveProfileImage(req.account_id(), kind));
}

Result<HttpResponse> ShowAccount(const AccountRouteParts& ctx, ApiRequest& req) {
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

Result<HttpResponse> Lookup(const AccountRouteParts& ctx, ApiRequest& req) {
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

}  // namespace

void AddAccountRoutes(ApiRoutes& routes, const AccountRouteParts& ctx) {
  routes.Add({.method = "POST",
              .pattern = "/api/v1/accounts",
              .auth = AuthRequirement::kAnyToken,
              .scopes = "write:accounts",
              .limit = LimitClass::kRegistration},
             [ctx](ApiRequest& r) { return Register(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/accounts/verify_credentials",
              .auth = AuthRequirement::kUser,
              .scopes = "read:accounts profile",
              .execution = Execution::kMemoryFirst},
             [ctx](ApiRequest& r) { return VerifyCredentials(ctx, r); });
  // With room for an avatar and a header beside the form's fields.
  routes.Add({.method = "PATCH",
              .pattern = "/api/v1/accounts/update_credentials",
              .auth = AuthRequirement::kUser,
              .scopes = "write:accounts",
              .upload_body_limit =
                  2 * static_cast<size_t>(ctx.config.image_size_limit) + kDefaultBodyLimit},
             [ctx](ApiRequest& r) { return UpdateCredentials(ctx, r); });
  for (auto [pattern, kind] : {std::pair{"/api/v1/profile/avatar", ProfileImageKind::kAvatar},
                               std::pair{"/api/v1/profile/header", ProfileImageKind::kHeader}}) {
    routes.Add({.method = "DELETE",
                .pattern = pattern,
                .auth = AuthRequirement::kUser,
                .scopes = "write:accounts"},
               [ctx, kind](ApiRequest& r) { return RemoveProfileImage(ctx, r, kind); });
  }
  routes.Add({.method = "GET",
              .pattern = "/api/v1/accounts/lookup",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:accounts"},
             [ctx](ApiRequest& r) { return Lookup(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/accounts/:id",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:accounts"},
             [ctx](ApiRequest& r) { return ShowAccount(ctx, r); });
}

}  // namespace chirp
