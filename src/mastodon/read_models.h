// What rendering Mastodon entities for a reader reads: accounts and
// statuses held in memory with their JSON rendered (the directories), each
// reader's relations, and the store for what those do not hold. The REST
// API and the streaming publisher render through the same presenters over
// one ReadModels, so a status looks the same on both.
#pragma once

#include "mastodon/account_directory.h"
#include "mastodon/status_directory.h"
#include "social/viewer_cache.h"
#include "store/store.h"

namespace chirp {

struct ReadModels {
  Store& store;
  AccountDirectory& accounts;
  StatusDirectory& statuses;
  ViewerCache& viewers;
};

}  // namespace chirp
