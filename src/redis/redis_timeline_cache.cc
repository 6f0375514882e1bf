#include "redis/redis_timeline_cache.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "core/clock.h"
#include "core/no_wait.h"

namespace chirp {
namespace {

constexpr size_t kEntryBytes = sizeof(TimelineEntry);
constexpr size_t kScanCount = 1000;

// Lua 5.1 numbers are doubles: an id is compared as two 32-bit halves.
constexpr const char* kPrelude = R"lua(
local E = 20
local function less(ahi, alo, bhi, blo) return ahi < bhi or (ahi == bhi and alo < blo) end
local function id_at(key, i)
  local hi, lo = struct.unpack('>I4I4', redis.call('GETRANGE', key, 1 + i * E, 8 + i * E))
  return hi, lo
end
-- The first index in [first, last) whose id is at least (hi, lo), or above
-- it when `above`.
local function bound(key, first, last, hi, lo, above)
  while first < last do
    local mid = math.floor((first + last) / 2)
    local mhi, mlo = id_at(key, mid)
    local right
    if above then right = not less(hi, lo, mhi, mlo) else right = less(mhi, mlo, hi, lo) end
    if right then first = mid + 1 else last = mid end
  end
  return first
end
)lua";

// KEYS: timeline. ARGV: entry, capacity, dedupe window, most entries held.
// 0: no timeline; 1: pushed, or left out (present, too old, a reblog showing).
constexpr const char* kPush = R"lua(
local key, e = KEYS[1], ARGV[1]
local cap, window, most = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local len = redis.call('STRLEN', key)
if len == 0 then return 0 end
local n = (len - 1) / E
local f = string.byte(e, 17)
if f >= 128 and window > 0 and n > 0 then
  local w = math.min(n, cap, window)
  local tail = redis.call('GETRANGE', key, len - w * E, len - 1)
  local k = string.char(f - 128) .. string.sub(e, 18, 20)
  for i = 0, w - 1 do
    local g = string.byte(tail, i * E + 17)
    if g >= 128 then g = g - 128 end
    if string.char(g) .. string.sub(tail, i * E + 18, i * E + 20) == k then return 1 end
  end
end
local hi, lo = struct.unpack('>I4I4', e)
local pos = n
if n > 0 then
  local lhi, llo = id_at(key, n - 1)
  if not less(lhi, llo, hi, lo) then
    pos = bound(key, 0, n, hi, lo, false)
    local phi, plo = id_at(key, pos)
    if phi == hi and plo == lo then return 1 end
    if n >= cap and pos <= n - cap then return 1 end
  end
end
if pos == n then
  redis.call('APPEND', key, e)
  if n + 1 > most then
    local v = redis.call('GET', key)
    redis.call('SET', key, string.sub(v, 1, 1) .. string.sub(v, 2 + (n + 1 - cap) * E), 'KEEPTTL')
  end
  return 1
end
local v = redis.call('GET', key)
local cut = 0
if n + 1 > most then cut = n + 1 - cap end
redis.call('SET', key, string.sub(v, 1, 1) .. string.sub(v, 2 + cut * E, 1 + pos * E) .. e ..
  string.sub(v, 2 + pos * E), 'KEEPTTL')
return 1
)lua";

// KEYS: timeline. ARGV: capacity, live window, max id (hi, lo; '' for
// none), min id (hi, lo; '' for none), limit. nil: not live (or reserved);
// else the page's entries, oldest first.
constexpr const char* kRead = R"lua(
local key = KEYS[1]
if redis.call('GETRANGE', key, 0, 0) ~= 'C' then return false end
redis.call('PEXPIRE', key, ARGV[2])
local n = (redis.call('STRLEN', key) - 1) / E
local cap, limit = tonumber(ARGV[1]), tonumber(ARGV[7])
local first, last = math.max(0, n - cap), n
if ARGV[3] ~= '' then last = bound(key, first, n, tonumber(ARGV[3]), tonumber(ARGV[4]), false) end
if ARGV[5] ~= '' then
  first = bound(key, first, last, tonumber(ARGV[5]), tonumber(ARGV[6]), true)
  last = math.min(last, first + limit)
else
  first = math.max(first, last - limit)
end
if first >= last then return '' end
return redis.call('GETRANGE', key, 1 + first * E, last * E)
)lua";

