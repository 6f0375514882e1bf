#include "timeline/author_merge.h"

#include <algorithm>
#include <utility>

namespace chirp {
namespace {

// The heap's order: the cursor whose next post is newest on top.
template <typename Scheduled>
bool NextIsOlder(const Scheduled& a, const Scheduled& b) {
  return a.next_id < b.next_id;
}

}  // namespace

AuthorMerge::AuthorMerge(AuthorPosts& posts, Store& store, size_t batch, int64_t before_id)
    : posts_(posts), store_(store), batch_(std::max<size_t>(1, batch)), before_id_(before_id) {}

Result<bool> AuthorMerge::Refill(Cursor& c) {
  if (c.exhausted) return false;
  auto stored = AuthorPosts::FromStore(store_, c.author, batch_, c.before);
  if (!stored) return std::move(stored).error();
  c.batch = std::move(*stored);
  c.exhausted = c.batch.posts.size() < batch_;
  c.next = 0;
  if (c.batch.posts.empty()) return false;
  c.before = c.batch.posts.back().status_id;
  return true;
}

void AuthorMerge::Schedule(Cursor* c) {
  heap_.push_back({c->post().status_id, c});
  std::push_heap(heap_.begin(), heap_.end(), NextIsOlder<Scheduled>);
}

Status AuthorMerge::Add(int64_t author) {
  Cursor& c = cursors_.emplace_back();
  c.author = author;
  c.before = before_id_;
  auto held = posts_.Held(author);
  if (!held) return std::move(held).error();
  const AuthorList* list = held->get();
  // Memory answers from the list's floor up: for a bound at or below it,
  // the store does.
  if (list != nullptr && (before_id_ == 0 || list->floor == 0 || before_id_ > list->floor)) {
    const auto& posts = list->posts;
    c.held_next = before_id_ == 0
                      ? posts.size()
                      : static_cast<size_t>(std::lower_bound(posts.begin(), posts.end(), before_id_,
                                                             [](const AuthorPost& p, int64_t id) {
                                                               return p.status_id < id;
                                                             }) -
                                            posts.begin());
    // Below the list, the store; a list without a floor holds every post.
    c.exhausted = list->floor == 0;
    if (list->floor != 0) c.before = list->floor;
    if (c.held_next > 0) {
      c.held = std::move(*held);
      Schedule(&c);
      return {};
    }
  }
  auto refilled = Refill(c);
  if (!refilled) return std::move(refilled).error();
  if (*refilled) Schedule(&c);
  return {};
}

void AuthorMerge::SiftTopDown() {
  // The top's key went down (its cursor moved on to an older post): it
  // sinks below any child with a newer next post, as a max-heap keeps
  // (std::push_heap and std::pop_heap go on working on it).
  const size_t n = heap_.size();
  size_t at = 0;
  const Scheduled moved = heap_[0];
  for (;;) {
    size_t child = 2 * at + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child].next_id < heap_[child + 1].next_id) ++child;
    if (heap_[child].next_id <= moved.next_id) break;
    heap_[at] = heap_[child];
    at = child;
  }
  heap_[at] = moved;
}

Status AuthorMerge::Advance() {
  Cursor* c = std::exchange(taken_, nullptr);
  if (c == nullptr) return {};
  // The cursor taken last is still at the top of the heap: when it has a
  // next post, the top takes it and sinks (one pass down instead of a pop
  // and a push, the most frequent step of a merge).
  bool more = false;
  if (c->held != nullptr) {
    if (--c->held_next > 0) {
      more = true;
    } else {
      c->held = nullptr;  // memory is done; the store goes on below the floor
    }
  } else {
    more = ++c->next < c->batch.posts.size();
  }
  if (!more) {
    auto refilled = Refill(*c);
    if (!refilled || !*refilled) {
      // Done, or failed: the cursor leaves the heap.
      std::pop_heap(heap_.begin(), heap_.end(), NextIsOlder<Scheduled>);
      heap_.pop_back();
      if (!refilled) return std::move(refilled).error();
      return {};
    }
  }
  heap_[0].next_id = c->post().status_id;
  SiftTopDown();
  return {};
}

Result<std::optional<AuthorMerge::Item>> AuthorMerge::Next() {
  if (Status s = Advance(); !s) return std::move(s).error();
  if (heap_.empty()) return std::optional<Item>();
  taken_ = heap_[0].cursor;
  return std::optional<Item>(Item{taken_->author, &taken_->mentions(), &taken_->post()});
}

}  // namespace chirp
