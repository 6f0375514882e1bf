#include "status_gen.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <memory>
#include <tuple>

#include "accounts.h"
#include "prng.h"
#include "workload.h"

namespace chirp::loadgen {
namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

Status ValidateStatusOptions(const StatusOptions& options) {
  if (options.accounts.empty()) return Error::BadRequest("no accounts to write statuses for");
  if (options.per_account == 0) return Error::BadRequest("--per-account must be at least 1");
  if (!(options.days > 0 && options.days <= 3650)) {
    return Error::BadRequest("--days must be above 0 and at most 3650");
  }
  return {};
}

void GenerateStatuses(const StatusOptions& options, const StatusSink& sink) {
  const auto span_ms = std::max<uint64_t>(static_cast<uint64_t>(options.days * kMillisPerDay), 1);
  // Every status's time first (16 bytes each), sorted, then the texts in
  // that order, each from a stream of its own.
  struct Slot {
    int64_t created_at_ms;
    uint32_t account;
    uint32_t index;  // among the account's statuses, oldest first
    bool operator<(const Slot& o) const {
      return std::tie(created_at_ms, account, index) <
             std::tie(o.created_at_ms, o.account, o.index);
    }
  };
  std::vector<Slot> slots;
  slots.reserve(options.accounts.size() * size_t{options.per_account});
  std::vector<int64_t> times(options.per_account);
  for (uint32_t account : options.accounts) {
    Prng rng(DeriveSeed(options.seed, account));
    for (int64_t& t : times) t = options.now_ms - 1 - static_cast<int64_t>(rng.Below(span_ms));
    std::sort(times.begin(), times.end());
    for (uint32_t i = 0; i < options.per_account; ++i) slots.push_back({times[i], account, i});
  }
  std::sort(slots.begin(), slots.end());
  const std::vector<BenchAccount> no_mentions;
  std::string text;
  for (const Slot& slot : slots) {
    Prng rng(DeriveSeed(DeriveSeed(options.seed, slot.account), uint64_t{slot.index} + 1));
    WriteStatusText(rng, no_mentions, text);
    sink(slot.account, slot.created_at_ms, text);
  }
}

Result<std::vector<uint32_t>> AccountsOfGraph(const std::string& edges_path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(edges_path.c_str(), "r"));
  if (file == nullptr) return Error::Unavailable("cannot read " + edges_path);
  std::vector<bool> named;
  char line[256];
  while (std::fgets(line, sizeof line, file.get()) != nullptr) {
    const char* const end = line + std::char_traits<char>::length(line);
    uint32_t a = 0;
    uint32_t b = 0;
    auto first = std::from_chars(line, end, a);
    if (first.ec != std::errc() || first.ptr == end || *first.ptr != ' ') continue;
    auto second = std::from_chars(first.ptr + 1, end, b);
    if (second.ec != std::errc()) continue;
    const uint32_t top = std::max(a, b);
    if (named.size() <= top) named.resize(size_t{top} + 1);
    named[a] = true;
    named[b] = true;
  }
  std::vector<uint32_t> accounts;
  for (size_t n = 0; n < named.size(); ++n) {
    if (named[n]) accounts.push_back(static_cast<uint32_t>(n));
  }
  return accounts;
}

Result<uint64_t> WriteStatuses(const StatusOptions& options, const std::string& path) {
  if (Status s = ValidateStatusOptions(options); !s) return std::move(s).error();
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (file == nullptr) return Error::Unavailable("cannot write " + path);
  std::setvbuf(file.get(), nullptr, _IOFBF, size_t{1} << 20);
  std::fprintf(file.get(),
               "# chirp-bench generate-statuses accounts=%zu per-account=%u days=%g now-ms=%lld "
               "seed=%llu; one status a line: account<TAB>created_at_ms<TAB>text\n",
               options.accounts.size(), options.per_account, options.days,
               static_cast<long long>(options.now_ms),
               static_cast<unsigned long long>(options.seed));
  uint64_t written = 0;
  std::string line;
  GenerateStatuses(options, [&](uint32_t account, int64_t created_at_ms, std::string_view text) {
    const auto append_number = [&line](auto n) {
      char digits[24];
      line.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
      line += '\t';
    };
    line.clear();
    append_number(account);
    append_number(created_at_ms);
    line += text;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), file.get());
    ++written;
  });
  if (std::ferror(file.get()) != 0 || std::fflush(file.get()) != 0) {
    return Error::Unavailable("writing " + path + " failed");
  }
  if (std::fclose(file.release()) != 0) return Error::Unavailable("closing " + path + " failed");
  return written;
}

}  // namespace chirp::loadgen