// KEYS: timeline. ARGV: entries (ascending, no two with one id), capacity,
// live window. Merges what was pushed since the reservation.
constexpr const char* kInstall = R"lua(
local key, b, cap = KEYS[1], ARGV[1], tonumber(ARGV[2])
local v = redis.call('GET', key)
local out = b
if v and string.len(v) > 1 then
  local parts = {}
  local i, j, vl, bl = 2, 1, string.len(v), string.len(b)
  while i <= vl or j <= bl do
    if j > bl then parts[#parts + 1] = string.sub(v, i); break end
    if i > vl then parts[#parts + 1] = string.sub(b, j); break end
    local ahi, alo = struct.unpack('>I4I4', v, i)
    local bhi, blo = struct.unpack('>I4I4', b, j)
    if less(ahi, alo, bhi, blo) then
      parts[#parts + 1] = string.sub(v, i, i + E - 1); i = i + E
    else
      parts[#parts + 1] = string.sub(b, j, j + E - 1); j = j + E
      if not less(bhi, blo, ahi, alo) then i = i + E end
    end
  end
  out = table.concat(parts)
end
local n = string.len(out) / E
if n > cap then out = string.sub(out, 1 + (n - cap) * E) end
redis.call('SET', key, 'C' .. out, 'PX', ARGV[3])
return 1
)lua";

// KEYS: timeline. ARGV: status id (hi, lo).
constexpr const char* kRemove = R"lua(
local key = KEYS[1]
local len = redis.call('STRLEN', key)
if len <= 1 then return 0 end
local n = (len - 1) / E
local hi, lo = tonumber(ARGV[1]), tonumber(ARGV[2])
local pos = bound(key, 0, n, hi, lo, false)
if pos >= n then return 0 end
local phi, plo = id_at(key, pos)
if phi ~= hi or plo ~= lo then return 0 end
local v = redis.call('GET', key)
redis.call('SET', key, string.sub(v, 1, 1 + pos * E) .. string.sub(v, 2 + (pos + 1) * E), 'KEEPTTL')
return 1
)lua";

// KEYS: timeline. ARGV: author id (8 bytes, big-endian).
constexpr const char* kRemoveAuthor = R"lua(
local key, a = KEYS[1], ARGV[1]
local v = redis.call('GET', key)
if not v then return 0 end
local parts, removed = {string.sub(v, 1, 1)}, 0
for p = 2, string.len(v), E do
  if string.sub(v, p + 8, p + 15) == a then removed = removed + 1
  else parts[#parts + 1] = string.sub(v, p, p + E - 1) end
end
if removed > 0 then redis.call('SET', key, table.concat(parts), 'KEEPTTL') end
return removed
)lua";

// KEYS: timeline. ARGV: capacity. The oldest id held when full, else nil.
constexpr const char* kOldestIfFull = R"lua(
local key, cap = KEYS[1], tonumber(ARGV[1])
local len = redis.call('STRLEN', key)
local n = (len - 1) / E
if len <= 1 or n < cap then return false end
return redis.call('GETRANGE', key, 1 + (n - cap) * E, 8 + (n - cap) * E)
)lua";

std::string WithPrelude(const char* body) { return std::string(kPrelude) + body; }

void PutBigEndian(std::string& out, uint64_t v, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

uint64_t GetBigEndian(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void Encode(const TimelineEntry& e, std::string& out) {
  PutBigEndian(out, static_cast<uint64_t>(e.status_id.value()), 8);
  PutBigEndian(out, static_cast<uint64_t>(e.author_id.value()), 8);
  PutBigEndian(out, e.flags, 4);
}

TimelineEntry Decode(const char* p) {
  TimelineEntry e;
  e.status_id = static_cast<int64_t>(GetBigEndian(p, 8));
  e.author_id = static_cast<int64_t>(GetBigEndian(p + 8, 8));
  e.flags = static_cast<uint32_t>(GetBigEndian(p + 16, 4));
  return e;
}

// An id as the scripts take it: its high and low 32 bits, in decimal.
void AddIdHalves(std::vector<std::string>& args, int64_t id) {
  const uint64_t u = static_cast<uint64_t>(id);
  args.push_back(std::to_string(u >> 32));
  args.push_back(std::to_string(u & 0xffffffffu));
}

}  // namespace

RedisTimelineCache::RedisTimelineCache(RedisCluster& cluster, RedisTimelineOptions options)
    : cluster_(cluster),
      options_(std::move(options)),
      push_(WithPrelude(kPush)),
      read_(WithPrelude(kRead)),
      install_(WithPrelude(kInstall)),
      remove_(WithPrelude(kRemove)),
      remove_author_(WithPrelude(kRemoveAuthor)),
      oldest_if_full_(WithPrelude(kOldestIfFull)) {}

std::string RedisTimelineCache::KeyOf(int64_t account_id) const {
  return options_.prefix + "tl:" + std::to_string(account_id);
}

std::optional<RedisReply> RedisTimelineCache::RunOne(const RedisCommand& command) const {
  auto reply = cluster_.Run(command);
  if (!reply || reply->is_error()) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  return std::move(reply).value();
}

std::optional<RedisReply> RedisTimelineCache::RunWrite(const RedisCommand& command) const {
  auto replies = cluster_.RunAll({&command, 1}, WriteOptions());
  if (!replies || replies->front().is_error()) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  return std::move(replies->front());
}

RedisCommand RedisTimelineCache::PushCommand(int64_t account_id, const TimelineEntry& entry,
                                             int dedupe_window) const {
  std::string encoded;
  Encode(entry, encoded);
  const size_t most = options_.capacity + std::max<size_t>(1, options_.capacity / 4);
  return RedisCommand::Script(push_, {KeyOf(account_id)},
                              {std::move(encoded), std::to_string(options_.capacity),
                               std::to_string(std::max(0, dedupe_window)), std::to_string(most)});
}

bool RedisTimelineCache::Push(int64_t account_id, const TimelineEntry& entry, int dedupe_window) {
  auto reply = RunWrite(PushCommand(account_id, entry, dedupe_window));
  return reply && reply->integer == 1;
}

size_t RedisTimelineCache::PushMany(const std::vector<int64_t>& account_ids,
                                    const TimelineEntry& entry, int dedupe_window) {
  size_t live = 0;
  std::vector<RedisCommand> batch;
  for (size_t start = 0; start < account_ids.size(); start += options_.fan_out_batch) {
    const size_t end = std::min(account_ids.size(), start + options_.fan_out_batch);
    batch.clear();
    for (size_t i = start; i < end; ++i) {
      batch.push_back(PushCommand(account_ids[i], entry, dedupe_window));
    }
    auto replies = cluster_.RunAll(batch, WriteOptions());
    if (!replies) {
      failures_.fetch_add(batch.size(), std::memory_order_relaxed);
      continue;
    }
    for (const RedisReply& r : *replies) {
      if (r.is_error()) failures_.fetch_add(1, std::memory_order_relaxed);
      if (r.integer == 1) ++live;
    }
  }
  return live;
}

bool RedisTimelineCache::PushEach(int64_t account_id, const std::vector<TimelineEntry>& entries,
                                  int dedupe_window) {
  if (entries.empty()) return IsLive(account_id);
  // One key: the batch goes down one connection and runs in order.
  std::vector<RedisCommand> batch;
  batch.reserve(entries.size());
  for (const TimelineEntry& e : entries) batch.push_back(PushCommand(account_id, e, dedupe_window));
  auto replies = cluster_.RunAll(batch, WriteOptions());
  if (!replies) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  return std::all_of(replies->begin(), replies->end(),
                     [](const RedisReply& r) { return r.integer == 1; });
}

int64_t RedisTimelineCache::OldestIfFull(int64_t account_id) const {
  auto reply = RunOne(RedisCommand::Script(oldest_if_full_, {KeyOf(account_id)},
                                           {std::to_string(options_.capacity)}));
  if (!reply || reply->type != RedisReply::Type::kString || reply->str.size() != 8) return 0;
  return static_cast<int64_t>(GetBigEndian(reply->str.data(), 8));
}

void RedisTimelineCache::Remove(int64_t account_id, int64_t status_id) {
  std::vector<std::string> args;
  AddIdHalves(args, status_id);
  (void)RunWrite(RedisCommand::Script(remove_, {KeyOf(account_id)}, std::move(args)));
}

void RedisTimelineCache::RemoveAuthor(int64_t account_id, int64_t author_id) {
  std::string author;
  PutBigEndian(author, static_cast<uint64_t>(author_id), 8);
  (void)RunWrite(
      RedisCommand::Script(remove_author_, {KeyOf(account_id)}, {std::move(author)}));
}

std::optional<std::vector<TimelineEntry>> RedisTimelineCache::Read(int64_t account_id,
                                                                   const PageRequest& page,
                                                                   int64_t /*now_ms*/) {
  // Not from a thread that must not wait: as for a timeline not held, the
  // reader's request goes where it may wait (its rebuild refuses here).
  if (!MayWait()) return std::nullopt;
  std::vector<std::string> args{std::to_string(options_.capacity),
                                std::to_string(options_.live_window_ms)};
  if (page.max_id > 0) {
    AddIdHalves(args, page.max_id);
  } else {
    args.insert(args.end(), {"", ""});
  }
  if (page.min_id > 0) {
    AddIdHalves(args, page.min_id);
  } else {
    args.insert(args.end(), {"", ""});
  }
  args.push_back(std::to_string(std::max(0, page.limit)));
  auto reply = RunOne(RedisCommand::Script(read_, {KeyOf(account_id)}, std::move(args)));
  if (!reply || reply->type != RedisReply::Type::kString) return std::nullopt;
  const std::string& bytes = reply->str;
  std::vector<TimelineEntry> out;
  out.reserve(bytes.size() / kEntryBytes);
  for (size_t end = bytes.size() / kEntryBytes; end > 0; --end) {
    TimelineEntry e = Decode(bytes.data() + (end - 1) * kEntryBytes);
    if (page.min_id <= 0 && e.status_id <= page.since_id) break;
    out.push_back(e);
  }
  return out;
}

void RedisTimelineCache::Reserve(int64_t account_id, int64_t /*now_ms*/) {
  (void)RunOne(RedisCommand{
      {"SET", KeyOf(account_id), "R", "NX", "PX", std::to_string(options_.live_window_ms)},
      "",
      nullptr});
}

void RedisTimelineCache::Install(int64_t account_id, std::vector<TimelineEntry> entries,
                                 int64_t /*now_ms*/) {
  std::sort(entries.begin(), entries.end(), [](const TimelineEntry& a, const TimelineEntry& b) {
    return a.status_id < b.status_id;
  });
  entries.erase(std::unique(entries.begin(), entries.end(),
                            [](const TimelineEntry& a, const TimelineEntry& b) {
                              return a.status_id == b.status_id;
                            }),
                entries.end());
  std::string blob;
  blob.reserve(entries.size() * kEntryBytes);
  for (const TimelineEntry& e : entries) Encode(e, blob);
  (void)RunOne(RedisCommand::Script(install_, {KeyOf(account_id)},
                                    {std::move(blob), std::to_string(options_.capacity),
                                     std::to_string(options_.live_window_ms)}));
}

bool RedisTimelineCache::IsLive(int64_t account_id) const {
  auto reply = RunOne(RedisCommand{{"EXISTS", KeyOf(account_id)}, "", nullptr});
  return reply && reply->integer == 1;
}

size_t RedisTimelineCache::DropIdle(int64_t /*cutoff_ms*/) { return 0; }
size_t RedisTimelineCache::ShrinkTo(size_t /*max_bytes*/) { return 0; }

Result<TimelineCacheStats> RedisTimelineCache::Census() const {
  TimelineCacheStats stats;
  const std::string pattern = options_.prefix + "tl:*";
  for (const std::string& master : cluster_.Masters()) {
    std::string cursor = "0";
    do {
      auto page = cluster_.RunOnNode(
          master, RedisCommand{{"SCAN", cursor, "MATCH", pattern, "COUNT", std::to_string(kScanCount)},
                               "",
                               nullptr});
      if (!page) return std::move(page).error();
      if (page->type != RedisReply::Type::kArray || page->elements.size() != 2) {
        return Error::Unavailable("an unexpected SCAN reply from " + master);
      }
      cursor = page->elements[0].str;
      std::vector<RedisCommand> lengths;
      for (const RedisReply& key : page->elements[1].elements) {
        lengths.push_back(RedisCommand{{"STRLEN", key.str}, "", nullptr});
      }
      auto replies = cluster_.RunAll(lengths);
      if (!replies) return std::move(replies).error();
      for (const RedisReply& r : *replies) {
        if (r.integer <= 0) continue;
        ++stats.live_timelines;
        stats.entries += static_cast<uint64_t>(r.integer - 1) / kEntryBytes;
      }
    } while (cursor != "0");
    auto info = cluster_.RunOnNode(master, RedisCommand{{"INFO", "memory"}, "", nullptr});
    if (!info) return std::move(info).error();
    const size_t at = info->str.find("used_memory:");
    if (at != std::string::npos) stats.bytes += std::strtoull(info->str.c_str() + at + 12, nullptr, 10);
  }
  stats.entry_slots = stats.entries;
  std::lock_guard lock(census_mu_);
  census_ = stats;
  census_at_ms_ = SteadyMillis();
  return stats;
}

TimelineCacheStats RedisTimelineCache::Stats() const {
  {
    std::lock_guard lock(census_mu_);
    if (census_at_ms_ >= 0 && SteadyMillis() - census_at_ms_ < options_.census_interval_ms) {
      return census_;
    }
  }
  auto counted = Census();
  if (counted) return *counted;
  std::lock_guard lock(census_mu_);
  return census_;
}

}  // namespace chirp
