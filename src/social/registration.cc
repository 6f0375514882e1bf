#include "social/registration.h"

#include <array>

#include "core/secrets.h"
#include "core/text.h"

namespace chirp {
namespace {

// Names that would impersonate the service or its operators.
constexpr std::array<std::string_view, 10> kReservedUsernames = {
    "admin", "administrator", "root",  "support",   "help",
    "mod",   "moderator",     "staff", "webmaster", "postmaster"};

bool IsUsernameCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Mastodon's rule for local usernames: letters, digits and underscores only.
bool IsValidUsername(std::string_view u) {
  if (u.empty()) return false;
  for (char c : u) {
    if (!IsUsernameCharacter(c)) return false;
  }
  return true;
}

bool IsValidEmail(std::string_view e) {
  if (e.size() > 320) return false;
  const size_t at = e.find('@');
  if (at == 0 || at == std::string_view::npos || e.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view domain = e.substr(at + 1);
  const size_t dot = domain.find('.');
  if (dot == 0 || dot == std::string_view::npos || domain.back() == '.') return false;
  for (char c : e) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == ',' || c == ';') {
      return false;
    }
  }
  return true;
}

std::string Capitalised(std::string field) {
  if (!field.empty() && field[0] >= 'a' && field[0] <= 'z')
    field[0] = static_cast<char>(field[0] - 32);
  for (char& c : field) {
    if (c == '_') c = ' ';
  }
  return field;
}

void Add(Error& e, const std::string& field, const char* code, const std::string& description) {
  e.details[field].push_back({code, description});
}

// "Validation failed: Email can't be blank, Password is too short ...".
void ComposeMessage(Error& e) {
  std::string message = "Validation failed: ";
  bool first = true;
  for (const auto& [field, errors] : e.details) {
    for (const FieldError& fe : errors) {
      if (!first) message += ", ";
      first = false;
      message += Capitalised(field) + " " + fe.description;
    }
  }
  e.message = message;
}

}  // namespace

Status ValidateRegistration(const RegistrationRequest& r) {
  Error e = Error::Unprocessable("");
  if (!r.agreement) Add(e, "agreement", "ERR_ACCEPTED", "must be accepted");
  const std::string_view email = TrimAscii(r.email);
  if (email.empty()) Add(e, "email", "ERR_BLANK", "can't be blank");
  if (!IsValidEmail(email)) Add(e, "email", "ERR_INVALID", "is invalid");
  if (r.password.empty()) {
    Add(e, "password", "ERR_BLANK", "can't be blank");
  } else if (CountCodePoints(r.password) < kMinPasswordLength) {
    Add(e, "password", "ERR_TOO_SHORT", "is too short (minimum is 8 characters)");
  } else if (r.password.size() > kMaxPasswordLength) {
    Add(e, "password", "ERR_TOO_LONG", "is too long (maximum is 72 characters)");
  }
  if (r.username.empty()) {
    Add(e, "username", "ERR_BLANK", "can't be blank");
  } else if (r.username.size() > kMaxUsernameLength) {
    Add(e, "username", "ERR_TOO_LONG", "is too long (maximum is 30 characters)");
  } else if (!IsValidUsername(r.username)) {
    Add(e, "username", "ERR_INVALID", "must contain only letters, numbers and underscores");
  } else {
    const std::string lower = AsciiLower(r.username);
    for (std::string_view reserved : kReservedUsernames) {
      if (lower == reserved) Add(e, "username", "ERR_RESERVED", "is reserved");
    }
  }
  if (e.details.empty()) return {};
  ComposeMessage(e);
  return e;
}

Result<Account> RegisterAccount(const RegistrationRequest& request, Store& store,
                                SnowflakeGenerator& ids, const Clock& clock, AccessToken* token) {
  if (Status s = ValidateRegistration(request); !s) return std::move(s).error();
  Error taken = Error::Unprocessable("");
  if (auto existing = store.FindAccountByUsername(request.username); existing) {
    Add(taken, "username", "ERR_TAKEN", "has already been taken");
  } else if (existing.error().code != ErrorCode::kNotFound) {
    return existing.error();
  }
  const std::string email = AsciiLower(TrimAscii(request.email));
  if (auto existing = store.FindUserByEmail(email); existing) {
    Add(taken, "email", "ERR_TAKEN", "has already been taken");
  } else if (existing.error().code != ErrorCode::kNotFound) {
    return existing.error();
  }
  if (!taken.details.empty()) {
    ComposeMessage(taken);
    return taken;
  }
  const int64_t now = clock.NowMillis();
  Account account;
  account.id = ids.Next();
  account.username = request.username;
  account.indexable = request.indexable;
  account.created_at_ms = now;
  User user;
  user.account_id = account.id;
  user.email = email;
  user.password_hash = HashPassword(request.password);
  if (user.password_hash.empty()) return Error::Unavailable("Could not hash the password");
  user.locale = request.locale;
  user.registration_reason = request.reason;
  user.date_of_birth = request.date_of_birth;
  user.created_at_ms = now;
  Status written = Status();
  if (token != nullptr) {
    token->account_id = account.id;
    written = store.CreateAccountWithToken(account, user, *token);
  } else {
    written = store.CreateAccount(account, user);
  }
  if (!written) {
    Error e = std::move(written).error();
    if (!e.details.empty()) ComposeMessage(e);
    return e;
  }
  return account;
}

}  // namespace chirp
