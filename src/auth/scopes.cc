#include "auth/scopes.h"

#include <array>
#include <iterator>

namespace chirp {
namespace {

struct KnownScope {
  std::string_view name;
  std::string_view parent;  // "" for top-level scopes
};

// Mastodon's scope list (config/initializers/doorkeeper.rb). Order fixes the bits.
constexpr std::array<KnownScope, 42> kScopes = {{
    {"read", ""},
    {"write", ""},
    {"follow", ""},
    {"push", ""},
    {"profile", ""},
    {"admin:read", ""},
    {"admin:write", ""},
    {"read:accounts", "read"},
    {"read:blocks", "read"},
    {"read:bookmarks", "read"},
    {"read:favourites", "read"},
    {"read:filters", "read"},
    {"read:follows", "read"},
    {"read:lists", "read"},
    {"read:mutes", "read"},
    {"read:notifications", "read"},
    {"read:search", "read"},
    {"read:statuses", "read"},
    {"write:accounts", "write"},
    {"write:blocks", "write"},
    {"write:bookmarks", "write"},
    {"write:conversations", "write"},
    {"write:favourites", "write"},
    {"write:filters", "write"},
    {"write:follows", "write"},
    {"write:lists", "write"},
    {"write:media", "write"},
    {"write:mutes", "write"},
    {"write:notifications", "write"},
    {"write:reports", "write"},
    {"write:statuses", "write"},
    {"admin:read:accounts", "admin:read"},
    {"admin:read:reports", "admin:read"},
    {"admin:read:domain_allows", "admin:read"},
    {"admin:read:domain_blocks", "admin:read"},
    {"admin:read:ip_blocks", "admin:read"},
    {"admin:write:accounts", "admin:write"},
    {"admin:write:reports", "admin:write"},
    {"admin:write:domain_allows", "admin:write"},
    {"admin:write:domain_blocks", "admin:write"},
    {"admin:write:ip_blocks", "admin:write"},
    {"admin:read:canonical_email_blocks", "admin:read"},
}};

// The granular scopes that the legacy "follow" scope grants.
constexpr std::array<std::string_view, 6> kFollowChildren = {
    "read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes"};

std::optional<int> IndexOf(std::string_view name) {
  for (size_t i = 0; i < kScopes.size(); ++i) {
    if (kScopes[i].name == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

uint64_t Bit(std::string_view name) {
  const auto i = IndexOf(name);
  return i ? uint64_t{1} << *i : 0;
}

}  // namespace

std::optional<ScopeSet> ScopeSet::Parse(std::string_view text) {
  uint64_t bits = 0;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '+')) ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '+') ++j;
    if (j > i) {
      const auto index = IndexOf(text.substr(i, j - i));
      if (!index) return std::nullopt;
      bits |= uint64_t{1} << *index;
    }
    i = j;
  }
  return ScopeSet(bits);
}

ScopeSet ScopeSet::Expanded() const {
  // For each scope, the bits it grants: itself and its children.
  static const std::array<uint64_t, kScopes.size()> kGrants = [] {
    std::array<uint64_t, kScopes.size()> grants{};
    for (size_t i = 0; i < kScopes.size(); ++i) {
      grants[i] |= uint64_t{1} << i;
      if (!kScopes[i].parent.empty()) grants[*IndexOf(kScopes[i].parent)] |= uint64_t{1} << i;
    }
    for (std::string_view child : kFollowChildren) grants[*IndexOf("follow")] |= Bit(child);
    return grants;
  }();
  uint64_t bits = 0;
  for (size_t i = 0; i < kScopes.size(); ++i) {
    if ((bits_ & (uint64_t{1} << i)) != 0) bits |= kGrants[i];
  }
  return ScopeSet(bits);
}

std::string ScopeSet::ToString() const {
  std::string out;
  for (size_t i = 0; i < kScopes.size(); ++i) {
    if ((bits_ & (uint64_t{1} << i)) == 0) continue;
    if (!out.empty()) out += ' ';
    out += kScopes[i].name;
  }
  return out;
}

bool ScopesWithin(std::string_view requested, std::string_view allowed) {
  const auto r = ScopeSet::Parse(requested);
  const auto a = ScopeSet::Parse(allowed);
  return r && a && a->Expanded().Contains(*r);
}

}  // namespace chirp
