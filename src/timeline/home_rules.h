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

namespace chirp {

// How the reader stands to the status's author and the account replied to.
struct HomeReader {
  int64_t id = 0;
  bool shows_reblogs_of_author = true;  // the follow's reblogs setting
  bool follows_replied_to = false;
};

inline bool Mentions(const StatusRecord& s, int64_t account_id) {
  return std::find(s.mentioned_account_ids.begin(), s.mentioned_account_ids.end(), account_id) !=
         s.mentioned_account_ids.end();
}

// Whether `status` (by someone the reader follows, or the reader) belongs in
// the reader's home timeline. For a reblog, `original_author_id` is the
// author of the reblogged status.
inline bool BelongsInHome(const StatusRecord& status, const HomeReader& reader,
                          int64_t original_author_id = 0) {
  if (status.account_id == reader.id) return true;
  if (status.visibility == Visibility::kDirect) return Mentions(status, reader.id);
  if (status.reblog_of_id != 0) {
    return reader.shows_reblogs_of_author && original_author_id != reader.id;
  }
  if (status.in_reply_to_id != 0 && status.in_reply_to_account_id != status.account_id) {
    return status.in_reply_to_account_id == reader.id || reader.follows_replied_to ||
           Mentions(status, reader.id);
  }
  return true;
}

}  // namespace chirp
