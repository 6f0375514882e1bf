// A status as the home rules, rebuilds and an author's timeline read it:
// 24 bytes, without text, content, tags or media. Placing a status in a
// reader's home needs who it shows (for a reblog), whom it answers (for a
// reply), its visibility, and for the few statuses placed by mention
// (direct ones, replies to others) the accounts mentioned, kept apart.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/unaligned.h"
#include "store/records.h"
#include "timeline/timeline_cache.h"

namespace chirp {

#pragma pack(push, 4)
struct AuthorPost {
  UnalignedInt64 status_id = 0;
  // For a reblog, the author of the reblogged status; for a reply, the
  // account replied to; otherwise 0.
  UnalignedInt64 other_account_id = 0;
  uint32_t shown_key = 0;  // TimelineEntry::KeyOf(the status shown)
  uint8_t visibility = 0;  // a Visibility
  uint8_t flags = 0;

  static constexpr uint8_t kReblog = 1;
  static constexpr uint8_t kReply = 2;
  static constexpr uint8_t kPlacedByMentions = 4;  // direct, or a reply to another account

  bool is_reblog() const { return (flags & kReblog) != 0; }
  bool is_reply() const { return (flags & kReply) != 0; }
  bool placed_by_mentions() const { return (flags & kPlacedByMentions) != 0; }
  Visibility vis() const { return static_cast<Visibility>(visibility); }
  TimelineEntry Entry(int64_t author_id) const {
    return {status_id, author_id, (is_reblog() ? TimelineEntry::kReblog : 0u) | shown_key};
  }
};
#pragma pack(pop)
static_assert(sizeof(AuthorPost) == 24, "author posts are 24 bytes");

// One account mentioned by a status placed by mentions.
struct PostMention {
  int64_t status_id = 0;
  int64_t account_id = 0;
  auto operator<=>(const PostMention&) const = default;
};

// `status` as an AuthorPost; for a reblog, `original_author_id` is the
// reblogged status's author.
inline AuthorPost PostOf(const StatusRecord& status, int64_t original_author_id) {
  AuthorPost p;
  p.status_id = status.id;
  p.visibility = static_cast<uint8_t>(status.visibility);
  if (status.reblog_of_id != 0) {
    p.flags |= AuthorPost::kReblog;
    p.other_account_id = original_author_id;
  } else if (status.in_reply_to_id != 0) {
    p.flags |= AuthorPost::kReply;
    p.other_account_id = status.in_reply_to_account_id;
  }
  if (status.visibility == Visibility::kDirect ||
      (p.is_reply() && status.in_reply_to_account_id != status.account_id)) {
    p.flags |= AuthorPost::kPlacedByMentions;
  }
  p.shown_key = TimelineEntry::KeyOf(status.reblog_of_id != 0 ? status.reblog_of_id : status.id);
  return p;
}

// Whether `mentions` (sorted) has `account_id` mentioned by `status_id`.
inline bool Mentioned(const std::vector<PostMention>& mentions, int64_t status_id,
                      int64_t account_id) {
  return std::binary_search(mentions.begin(), mentions.end(), PostMention{status_id, account_id});
}

// Some of one author's posts, newest first, with the accounts mentioned by
// those placed by mentions (sorted).
struct AuthorSlice {
  std::vector<AuthorPost> posts;
  std::vector<PostMention> mentions;

  bool Mentions(int64_t status_id, int64_t account_id) const {
    return Mentioned(mentions, status_id, account_id);
  }
};

// An author's newest posts as memory holds them (timeline/author_posts.h):
// published whole and never changed afterwards (a change publishes a new
// list), so that a reader keeps one and walks it without a lock or a copy.
struct AuthorList {
  std::vector<AuthorPost> posts;      // ascending by id
  std::vector<PostMention> mentions;  // sorted
  // Every post of the author from this id up is here; 0: every post.
  int64_t floor = 0;
};

}  // namespace chirp
