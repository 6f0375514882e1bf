// Creating accounts: the validation Mastodon applies to sign-ups, with its
// error details, and the write. Used by POST /api/v1/accounts and by
// `chirpd admin create-account`.
#pragma once

#include <optional>
#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "core/snowflake.h"
#include "store/records.h"
#include "store/store.h"

namespace chirp {

struct RegistrationRequest {
  std::string username;
  std::string email;
  std::string password;
  bool agreement = false;
  std::string locale;
  std::string reason;
  std::string date_of_birth;
  // Whether the account's public statuses are found by anyone's search
  // (the operator's default; the account may change it).
  bool indexable = true;
};

constexpr size_t kMaxUsernameLength = 30;
constexpr size_t kMinPasswordLength = 8;
constexpr size_t kMaxPasswordLength = 72;

// Field checks only (no store access): kUnprocessable with Mastodon's details
// (ERR_BLANK, ERR_INVALID, ERR_TOO_LONG, ERR_TOO_SHORT, ERR_RESERVED,
// ERR_ACCEPTED), or Ok.
Status ValidateRegistration(const RegistrationRequest& request);

// Validates, checks that username and e-mail are free, hashes the password
// and commits the account and user, together with `token` when given (its
// account_id is filled in). Conflicts answer ERR_TAKEN details.
Result<Account> RegisterAccount(const RegistrationRequest& request, Store& store,
                                SnowflakeGenerator& ids, const Clock& clock,
                                AccessToken* token = nullptr);

}  // namespace chirp
