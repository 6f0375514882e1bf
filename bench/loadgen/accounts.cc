#include "accounts.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace chirp::loadgen {
namespace {

bool ParseId(std::string_view s, int64_t* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size() && *out >= 0;
}

// Splits on runs of spaces and tabs.
std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

}  // namespace

Result<std::vector<BenchAccount>> ParseAccounts(std::string_view text) {
  std::vector<BenchAccount> accounts;
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? "" : text.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto fields = Fields(line);
    if (fields.empty() || fields[0].starts_with('#')) continue;
    BenchAccount account;
    if (fields.size() != 3 || !ParseId(fields[0], &account.id)) {
      return Error::BadRequest("tokens line " + std::to_string(line_number) +
                               ": expected 'account_id username token'");
    }
    account.username = fields[1];
    account.token = fields[2];
    accounts.push_back(std::move(account));
  }
  return accounts;
}

Result<std::vector<BenchAccount>> LoadAccounts(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::Unavailable("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return ParseAccounts(text.str());
}

Result<IdRange> ParseIdRange(std::string_view text) {
  const size_t dash = text.find('-');
  IdRange range;
  if (dash == std::string_view::npos || !ParseId(text.substr(0, dash), &range.first) ||
      !ParseId(text.substr(dash + 1), &range.last) || range.last < range.first) {
    return Error::BadRequest("expected an id range FIRST-LAST, got '" + std::string(text) + "'");
  }
  return range;
}

}  // namespace chirp::loadgen
