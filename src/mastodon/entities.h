// Mastodon entities as JSON. Every key the reference lists as required is
// always written, with null or [] where there is nothing to say, because
// strict clients reject a whole page when one key is missing.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.h"

namespace chirp {

// Account (reference 1.8). `base_url` starts every URL.
// `sp` is where the JSON is allocated: a monotonic resource per response
// makes rendering a page a few allocations instead of thousands.
boost::json::object AccountJson(const Account& account, const std::string& base_url,
                                boost::json::storage_ptr sp = {});
// CredentialAccount: Account plus `source` and `role`.
boost::json::object CredentialAccountJson(const Account& account, const std::string& base_url,
                                          int64_t follow_requests_count = 0);
// Application; with `client_secret` non-empty, a CredentialApplication.
boost::json::object ApplicationJson(const App& app, const std::string& client_secret);
// Token, as /oauth/token and registration answer.
boost::json::object TokenJson(const std::string& access_token, const std::string& scopes,
                              int64_t created_at_ms);

// MediaAttachment, its file URLs under `base_url` (null while processing).
boost::json::object MediaAttachmentJson(const MediaAttachment& media, const std::string& base_url);

// What the viewer has done to a status; null pointer for anonymous readers,
// whose statuses carry no viewer keys at all.
struct ViewerFlags {
  bool favourited = false;
  bool reblogged = false;
  bool bookmarked = false;
  bool is_author = false;
};

// Status (reference 1.8), written as text in two steps so that what never
// changes is rendered once and cached (api/status_directory.h), and each
// request only adds counts, the author and its own flags.
//
// The members fixed at posting, without the braces: id, created_at, reply
// fields, visibility, content (or, with `source_requested`, for delete and
// redraft, text), urls, mentions, tags and the rest. `mentioned` are the
// accounts of status.mentioned_account_ids that still exist, in order.
std::string StatusFixedJson(const StatusRecord& status, const std::string& author_username,
                            const std::vector<const Account*>& mentioned,
                            const std::string& base_url, bool source_requested = false);

struct StatusParts {
  const StatusRecord& status;  // its counters and, for `pinned`, its kind
  std::string_view fixed;      // StatusFixedJson of it
  std::string_view account;    // the author's Account JSON
  std::string_view reblog;     // the wrapped status's JSON; empty: null
  const ViewerFlags* viewer;   // null for anonymous readers: no viewer keys
};
// Appends the Status object.
void AppendStatusJson(std::string& out, const StatusParts& parts);

// StatusSource: the plain text of a status, for editing.
boost::json::object StatusSourceJson(const StatusRecord& status);

// Relationship of the viewer to `target_id`.
boost::json::object RelationshipJson(int64_t target_id, const RelationshipRecord& r);

// "public", "unlisted", "private", "direct".
const char* VisibilityName(Visibility v);

// A profile field's value as HTML: escaped, with http(s) URLs as links.
std::string FieldValueHtml(const std::string& value);

}  // namespace chirp
