#include "timeline/author_preload.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <utility>
#include <vector>

#include "core/thread_entry.h"

namespace chirp {

namespace {

// Accounts read at a time while choosing whom to load.
constexpr int kScanPage = 1000;

}  // namespace

AuthorPreload::AuthorPreload(Store& store, AuthorPosts& posts, size_t max_authors)
    : store_(store),
      posts_(posts),
      max_authors_(max_authors),
      thread_([this] { RunThread("author-preload", [this] { Run(); }); }) {}

void AuthorPreload::Stop() {
  stop_.store(true, std::memory_order_relaxed);
  if (thread_.joinable()) thread_.join();
}

void AuthorPreload::Run() {
  const auto start = std::chrono::steady_clock::now();
  // Whoever posted, the most recent first: (time of the last status, id),
  // trimmed to what the lists may hold as the scan goes.
  std::vector<std::pair<int64_t, int64_t>> posters;
  const auto newest_first = [](const auto& a, const auto& b) { return a > b; };
  const auto trim = [&] {
    if (posters.size() <= max_authors_) return;
    std::nth_element(posters.begin(), posters.begin() + static_cast<ptrdiff_t>(max_authors_),
                     posters.end(), newest_first);
    posters.resize(max_authors_);
  };
  for (int64_t after = 0; !stop_.load(std::memory_order_relaxed);) {
    auto page = store_.ScanAccounts(after, kScanPage);
    if (!page) {
      std::fprintf(stderr, "chirpd: preloading authors' statuses: %s\n",
                   page.error().message.c_str());
      return;
    }
    for (const Account& a : *page) {
      if (a.statuses_count > 0) posters.emplace_back(a.last_status_at_ms, a.id);
    }
    if (posters.size() > 2 * max_authors_) trim();
    if (page->size() < static_cast<size_t>(kScanPage)) break;
    after = page->back().id;
  }
  trim();
  std::sort(posters.begin(), posters.end(), newest_first);
  std::vector<int64_t> authors;
  authors.reserve(posters.size());
  for (const auto& [at, id] : posters) authors.push_back(id);
  posters = {};
  // AuthorPosts::Preload hears Stop between its batches.
  auto loaded = posts_.Preload(authors, stop_);
  if (!loaded) {
    std::fprintf(stderr, "chirpd: preloading authors' statuses: %s\n",
                 loaded.error().message.c_str());
    return;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (*loaded > 0) {
    std::fprintf(stderr, "chirpd: the recent statuses of %zu authors loaded in %.1f s\n", *loaded,
                 seconds);
  }
}

}  // namespace chirp
