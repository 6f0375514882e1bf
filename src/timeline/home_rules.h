// The rules of the home timeline, as users of Mastodon and Twitter expect
// them, in one place for fan-out (push time), rebuilds and reads:
//  - one's own statuses appear;
//  - a reply appears only if the reader follows the account replied to (or
//    is that account, or is mentioned); replies to oneself are threads;
//  - reblogs appear unless the follow has reblogs off, and never a reblog of
//    the reader's own status;
//  - direct statuses appear only to the author and the mentioned;
//  - statuses of muted or blocked accounts never appear (applied at read).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "store/records.h"
#include "timeline/author_post.h"

namespace chirp {

// How the reader stands to the status's author and the account replied to.
struct HomeReader {
  int64_t id = 0;
  bool shows_reblogs_of_author = true;  // the follow's reblogs setting
  bool follows_replied_to = false;
};

// Whether `post`, by `author_id` (someone the reader follows, or the
// reader), belongs in the reader's home timeline; `mentions_reader` matters
// only for posts placed by mentions.
inline bool BelongsInHome(const AuthorPost& post, int64_t author_id, bool mentions_reader,
                          const HomeReader& reader) {
  if (author_id == reader.id) return true;
  if (post.vis() == Visibility::kDirect) return mentions_reader;
  if (post.is_reblog()) {
    return reader.shows_reblogs_of_author && post.other_account_id != reader.id;
  }
  if (post.is_reply() && post.other_account_id != author_id) {
    return post.other_account_id == reader.id || reader.follows_replied_to || mentions_reader;
  }
  return true;
}

inline bool Mentions(const StatusRecord& s, int64_t account_id) {
  return std::find(s.mentioned_account_ids.begin(), s.mentioned_account_ids.end(), account_id) !=
         s.mentioned_account_ids.end();
}

// The same for a whole status. For a reblog, `original_author_id` is the
// author of the reblogged status.
inline bool BelongsInHome(const StatusRecord& status, const HomeReader& reader,
                          int64_t original_author_id = 0) {
  return BelongsInHome(PostOf(status, original_author_id), status.account_id,
                       Mentions(status, reader.id), reader);
}

}  // namespace chirp
