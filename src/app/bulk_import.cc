#include "app/bulk_import.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/text.h"
#include "text/status_text.h"

namespace chirp {
namespace {

constexpr long long kMaxNode = 1'000'000'000;
constexpr size_t kAccountBatch = 100'000;
constexpr size_t kFollowBatch = 500'000;
constexpr size_t kStatusBatch = 200'000;

// Reads `a b` lines of an edge file (others, such as '#' comments, are
// skipped), calling `each(a, b)`; false when the file cannot be read.
template <typename Each>
bool ForEachEdge(const std::string& path, Each each) {
  std::FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) return false;
  char line[256];
  while (std::fgets(line, sizeof line, file) != nullptr) {
    char* end = nullptr;
    const long long a = std::strtoll(line, &end, 10);
    if (end == line) continue;
    char* second = end;
    const long long b = std::strtoll(second, &end, 10);
    if (end == second || a < 0 || b < 0) continue;
    each(a, b);
  }
  std::fclose(file);
  return true;
}

template <typename Number>
bool ParseNumber(std::string_view text, Number& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// One line of a statuses file, split; nullopt when it is not three fields
// with numbers in the first two.
struct StatusLine {
  uint64_t account = 0;
  int64_t created_at_ms = 0;
  std::string_view text;
};

std::optional<StatusLine> SplitStatusLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const size_t first = line.find('\t');
  if (first == std::string_view::npos) return std::nullopt;
  const size_t second = line.find('\t', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  StatusLine out;
  if (!ParseNumber(line.substr(0, first), out.account) ||
      !ParseNumber(line.substr(first + 1, second - first - 1), out.created_at_ms)) {
    return std::nullopt;
  }
  out.text = line.substr(second + 1);
  return out;
}

// Account ids by username, each looked up in the store once.
class AccountLookup {
 public:
  explicit AccountLookup(Store& store) : store_(store) {}

  // 0 when there is no such account.
  Result<int64_t> IdOf(const std::string& username) {
    if (auto it = ids_.find(username); it != ids_.end()) return it->second;
    auto account = store_.FindAccountByUsername(username);
    if (!account && account.error().code != ErrorCode::kNotFound) return account.error();
    const int64_t id = account ? account->id : 0;
    ids_.emplace(username, id);
    return id;
  }

 private:
  Store& store_;
  std::unordered_map<std::string, int64_t> ids_;
};

}  // namespace

Result<GraphImportResult> ImportGraph(Store& store, SnowflakeGenerator& ids, const Clock& clock,
                                      const GraphImport& options) {
  std::vector<bool> named;  // by node number
  bool too_large = false;
  if (!ForEachEdge(options.edges_path, [&](long long a, long long b) {
        if (a > kMaxNode || b > kMaxNode) {
          too_large = true;
          return;
        }
        const auto top = static_cast<size_t>(std::max(a, b));
        if (named.size() <= top) named.resize(top + 1);
        named[static_cast<size_t>(a)] = true;
        named[static_cast<size_t>(b)] = true;
      })) {
    return Error::Unavailable("cannot read " + options.edges_path);
  }
  if (too_large) return Error::BadRequest("node numbers go up to 1,000,000,000");

  GraphImportResult result;
  std::vector<int64_t> account_of(named.size(), 0);
  std::vector<Account> batch;
  std::vector<size_t> batch_nodes;
  const auto flush_accounts = [&]() -> Status {
    auto stored = store.ImportAccounts(batch);
    if (!stored) return std::move(stored).error();
    for (size_t i = 0; i < batch.size(); ++i) account_of[batch_nodes[i]] = (*stored)[i];
    result.accounts += static_cast<int64_t>(batch.size());
    batch.clear();
    batch_nodes.clear();
    return {};
  };
  for (size_t n = 0; n < named.size(); ++n) {
    if (!named[n]) continue;
    Account account;
    account.id = ids.Next();
    account.username = options.prefix + std::to_string(n);
    account.created_at_ms = clock.NowMillis();
    batch.push_back(std::move(account));
    batch_nodes.push_back(n);
    if (batch.size() == kAccountBatch) {
      if (Status s = flush_accounts(); !s) return std::move(s).error();
    }
  }
  if (!batch.empty()) {
    if (Status s = flush_accounts(); !s) return std::move(s).error();
  }

  std::vector<std::pair<int64_t, int64_t>> follows;
  follows.reserve(kFollowBatch + 1);
  Status failed;
  const auto flush_follows = [&] {
    if (follows.empty() || !failed) return;
    // Ids for the batch: the store numbers its follows from the first.
    const int64_t first = ids.Next();
    for (size_t i = 1; i < follows.size(); ++i) (void)ids.Next();
    auto done = store.ImportFollows(follows, first);
    if (!done) {
      failed = std::move(done).error();
      return;
    }
    result.follows += *done;
    follows.clear();
  };
  ForEachEdge(options.edges_path, [&](long long a, long long b) {
    const int64_t from = account_of[static_cast<size_t>(a)];
    const int64_t to = account_of[static_cast<size_t>(b)];
    follows.emplace_back(from, to);
    if (!options.one_way) follows.emplace_back(to, from);
    if (follows.size() >= kFollowBatch) flush_follows();
  });
  flush_follows();
  if (!failed) return std::move(failed).error();
  if (Status s = store.RecountFollows(); !s) return std::move(s).error();
  return result;
}

Result<StatusImportResult> ImportStatuses(Store& store, const StatusImport& options) {
  std::ifstream in(options.statuses_path, std::ios::binary);
  if (!in) return Error::Unavailable("cannot read " + options.statuses_path);
  std::string base_url = options.base_url;
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
  const size_t scheme_end = base_url.find("://");
  const std::string host =
      AsciiLower(scheme_end == std::string::npos ? base_url : base_url.substr(scheme_end + 3));

  StatusImportResult result;
  AccountLookup accounts(store);
  std::vector<StatusRecord> batch;
  batch.reserve(kStatusBatch);
  const auto flush = [&]() -> Status {
    auto added = store.ImportStatuses(batch);
    if (!added) return std::move(added).error();
    result.statuses += *added;
    batch.clear();
    return {};
  };
  int64_t sequence = 0;
  bool first_line = true;
  for (std::string line; std::getline(in, line); first_line = false) {
    if (first_line && line.starts_with('#')) continue;
    const std::optional<StatusLine> parsed = SplitStatusLine(line);
    const size_t length = parsed ? CountStatusLength(parsed->text) : 0;
    if (!parsed || parsed->created_at_ms <= SnowflakeGenerator::kEpochMillis || length == 0 ||
        length > static_cast<size_t>(options.max_characters)) {
      ++result.malformed;
      continue;
    }
    auto author = accounts.IdOf(options.prefix + std::to_string(parsed->account));
    if (!author) return std::move(author).error();
    if (*author == 0) {
      ++result.unknown_account;
      continue;
    }

    StatusRecord s;
    s.id = SnowflakeGenerator::IdAt(parsed->created_at_ms, options.worker_id, sequence++);
    s.account_id = *author;
    s.text = std::string(TrimAscii(parsed->text));
    s.visibility = Visibility::kPublic;
    s.created_at_ms = parsed->created_at_ms;
    const ParsedStatusText entities = ParseStatusText(s.text);
    Status lookup_failed;
    const auto resolve = [&](std::string_view username,
                             std::string_view domain) -> std::optional<ResolvedMention> {
      if (!domain.empty() && AsciiLower(domain) != host) return std::nullopt;
      auto id = accounts.IdOf(std::string(username));
      if (!id) lookup_failed = std::move(id).error();
      if (!id || *id == 0) return std::nullopt;
      return ResolvedMention{*id, std::string(username), base_url + "/@" + std::string(username),
                             std::string(username)};
    };
    std::vector<ResolvedMention> mentioned;
    s.content = RenderStatusHtml(s.text, entities, resolve, base_url, &mentioned);
    if (!lookup_failed) return std::move(lookup_failed).error();
    s.mentioned_account_ids = DistinctMentionedIds(mentioned);
    s.tags = NormalizedTags(entities, &s.tag_display_names);
    batch.push_back(std::move(s));
    if (batch.size() == kStatusBatch) {
      if (Status st = flush(); !st) return std::move(st).error();
    }
  }
  if (!batch.empty()) {
    if (Status st = flush(); !st) return std::move(st).error();
  }
  if (Status st = store.RecountStatuses(); !st) return std::move(st).error();
  return result;
}

}  // namespace chirp
