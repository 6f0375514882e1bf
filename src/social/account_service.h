// Accounts as their owners change them: signing up (with the app's first
// token) and updating the profile and posting defaults, with the limits
// Mastodon applies. Unlocking an account accepts the follow requests
// waiting for it, as Mastodon does.
//
// Thread-safe; calls block on the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/snowflake.h"
#include "social/graph_service.h"
#include "social/lookups.h"
#include "social/profile_images.h"
#include "social/registration.h"
#include "store/store.h"

namespace chirp {

// What an update changes; absent members keep their value.
struct ProfileUpdate {
  std::optional<std::string> display_name;
  std::optional<std::string> note;
  std::optional<bool> locked;
  std::optional<bool> bot;
  std::optional<bool> discoverable;
  std::optional<bool> indexable;
  std::optional<std::vector<ProfileField>> fields;  // blank pairs are dropped
  std::optional<std::string> default_privacy;       // public, unlisted or private
  std::optional<bool> default_sensitive;
  std::optional<std::string> default_language;  // "" for none
  std::optional<UploadedImage> avatar;
  std::optional<UploadedImage> header;
};

// A new account with the bearer token its app receives.
struct SignedUp {
  Account account;
  std::string token;  // the secret, shown once
  AccessToken record;
};

class AccountService {
 public:
  static constexpr size_t kMaxDisplayName = 30;
  static constexpr size_t kMaxNote = 500;
  static constexpr size_t kMaxFields = 4;
  static constexpr size_t kMaxFieldLength = 255;

  // Everything must outlive the service. Without `images`, avatar and
  // header uploads are refused.
  AccountService(Store& store, const Clock& clock, SnowflakeGenerator& ids, AccountLookup& accounts,
                 GraphService& graph, OwnWrites& own_writes, ProfileImages* images = nullptr);

  // Registers an account (social/registration.h) through the app
  // `app_id`, which receives a token with the app's scopes.
  Result<SignedUp> SignUp(const RegistrationRequest& request, int64_t app_id);

  // Applies `update` to the account and returns it as stored.
  // kUnprocessable, with Mastodon's message, for a value out of bounds or
  // an image that is refused; nothing changes then. A replaced avatar or
  // header's file is removed.
  Result<AccountRef> UpdateProfile(int64_t account_id, const ProfileUpdate& update);
  // Takes the account's avatar or header away (and its file).
  Result<AccountRef> RemoveProfileImage(int64_t account_id, ProfileImageKind kind);

  // Follow requests waiting for the account (none unless it is locked).
  Result<int64_t> PendingRequests(const Account& account);

  // How many accounts there are, for the instance's figures.
  Result<int64_t> Count();

 private:
  Store& store_;
  const Clock& clock_;
  SnowflakeGenerator& ids_;
  AccountLookup& accounts_;
  GraphService& graph_;
  OwnWrites& own_writes_;
  ProfileImages* const images_;

  // Writes `after` over `before` with its event; the files `kept` for it
  // are removed when the write fails, the files `after` no longer shows
  // when it succeeds.
  Result<AccountRef> Save(const Account& before, const Account& after,
                          const std::vector<std::string>& kept);
  void Discard(const std::vector<std::string>& names);
};

}  // namespace chirp
