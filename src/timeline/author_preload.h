// Loads the authors' lists (timeline/author_posts.h) ahead of reads, on a
// thread of its own, from a server's start: the accounts that posted most
// recently first, as many as the lists may hold, many to a store read. The
// first home reads after a start then find the lists of the authors they
// follow in memory instead of each loading them one by one, which is what
// a rebuild costs most of at the size of a real service. Reads meanwhile
// load what they need themselves, as they always may.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>

#include "store/store.h"
#include "timeline/author_posts.h"

namespace chirp {

class AuthorPreload {
 public:
  // Starts at once; `store` and `posts` must outlive it.
  AuthorPreload(Store& store, AuthorPosts& posts, size_t max_authors);
  ~AuthorPreload() { Stop(); }

  AuthorPreload(const AuthorPreload&) = delete;
  AuthorPreload& operator=(const AuthorPreload&) = delete;

  // Ends the loading where it is; idempotent.
  void Stop();

 private:
  void Run();

  Store& store_;
  AuthorPosts& posts_;
  const size_t max_authors_;
  std::atomic<bool> stop_{false};
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace chirp
