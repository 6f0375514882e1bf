// Several authors' posts merged newest first, as a home timeline takes them:
// each author's walked in place in the list memory holds (AuthorPosts, no
// copy) and, below what memory holds, read from the store in batches, and
// only as far back as the caller pulls.
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
  // Takes posts below `before_id` (0: no bound); reads `batch` posts of an
  // author at a time from the store.
  AuthorMerge(AuthorPosts& posts, Store& store, size_t batch, int64_t before_id);

  AuthorMerge(const AuthorMerge&) = delete;
  AuthorMerge& operator=(const AuthorMerge&) = delete;

  // Adds an author to the merge: its list in memory (loaded when absent), or
  // its first batch from the store when memory cannot answer (kWouldBlock
  // on a thread that must not wait).
  Status Add(int64_t author);

  // One post of the merge, and the mentions of the posts beside it (sorted;
  // PlacedInHome asks them). Valid until the next call to Next.
  struct Item {
    int64_t author = 0;
    const std::vector<PostMention>* mentions = nullptr;
    const AuthorPost* post = nullptr;
  };
  // The newest post not yet taken; nullopt once every author is exhausted.
  Result<std::optional<Item>> Next();

 private:
  struct Cursor {
    int64_t author = 0;
    // From memory first: posts [0, held_next) of `held` are still to come
    // (the newest last). Null once memory has given what it holds.
    std::shared_ptr<const AuthorList> held;
    size_t held_next = 0;
    // Then from the store, below `before`, a batch at a time.
    AuthorSlice batch;  // newest first
    size_t next = 0;
    int64_t before = 0;
    bool exhausted = false;  // no more below the current batch (or list)

    const AuthorPost& post() const {
      return held != nullptr ? held->posts[held_next - 1] : batch.posts[next];
    }
    const std::vector<PostMention>& mentions() const {
      return held != nullptr ? held->mentions : batch.mentions;
    }
  };
  // Reads the cursor's next batch from the store; false when there is none.
  Result<bool> Refill(Cursor& c);
  void Schedule(Cursor* c);
  // Restores the heap after its top's next post changed to an older one.
  void SiftTopDown();
  // Moves the cursor of the post Next returned last (still the heap's top)
  // past it.
  Status Advance();

  AuthorPosts& posts_;
  Store& store_;
  const size_t batch_;
  const int64_t before_id_;
  // A cursor with posts left, under the id of its next post: the heap's
  // comparisons read the heap alone, not each cursor and its list (which
  // were most of a rebuild's cache misses).
  struct Scheduled {
    int64_t next_id = 0;
    Cursor* cursor = nullptr;
  };
  std::deque<Cursor> cursors_;   // stable addresses for the heap
  std::vector<Scheduled> heap_;  // newest next post on top
  Cursor* taken_ = nullptr;      // whose post Next returned last (the heap's top)
};

}  // namespace chirp
