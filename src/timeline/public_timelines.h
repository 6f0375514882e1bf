// The public and hashtag timelines: read from the store's index of public
// statuses, newest first. What a reader may see of them (blocks, mutes) is
// decided when they are presented, as for every list of statuses.
//
// Thread-safe; calls block on the store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/store.h"

namespace chirp {

class PublicTimelines {
 public:
  explicit PublicTimelines(Store& store) : store_(store) {}

  // Ids of the public timeline's statuses on the page (replies to others
  // left out, as Mastodon's).
  Result<std::vector<int64_t>> Public(const PublicTimelineQuery& query, const PageRequest& page);
  // Ids of the statuses tagged `tag` (a normalised name), replies included,
  // narrowed by the query's any, all and none tags. kNotFound for a tag
  // never used.
  Result<std::vector<int64_t>> Tagged(const std::string& tag, PublicTimelineQuery query,
                                      const PageRequest& page);

 private:
  Store& store_;
};

}  // namespace chirp
