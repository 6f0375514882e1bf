#include "api/entities.h"

#include <boost/json/array.hpp>

#include "core/text.h"
#include "core/time_format.h"

namespace chirp {
namespace json = boost::json;

namespace {

json::array FieldsJson(const Account& account, bool as_html) {
  json::array out;
  for (const ProfileField& f : account.fields) {
    out.push_back(json::object{{"name", as_html ? EscapeHtml(f.name) : f.name},
                               {"value", as_html ? FieldValueHtml(f.value) : f.value},
                               {"verified_at", nullptr}});
  }
  return out;
}

}  // namespace

std::string FieldValueHtml(const std::string& value) {
  const std::string_view v = TrimAscii(value);
  if ((v.starts_with("https://") || v.starts_with("http://")) &&
      v.find_first_of(" \t\n\"'<>") == std::string_view::npos) {
    const std::string escaped = EscapeHtml(v);
    const std::string_view shown = std::string_view(escaped).substr(escaped.find("://") + 3);
    return "<a href=\"" + escaped + "\" target=\"_blank\" rel=\"nofollow noopener noreferrer me\">" +
           std::string(shown) + "</a>";
  }
  return EscapeHtml(value);
}

json::object AccountJson(const Account& a, const std::string& base_url) {
  const std::string avatar = base_url + "/avatars/original/missing.png";
  const std::string header = base_url + "/headers/original/missing.png";
  json::object o;
  o["id"] = std::to_string(a.id);
  o["username"] = a.username;
  o["acct"] = a.username;
  o["display_name"] = a.display_name;
  o["locked"] = a.locked;
  o["bot"] = a.bot;
  o["discoverable"] = a.discoverable;
  o["indexable"] = a.indexable;
  o["group"] = false;
  // Mastodon reports account creation to the day.
  o["created_at"] = FormatIso8601Millis(StartOfDayMillis(a.created_at_ms));
  o["note"] = PlainTextToHtml(a.note);
  o["url"] = base_url + "/@" + a.username;
  o["uri"] = base_url + "/users/" + a.username;
  o["avatar"] = avatar;
  o["avatar_static"] = avatar;
  o["header"] = header;
  o["header_static"] = header;
  o["followers_count"] = a.followers_count;
  o["following_count"] = a.following_count;
  o["statuses_count"] = a.statuses_count;
  o["last_status_at"] = a.last_status_at_ms != 0 ? json::value(FormatDate(a.last_status_at_ms))
                                                 : json::value(nullptr);
  o["hide_collections"] = false;
  o["noindex"] = !a.indexable;
  o["emojis"] = json::array();
  o["roles"] = json::array();
  o["fields"] = FieldsJson(a, true);
  return o;
}

json::object CredentialAccountJson(const Account& a, const std::string& base_url) {
  json::object o = AccountJson(a, base_url);
  json::object source;
  source["privacy"] = a.default_privacy;
  source["sensitive"] = a.default_sensitive;
  source["language"] = a.default_language.empty() ? json::value(nullptr) : json::value(a.default_language);
  source["note"] = a.note;
  source["fields"] = FieldsJson(a, false);
  source["follow_requests_count"] = 0;
  source["discoverable"] = a.discoverable;
  source["indexable"] = a.indexable;
  source["hide_collections"] = false;
  source["attribution_domains"] = json::array();
  o["source"] = std::move(source);
  o["role"] = json::object{{"id", "-99"},      {"name", ""},          {"permissions", "0"},
                           {"color", ""},      {"highlighted", false}};
  return o;
}

json::object ApplicationJson(const App& app, const std::string& client_secret) {
  json::object o;
  o["id"] = std::to_string(app.id);
  o["name"] = app.name;
  o["website"] = app.website.empty() ? json::value(nullptr) : json::value(app.website);
  json::array scopes;
  size_t i = 0;
  while (i < app.scopes.size()) {
    size_t j = app.scopes.find(' ', i);
    if (j == std::string::npos) j = app.scopes.size();
    if (j > i) scopes.push_back(json::string(app.scopes.substr(i, j - i)));
    i = j + 1;
  }
  o["scopes"] = std::move(scopes);
  json::array uris;
  std::string joined;
  for (const auto& uri : app.redirect_uris) {
    uris.push_back(json::string(uri));
    if (!joined.empty()) joined += '\n';
    joined += uri;
  }
  o["redirect_uris"] = std::move(uris);
  o["redirect_uri"] = joined;
  o["vapid_key"] = "";
  if (!client_secret.empty()) {
    o["client_id"] = app.client_id;
    o["client_secret"] = client_secret;
    o["client_secret_expires_at"] = 0;
  }
  return o;
}

json::object TokenJson(const std::string& access_token, const std::string& scopes,
                       int64_t created_at_ms) {
  return json::object{{"access_token", access_token},
                      {"token_type", "Bearer"},
                      {"scope", scopes},
                      {"created_at", created_at_ms / 1000}};
}

}  // namespace chirp
