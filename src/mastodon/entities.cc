#include "mastodon/entities.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cstdio>

#include "core/text.h"
#include "core/time_format.h"

namespace chirp {
namespace json = boost::json;

namespace {

json::array FieldsJson(const Account& account, bool as_html, json::storage_ptr sp = {}) {
  json::array out(sp);
  for (const ProfileField& f : account.fields) {
    out.push_back(json::object({{"name", as_html ? EscapeHtml(f.name) : f.name},
                                {"value", as_html ? FieldValueHtml(f.value) : f.value},
                                {"verified_at", nullptr}},
                               sp));
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
    return "<a href=\"" + escaped +
           "\" target=\"_blank\" rel=\"nofollow noopener noreferrer me\">" + std::string(shown) +
           "</a>";
  }
  return EscapeHtml(value);
}

json::object AccountJson(const Account& a, const std::string& base_url, json::storage_ptr sp) {
  // The placeholder, or the file and its still version (the same file
  // unless it moves).
  const auto image = [&](const std::string& name, const char* missing, bool still) {
    if (name.empty()) return base_url + missing;
    return base_url + "/media/" + (still ? StillImageName(name) : name);
  };
  const char* no_avatar = "/avatars/original/missing.png";
  const char* no_header = "/headers/original/missing.png";
  json::object o(sp);
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
  o["avatar"] = image(a.avatar, no_avatar, false);
  o["avatar_static"] = image(a.avatar, no_avatar, true);
  o["header"] = image(a.header, no_header, false);
  o["header_static"] = image(a.header, no_header, true);
  o["followers_count"] = a.followers_count;
  o["following_count"] = a.following_count;
  o["statuses_count"] = a.statuses_count;
  o["last_status_at"] = a.last_status_at_ms != 0 ? json::value(FormatDate(a.last_status_at_ms))
                                                 : json::value(nullptr);
  o["hide_collections"] = false;
  o["noindex"] = !a.indexable;
  o["emojis"] = json::array(sp);
  o["roles"] = json::array(sp);
  o["fields"] = FieldsJson(a, true, sp);
  return o;
}

json::object CredentialAccountJson(const Account& a, const std::string& base_url,
                                   int64_t follow_requests_count) {
  json::object o = AccountJson(a, base_url);
  json::object source;
  source["privacy"] = a.default_privacy;
  source["sensitive"] = a.default_sensitive;
  source["language"] =
      a.default_language.empty() ? json::value(nullptr) : json::value(a.default_language);
  source["note"] = a.note;
  source["fields"] = FieldsJson(a, false);
  source["follow_requests_count"] = follow_requests_count;
  source["discoverable"] = a.discoverable;
  source["indexable"] = a.indexable;
  source["hide_collections"] = false;
  source["attribution_domains"] = json::array();
  o["source"] = std::move(source);
  o["role"] = json::object{
      {"id", "-99"}, {"name", ""}, {"permissions", "0"}, {"color", ""}, {"highlighted", false}};
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

const char* VisibilityName(Visibility v) {
  switch (v) {
    case Visibility::kPublic:
      return "public";
    case Visibility::kUnlisted:
      return "unlisted";
    case Visibility::kPrivate:
      return "private";
    case Visibility::kDirect:
      return "direct";
  }
  return "public";
}

namespace {

json::object MediaGeometry(const MediaFileInfo& file) {
  json::object o;
  o["width"] = file.width;
  o["height"] = file.height;
  o["size"] = std::to_string(file.width) + "x" + std::to_string(file.height);
  o["aspect"] = file.height > 0 ? static_cast<double>(file.width) / file.height : 0.0;
  return o;
}

// A number of seconds as Mastodon writes a duration.
double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000; }

// A duration as "H:MM:SS.hh", as Mastodon's `meta.length`.
std::string Length(int64_t ms) {
  char out[48];
  std::snprintf(out, sizeof out, "%lld:%02lld:%02lld.%02lld", static_cast<long long>(ms / 3600000),
                static_cast<long long>(ms / 60000 % 60), static_cast<long long>(ms / 1000 % 60),
                static_cast<long long>(ms % 1000 / 10));
  return out;
}

}  // namespace

json::object MediaAttachmentJson(const MediaAttachment& m, const std::string& base_url) {
  const bool ready = m.state == MediaState::kReady;
  // The preview its owner gave, which exists while the upload is
  // processed, or the one processing made.
  const bool given = !m.thumbnail.name.empty();
  const MediaFileInfo& preview = given ? m.thumbnail : m.small;
  const auto url_of = [&](const MediaFileInfo& file) -> json::value {
    if (!(ready || (given && &file == &m.thumbnail)) || file.name.empty()) return nullptr;
    return json::value(base_url + "/media/" + file.name);
  };
  json::object meta;
  if (ready) {
    json::object original = MediaGeometry(m.original);
    if (m.duration_ms > 0) original["duration"] = Seconds(m.duration_ms);
    if (!m.frame_rate.empty()) original["frame_rate"] = m.frame_rate;
    if (m.bitrate > 0) original["bitrate"] = m.bitrate;
    meta["original"] = std::move(original);
    if (!preview.name.empty()) meta["small"] = MediaGeometry(preview);
    if (m.duration_ms > 0) {
      meta["length"] = Length(m.duration_ms);
      meta["duration"] = Seconds(m.duration_ms);
    }
  }
  meta["focus"] = json::object{{"x", m.focus_x}, {"y", m.focus_y}};
  json::object o;
  o["id"] = std::to_string(m.id);
  o["type"] = MediaTypeName(m.type);
  o["url"] = url_of(m.original);
  o["preview_url"] = url_of(preview);
  o["remote_url"] = nullptr;
  o["preview_remote_url"] = nullptr;
  o["text_url"] = nullptr;
  o["meta"] = std::move(meta);
  o["description"] = m.description.empty() ? json::value(nullptr) : json::value(m.description);
  o["blurhash"] = m.blurhash.empty() ? json::value(nullptr) : json::value(m.blurhash);
  return o;
}

std::string StatusFixedJson(const StatusRecord& s, const std::string& author_username,
                            const std::vector<const Account*>& mentioned,
                            const std::string& base_url, bool source_requested) {
  const std::string id = std::to_string(s.id);
  json::object o;
  o["id"] = id;
  o["created_at"] = FormatIso8601Millis(s.created_at_ms);
  o["in_reply_to_id"] =
      s.in_reply_to_id != 0 ? json::value(std::to_string(s.in_reply_to_id)) : json::value(nullptr);
  o["in_reply_to_account_id"] = s.in_reply_to_account_id != 0
                                    ? json::value(std::to_string(s.in_reply_to_account_id))
                                    : json::value(nullptr);
  o["sensitive"] = s.sensitive;
  o["spoiler_text"] = s.spoiler_text;
  o["visibility"] = VisibilityName(s.visibility);
  o["language"] = s.language.empty() ? json::value(nullptr) : json::value(s.language);
  o["uri"] = base_url + "/users/" + author_username + "/statuses/" + id;
  o["url"] = s.reblog_of_id != 0 ? json::value(nullptr)
                                 : json::value(base_url + "/@" + author_username + "/" + id);
  o["quotes_count"] = 0;
  o["edited_at"] = nullptr;
  if (source_requested) {
    o["text"] = s.text;
  } else {
    o["content"] = s.content;
  }
  json::array media;
  for (const MediaAttachment& m : s.media) media.push_back(MediaAttachmentJson(m, base_url));
  o["media_attachments"] = std::move(media);
  json::array mentions;
  for (const Account* a : mentioned) {
    mentions.push_back(json::object({{"id", std::to_string(a->id)},
                                     {"username", a->username},
                                     {"url", base_url + "/@" + a->username},
                                     {"acct", a->username}}));
  }
  o["mentions"] = std::move(mentions);
  json::array tags;
  for (size_t i = 0; i < s.tags.size(); ++i) {
    const std::string& shown = i < s.tag_display_names.size() ? s.tag_display_names[i] : s.tags[i];
    tags.push_back(json::object({{"name", shown}, {"url", base_url + "/tags/" + s.tags[i]}}));
  }
  o["tags"] = std::move(tags);
  o["emojis"] = json::array();
  o["card"] = nullptr;
  o["poll"] = nullptr;
  // Chirp's extension: the design documents' optional location of a status.
  if (s.latitude && s.longitude) {
    o["location"] = json::object{{"latitude", *s.latitude}, {"longitude", *s.longitude}};
  } else {
    o["location"] = nullptr;
  }
  std::string text = json::serialize(o);
  // Without the braces: the members are completed per request.
  return text.substr(1, text.size() - 2);
}

namespace {

void AppendCount(std::string& out, std::string_view key, int64_t value) {
  out += ",\"";
  out += key;
  out += "\":";
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

void AppendFlag(std::string& out, std::string_view key, bool value) {
  out += ",\"";
  out += key;
  out += value ? "\":true" : "\":false";
}

}  // namespace

void AppendStatusJson(std::string& out, const StatusParts& p) {
  out += '{';
  out += p.fixed;
  AppendCount(out, "replies_count", p.status.replies_count);
  AppendCount(out, "reblogs_count", p.status.reblogs_count);
  AppendCount(out, "favourites_count", p.status.favourites_count);
  out += ",\"account\":";
  out += p.account;
  out += ",\"reblog\":";
  if (p.reblog.empty()) {
    out += "null";
  } else {
    out += p.reblog;
  }
  if (p.viewer != nullptr) {
    AppendFlag(out, "favourited", p.viewer->favourited);
    AppendFlag(out, "reblogged", p.viewer->reblogged);
    AppendFlag(out, "muted", false);
    AppendFlag(out, "bookmarked", p.viewer->bookmarked);
    out += ",\"filtered\":[]";
    if (p.viewer->is_author && p.status.reblog_of_id == 0 &&
        p.status.visibility != Visibility::kDirect) {
      AppendFlag(out, "pinned", false);
    }
  }
  out += '}';
}

json::object StatusSourceJson(const StatusRecord& s) {
  return {{"id", std::to_string(s.id)}, {"text", s.text}, {"spoiler_text", s.spoiler_text}};
}

json::object RelationshipJson(int64_t target_id, const RelationshipRecord& r) {
  json::object o;
  o["id"] = std::to_string(target_id);
  o["following"] = r.following.has_value();
  o["showing_reblogs"] = r.following ? r.following->show_reblogs : false;
  o["notifying"] = r.following ? r.following->notify : false;
  o["languages"] = nullptr;
  o["followed_by"] = r.followed_by;
  o["blocking"] = r.blocking;
  o["blocked_by"] = r.blocked_by;
  o["muting"] = r.muting.has_value();
  o["muting_notifications"] = r.muting ? r.muting->hide_notifications : false;
  o["muting_expires_at"] = r.muting && r.muting->expires_at_ms != 0
                               ? json::value(FormatIso8601Millis(r.muting->expires_at_ms))
                               : json::value(nullptr);
  o["requested"] = r.requested;
  o["requested_by"] = r.requested_by;
  o["domain_blocking"] = false;
  o["endorsed"] = false;
  o["note"] = "";
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
