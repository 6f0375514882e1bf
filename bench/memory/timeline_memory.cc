// Resident memory of cached home timelines, measured on the cache chirpd
// uses (MemoryTimelineCache): ACCOUNTS live timelines filled by fan-out
// pushes (each status to FOLLOWERS random timelines) until every one holds
// CAPACITY entries. Reports the resident size each empty timeline costs and
// each entry costs, what a full timeline holds beside its 20-byte entries, from /proc/self/status
// with freed memory returned to the system before each reading, and the time one push takes (what a
// follower costs fan-out, by which the celebrity threshold is chosen).
//
//   chirp-timeline-memory [ACCOUNTS=100000] [FOLLOWERS=200] [CAPACITY=800]
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "timeline/memory_timeline_cache.h"

namespace {

long ResidentBytes() {
  malloc_trim(0);
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6) * 1024;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t accounts = argc > 1 ? std::atoll(argv[1]) : 100000;
  const int followers = argc > 2 ? std::atoi(argv[2]) : 200;
  const size_t capacity = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 800;
  if (accounts <= followers || followers <= 0 || capacity == 0) {
    std::fprintf(stderr, "usage: chirp-timeline-memory [ACCOUNTS] [FOLLOWERS] [CAPACITY]\n");
    return 2;
  }
  std::mt19937_64 rng(7);
  // Account ids as the store issues them: snowflakes, spread over shards.
  std::vector<int64_t> ids(static_cast<size_t>(accounts));
  int64_t next_id = int64_t{1} << 40;
  for (auto& id : ids) id = (next_id += 4096 + static_cast<int64_t>(rng() % 4096));

  const long start = ResidentBytes();
  chirp::MemoryTimelineCache cache(capacity);
  for (int64_t id : ids) cache.Install(id, {}, 0);
  const long empty = ResidentBytes();

  // Each status from a random author to `followers` random timelines, ids
  // increasing as snowflakes do, until the timelines are full.
  std::uniform_int_distribution<size_t> pick(0, ids.size() - 1);
  std::vector<int64_t> recipients(static_cast<size_t>(followers));
  int64_t status_id = int64_t{1} << 50;
  const uint64_t target = static_cast<uint64_t>(accounts) * capacity;
  uint64_t rounds = 0;
  uint64_t pushes = 0;
  const auto fill_start = std::chrono::steady_clock::now();
  while (cache.Stats().entries < target) {
    for (int batch = 0; batch < 10000; ++batch) {
      for (auto& r : recipients) r = ids[pick(rng)];
      pushes +=
          cache.PushMany(recipients, chirp::TimelineEntry::Of(++status_id, ids[pick(rng)], 0));
    }
    if (++rounds > 1000000) break;
  }
  const double fill_ns = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                 std::chrono::steady_clock::now() - fill_start)
                                                 .count());
  const long full = ResidentBytes();
  const chirp::TimelineCacheStats stats = cache.Stats();
  std::printf(
      "{\"accounts\": %lld, \"capacity\": %zu, \"entries\": %llu, \"entry_size\": %zu, "
      "\"bytes_per_entry\": %.2f, \"bytes_per_timeline\": %.1f, "
      "\"overhead_per_timeline\": %.1f, \"resident_mib\": %.1f, \"ns_per_push\": %.0f}\n",
      static_cast<long long>(accounts), capacity, static_cast<unsigned long long>(stats.entries),
      sizeof(chirp::TimelineEntry),
      static_cast<double>(full - empty) / static_cast<double>(stats.entries),
      static_cast<double>(empty - start) / static_cast<double>(accounts),
      (static_cast<double>(full - start) -
       static_cast<double>(stats.entries) * sizeof(chirp::TimelineEntry)) /
          static_cast<double>(accounts),
      static_cast<double>(full - start) / (1 << 20), fill_ns / static_cast<double>(pushes));
  return 0;
}
