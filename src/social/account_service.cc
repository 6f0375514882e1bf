#include "social/account_service.h"

#include <algorithm>
#include <tuple>

#include "core/secrets.h"
#include "core/text.h"

namespace chirp {
namespace {

Error TooLong(const char* field, size_t max) {
  return Error::Unprocessable(std::string("Validation failed: ") + field +
                              " is too long (maximum is " + std::to_string(max) + " characters)");
}

Status CheckLength(const std::optional<std::string>& value, const char* label, size_t max) {
  if (value && CountCodePoints(*value) > max) return TooLong(label, max);
  return {};
}

}  // namespace

AccountService::AccountService(Store& store, const Clock& clock, SnowflakeGenerator& ids,
                               AccountLookup& accounts, GraphService& graph, OwnWrites& own_writes,
                               ProfileImages* images)
    : store_(store),
      clock_(clock),
      ids_(ids),
      accounts_(accounts),
      graph_(graph),
      own_writes_(own_writes),
      images_(images) {}

Result<SignedUp> AccountService::SignUp(const RegistrationRequest& request, int64_t app_id) {
  auto app = store_.FindApp(app_id);
  if (!app) return std::move(app).error();
  SignedUp out;
  out.token = RandomToken();
  out.record.id = ids_.Next();
  out.record.digest = TokenDigest(out.token);
  out.record.app_id = app->id;
  out.record.scopes = app->scopes;
  out.record.created_at_ms = clock_.NowMillis();
  auto account = RegisterAccount(request, store_, ids_, clock_, &out.record);
  if (!account) return std::move(account).error();
  out.account = std::move(account).value();
  return out;
}

Result<AccountRef> AccountService::UpdateProfile(int64_t account_id, const ProfileUpdate& u) {
  auto current = accounts_.Get(account_id);
  if (!current) return std::move(current).error();
  if (Status s = CheckLength(u.display_name, "Display name", kMaxDisplayName); !s) return s.error();
  if (Status s = CheckLength(u.note, "Note", kMaxNote); !s) return s.error();
  Account a = **current;
  if (u.display_name) a.display_name = *u.display_name;
  if (u.note) a.note = *u.note;
  if (u.locked) a.locked = *u.locked;
  if (u.bot) a.bot = *u.bot;
  if (u.discoverable) a.discoverable = *u.discoverable;
  if (u.indexable) a.indexable = *u.indexable;
  if (u.fields) {
    std::vector<ProfileField> fields;
    for (const ProfileField& f : *u.fields) {
      if (CountCodePoints(f.name) > kMaxFieldLength) return TooLong("Field name", kMaxFieldLength);
      if (CountCodePoints(f.value) > kMaxFieldLength) {
        return TooLong("Field value", kMaxFieldLength);
      }
      if (TrimAscii(f.name).empty() && TrimAscii(f.value).empty()) continue;
      fields.push_back(f);
    }
    if (fields.size() > kMaxFields) {
      return Error::Unprocessable("Validation failed: Fields has too many entries (maximum is 4)");
    }
    a.fields = std::move(fields);
  }
  if (u.default_privacy) {
    const std::string& p = *u.default_privacy;
    if (p != "public" && p != "unlisted" && p != "private") {
      return Error::Unprocessable("Validation failed: Source privacy is not included in the list");
    }
    a.default_privacy = p;
  }
  if (u.default_sensitive) a.default_sensitive = *u.default_sensitive;
  if (u.default_language) {
    if (!u.default_language->empty() && !IsLanguageCode(*u.default_language)) {
      return Error::Unprocessable("Validation failed: Source language is not a language code");
    }
    a.default_language = *u.default_language;
  }
  // Images last, so that what is refused above keeps no file.
  std::vector<std::string> kept;
  for (auto [upload, target, kind] :
       {std::tuple{&u.avatar, &a.avatar, ProfileImageKind::kAvatar},
        std::tuple{&u.header, &a.header, ProfileImageKind::kHeader}}) {
    if (!*upload) continue;
    if (images_ == nullptr) {
      return Error::Unprocessable("Validation failed: avatar and header uploads are not accepted");
    }
    auto name = images_->KeepProfileImage(account_id, kind, **upload);
    if (!name) {
      Discard(kept);
      return std::move(name).error();
    }
    kept.push_back(*name);
    *target = std::move(name).value();
  }
  return Save(**current, a, kept);
}

Result<AccountRef> AccountService::RemoveProfileImage(int64_t account_id, ProfileImageKind kind) {
  auto current = accounts_.Get(account_id);
  if (!current) return std::move(current).error();
  Account a = **current;
  (kind == ProfileImageKind::kAvatar ? a.avatar : a.header).clear();
  return Save(**current, a, {});
}

Result<AccountRef> AccountService::Save(const Account& before, const Account& a,
                                        const std::vector<std::string>& kept) {
  if (Status s = store_.UpdateProfile(a); !s) {
    Discard(kept);
    return s.error();
  }
  own_writes_.Apply({.kind = EventKind::kAccountUpdated,
                     .account_id = a.id,
                     .subject_id = a.id,
                     .created_at_ms = clock_.NowMillis()});
  std::vector<std::string> replaced;
  if (!before.avatar.empty() && before.avatar != a.avatar) replaced.push_back(before.avatar);
  if (!before.header.empty() && before.header != a.header) replaced.push_back(before.header);
  Discard(replaced);
  if (before.locked && !a.locked) {
    if (Status s = graph_.AuthorizeAllRequests(a.id); !s) return s.error();
  }
  return accounts_.Get(a.id);
}

void AccountService::Discard(const std::vector<std::string>& names) {
  if (images_ == nullptr) return;
  for (const std::string& name : names) images_->DiscardProfileImage(name);
}

Result<int64_t> AccountService::PendingRequests(const Account& account) {
  // Pending requests exist only for locked accounts (unlocking authorizes
  // them), so unlocked accounts need no count.
  if (!account.locked) return int64_t{0};
  return store_.CountFollowRequests(account.id);
}

Result<int64_t> AccountService::Count() { return store_.CountAccounts(); }

}  // namespace chirp
