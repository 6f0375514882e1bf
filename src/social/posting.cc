#include "social/posting.h"

#include <algorithm>

#include "core/text.h"
#include "social/status_access.h"
#include "text/status_text.h"

namespace chirp {
namespace {

constexpr int64_t kIdempotencyWindowMs = 60 * 60 * 1000;  // Mastodon keeps keys for an hour
constexpr size_t kMaxSpoilerLength = 1000;
constexpr size_t kMaxIdempotencyKey = 200;

}  // namespace

std::optional<Visibility> ParseVisibility(std::string_view v) {
  if (v == "public") return Visibility::kPublic;
  if (v == "unlisted") return Visibility::kUnlisted;
  if (v == "private") return Visibility::kPrivate;
  if (v == "direct") return Visibility::kDirect;
  return std::nullopt;
}

Result<PostedStatus> WriteNewStatus(Store& store, StatusLookup& statuses, OwnWrites& own_writes,
                                    const StatusRecord& status, std::string_view idempotency_key,
                                    int64_t idempotency_window_ms) {
  PostedStatus posted;
  posted.cache_token = statuses.LoadToken(status.id);
  auto created = store.CreateStatus(status, idempotency_key, idempotency_window_ms);
  if (!created) return std::move(created).error();
  if (created->stored) {
    OutboxEvent event = StatusEvent(EventKind::kStatusCreated, status, status.created_at_ms);
    event.id = created->event_id;
    own_writes.ApplyNewStatus(event, status);
  }
  posted.created = std::move(created).value();
  return posted;
}

Posting::Posting(Store& store, const Clock& clock, SnowflakeGenerator& ids, AccountLookup& accounts,
                 StatusLookup& statuses, ViewerCache& viewers, OwnWrites& own_writes,
                 PostingLimits limits)
    : store_(store),
      clock_(clock),
      ids_(ids),
      accounts_(accounts),
      statuses_(statuses),
      viewers_(viewers),
      own_writes_(own_writes),
      limits_(limits) {}

Status Posting::Validate(const StatusDraft& d, const Account& author, StatusRecord& s) {
  if (d.latitude.has_value() != d.longitude.has_value()) {
    return Error::Unprocessable("Validation failed: latitude and longitude go together");
  }
  s.latitude = d.latitude;
  s.longitude = d.longitude;
  if (d.media_ids.size() > static_cast<size_t>(limits_.max_media_attachments)) {
    return Error::Unprocessable("Validation failed: Media attachments are limited to " +
                                std::to_string(limits_.max_media_attachments));
  }
  for (const std::string& text_id : d.media_ids) {
    const auto media_id = ParseId(text_id);
    if (!media_id) {
      return Error::Unprocessable("Validation failed: media attachment " + text_id +
                                  " was not found");
    }
    if (std::find(s.media_ids.begin(), s.media_ids.end(), *media_id) == s.media_ids.end()) {
      s.media_ids.push_back(*media_id);
    }
  }
  if (TrimAscii(s.text).empty() && s.media_ids.empty()) {
    return Error::Unprocessable("Validation failed: Text can't be blank");
  }
  if (CountStatusLength(s.text) + CountGraphemes(s.spoiler_text) >
      static_cast<size_t>(limits_.max_characters)) {
    return Error::Unprocessable("Validation failed: Text character limit of " +
                                std::to_string(limits_.max_characters) + " exceeded");
  }
  if (CountCodePoints(s.spoiler_text) > kMaxSpoilerLength) {
    return Error::Unprocessable("Validation failed: Spoiler text is too long");
  }
  const std::string visibility_name = d.visibility.value_or(author.default_privacy);
  const auto visibility = ParseVisibility(visibility_name.empty() ? "public" : visibility_name);
  if (!visibility) {
    return Error::Unprocessable("Validation failed: Visibility is not included in the list");
  }
  s.visibility = *visibility;
  s.sensitive = d.sensitive.value_or(author.default_sensitive) || !s.spoiler_text.empty();
  s.language = d.language.value_or(author.default_language);
  if (!s.language.empty() && !IsLanguageCode(s.language)) {
    return Error::Unprocessable("Validation failed: Language is not a valid language code");
  }
  if (d.idempotency_key.size() > kMaxIdempotencyKey) {
    return Error::Unprocessable("Validation failed: Idempotency-Key is too long");
  }
  return {};
}

// A reply names a status the author may see, and not a reblog.
Status Posting::SetReplyTarget(const StatusDraft& d, StatusRecord& s) {
  if (d.in_reply_to_id.empty()) return {};
  const Error missing =
      Error::NotFound("The post you are trying to reply to does not appear to exist.");
  const auto parent_id = ParseId(d.in_reply_to_id);
  if (!parent_id) return missing;
  auto parent = FindVisibleStatus(statuses_, viewers_, s.account_id, *parent_id);
  if (!parent) return parent.error().code == ErrorCode::kNotFound ? missing : parent.error();
  if (parent->reblog_of_id != 0) return missing;
  s.in_reply_to_id = parent->id;
  s.in_reply_to_account_id = parent->account_id;
  return {};
}

Result<PostedStatus> Posting::Post(const StatusDraft& d) {
  auto author = accounts_.Get(d.account_id);
  if (!author) return std::move(author).error();
  StatusRecord s;
  s.account_id = d.account_id;
  s.text = d.text;
  s.spoiler_text = d.spoiler_text;
  if (Status v = Validate(d, **author, s); !v) return std::move(v).error();
  if (Status r = SetReplyTarget(d, s); !r) return std::move(r).error();

  const ParsedStatusText parsed = ParseStatusText(s.text);
  const std::string_view host = std::string_view(d.base_url).substr(d.base_url.find("://") + 3);
  const auto resolve = [&](std::string_view username,
                           std::string_view domain) -> std::optional<ResolvedMention> {
    if (!domain.empty() && AsciiLower(domain) != AsciiLower(host)) return std::nullopt;
    auto account = accounts_.GetByUsername(username);
    if (!account) return std::nullopt;
    return ResolvedMention{(*account)->id, (*account)->username,
                           d.base_url + "/@" + (*account)->username, (*account)->username};
  };
  std::vector<ResolvedMention> mentions;
  s.content = RenderStatusHtml(s.text, parsed, resolve, d.base_url, &mentions);
  s.mentioned_account_ids = DistinctMentionedIds(mentions);
  // Each tag once, under its normalised name, shown as first written.
  s.tags = NormalizedTags(parsed, &s.tag_display_names);
  s.application_id = d.application_id;
  s.id = ids_.Next();
  s.created_at_ms = clock_.NowMillis();

  return WriteNewStatus(store_, statuses_, own_writes_, s, d.idempotency_key, kIdempotencyWindowMs);
}

Result<StatusRecord> Posting::Delete(int64_t account_id, int64_t status_id) {
  auto status = FindVisibleStatus(statuses_, viewers_, account_id, status_id);
  if (!status) return std::move(status).error();
  if (status->account_id != account_id) return Error::Forbidden("This action is not allowed");
  const int64_t now = clock_.NowMillis();
  auto deleted = store_.DeleteStatus(status->id, now);
  if (!deleted) return std::move(deleted).error();
  // The reblogs of it went with it (DeletedStatuses lists them first).
  for (size_t i = 0; i < deleted->status_ids.size(); ++i) {
    if (deleted->status_ids[i] == status->id) continue;
    StatusRecord reblog;
    reblog.id = deleted->status_ids[i];
    reblog.account_id = deleted->account_ids[i];
    reblog.reblog_of_id = status->id;
    own_writes_.Apply(StatusEvent(EventKind::kStatusDeleted, reblog, now));
  }
  own_writes_.Apply(StatusEvent(EventKind::kStatusDeleted, *status, now));
  return status;
}

}  // namespace chirp
