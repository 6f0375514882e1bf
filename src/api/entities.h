// Mastodon entities as JSON. Every key the reference lists as required is
// always written, with null or [] where there is nothing to say, because
// strict clients reject a whole page when one key is missing.
#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "store/records.h"

namespace chirp {

// Account (reference 1.8). `base_url` starts every URL.
boost::json::object AccountJson(const Account& account, const std::string& base_url);
// CredentialAccount: Account plus `source` and `role`.
boost::json::object CredentialAccountJson(const Account& account, const std::string& base_url);
// Application; with `client_secret` non-empty, a CredentialApplication.
boost::json::object ApplicationJson(const App& app, const std::string& client_secret);
// Token, as /oauth/token and registration answer.
boost::json::object TokenJson(const std::string& access_token, const std::string& scopes,
                              int64_t created_at_ms);

// A profile field's value as HTML: escaped, with http(s) URLs as links.
std::string FieldValueHtml(const std::string& value);

}  // namespace chirp
