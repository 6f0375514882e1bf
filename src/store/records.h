// Plain records that the store reads and writes. They carry no behaviour; the
// rules that govern them live in the modules that use them (api/, social/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chirp {

struct ProfileField {
  std::string name;
  std::string value;
};

struct Account {
  int64_t id = 0;
  std::string username;  // as registered; unique case-insensitively
  std::string display_name;
  std::string note;  // plain-text source; rendered to HTML when served
  bool locked = false;
  bool bot = false;
  bool discoverable = true;
  bool indexable = false;
  std::vector<ProfileField> fields;
  std::string default_privacy = "public";
  bool default_sensitive = false;
  std::string default_language;  // "" when unset
  int64_t created_at_ms = 0;
  int64_t statuses_count = 0;
  int64_t followers_count = 0;
  int64_t following_count = 0;
  int64_t last_status_at_ms = 0;  // 0 when the account never posted
};

struct User {
  int64_t account_id = 0;
  std::string email;  // stored lower-cased; unique
  std::string password_hash;
  std::string locale;
  std::string date_of_birth;  // "YYYY-MM-DD" or ""
  std::string registration_reason;
  int64_t created_at_ms = 0;
  int64_t last_login_ms = 0;
};

struct App {
  int64_t id = 0;
  std::string name;
  std::string website;  // "" when unset
  std::vector<std::string> redirect_uris;
  std::string scopes;  // space separated, as registered
  std::string client_id;
  std::string client_secret_digest;
  int64_t created_at_ms = 0;
};

struct AccessToken {
  int64_t id = 0;
  std::string digest;   // TokenDigest of the bearer token
  int64_t app_id = 0;
  int64_t account_id = 0;  // 0 for an app token (client_credentials)
  std::string scopes;      // space separated
  int64_t created_at_ms = 0;
  int64_t revoked_at_ms = 0;  // 0 while valid
};

struct AuthorizationCode {
  std::string digest;
  int64_t app_id = 0;
  int64_t account_id = 0;
  std::string redirect_uri;
  std::string scopes;
  std::string code_challenge;  // "" when PKCE was not used
  int64_t created_at_ms = 0;
  int64_t expires_at_ms = 0;
};

// Store figures for /metrics.
struct StoreStats {
  uint64_t write_transactions = 0;  // group commits
  uint64_t write_operations = 0;    // requests' writes inside them
  uint64_t write_failures = 0;
  uint64_t reads = 0;
  uint64_t write_queue_depth = 0;
  uint64_t max_batch = 0;
};

}  // namespace chirp
