#include "timeline/author_merge.h"

#include <algorithm>
#include <utility>

namespace chirp {
namespace {

// The heap's order: the cursor whose next post is newest on top.
template <typename Cursor>
bool NextIsOlder(const Cursor* a, const Cursor* b) {
  return a->batch.posts[a->next].status_id < b->batch.posts[b->next].status_id;
}

}  // namespace

AuthorMerge::AuthorMerge(AuthorPosts& posts, Store& store, size_t batch, int64_t before_id)
    : posts_(posts), store_(store), batch_(std::max<size_t>(1, batch)), before_id_(before_id) {}

Status AuthorMerge::Refill(Cursor& c) {
  auto held = posts_.Recent(c.author, batch_, c.before);
  if (!held) return std::move(held).error();
  if (*held) {
    c.batch = std::move(**held);
  } else {
    auto stored = AuthorPosts::FromStore(store_, c.author, batch_, c.before);
    if (!stored) return std::move(stored).error();
    c.batch = std::move(*stored);
  }
  c.exhausted = c.batch.posts.size() < batch_;
  c.next = 0;
  if (!c.batch.posts.empty()) c.before = c.batch.posts.back().status_id;
  return {};
}

Status AuthorMerge::Add(int64_t author) {
  Cursor& c = cursors_.emplace_back();
  c.author = author;
  c.before = before_id_;
  if (Status s = Refill(c); !s) return s;
  if (c.batch.posts.empty()) return {};
  heap_.push_back(&c);
  std::push_heap(heap_.begin(), heap_.end(), NextIsOlder<Cursor>);
  return {};
}

Status AuthorMerge::Advance() {
  Cursor* c = std::exchange(taken_, nullptr);
  if (c == nullptr) return {};
  if (++c->next >= c->batch.posts.size()) {
    if (c->exhausted) return {};
    if (Status s = Refill(*c); !s) return s;
    if (c->batch.posts.empty()) return {};
  }
  heap_.push_back(c);
  std::push_heap(heap_.begin(), heap_.end(), NextIsOlder<Cursor>);
  return {};
}

Result<std::optional<AuthorMerge::Item>> AuthorMerge::Next() {
  if (Status s = Advance(); !s) return std::move(s).error();
  if (heap_.empty()) return std::optional<Item>();
  std::pop_heap(heap_.begin(), heap_.end(), NextIsOlder<Cursor>);
  taken_ = heap_.back();
  heap_.pop_back();
  return std::optional<Item>(
      Item{taken_->author, &taken_->batch, &taken_->batch.posts[taken_->next]});
}

}  // namespace chirp
