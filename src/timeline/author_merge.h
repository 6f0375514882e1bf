// Several authors' posts merged newest first, as a home timeline takes them:
// each author's read in batches from memory (AuthorPosts) or, below what
// memory holds, from the store, and only as far back as the caller pulls.
// What rebuilding a timeline and merging celebrities at read time share.
//
// Not thread-safe: one merge belongs to one read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "core/error.h"
#include "store/store.h"
#include "timeline/author_post.h"
#include "timeline/author_posts.h"

namespace chirp {

class AuthorMerge {
 public:
  // Reads `batch` posts of an author at a time, all below `before_id` (0:
  // no bound).
  AuthorMerge(AuthorPosts& posts, Store& store, size_t batch, int64_t before_id);

  AuthorMerge(const AuthorMerge&) = delete;
  AuthorMerge& operator=(const AuthorMerge&) = delete;

  // Adds an author to the merge, reading its first batch (the store when
  // memory cannot answer: kWouldBlock on a thread that must not wait).
  Status Add(int64_t author);

  // One post of the merge, and the batch it came from (for its mentions).
  // Valid until the next call to Next.
  struct Item {
    int64_t author = 0;
    const AuthorSlice* slice = nullptr;
    const AuthorPost* post = nullptr;
  };
  // The newest post not yet taken; nullopt once every author is exhausted.
  Result<std::optional<Item>> Next();

 private:
  struct Cursor {
    int64_t author = 0;
    AuthorSlice batch;  // newest first
    size_t next = 0;
    int64_t before = 0;  // the oldest post read so far
    bool exhausted = false;
  };
  Status Refill(Cursor& c);
  // Moves the cursor of the post Next returned last past it.
  Status Advance();

  AuthorPosts& posts_;
  Store& store_;
  const size_t batch_;
  const int64_t before_id_;
  std::deque<Cursor> cursors_;  // stable addresses for the heap
  std::vector<Cursor*> heap_;   // the cursors with posts left, newest next post on top
  Cursor* taken_ = nullptr;     // whose post Next returned last (popped from the heap)
};

}  // namespace chirp
