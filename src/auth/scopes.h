// OAuth scopes as Mastodon defines them: the top-level scopes read, write,
// follow, push, profile and admin:read / admin:write, and their granular
// children (read:accounts, write:statuses, ...). A token holding a parent
// scope holds all of its children; "follow" is the legacy union of the
// follows, blocks and mutes scopes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chirp {

class ScopeSet {
 public:
  ScopeSet() = default;
  // Parses a space- (or '+'-) separated list. nullopt if any scope is unknown.
  static std::optional<ScopeSet> Parse(std::string_view text);
  // The scopes a token with these granted scopes may use, parents expanded.
  ScopeSet Expanded() const;

  bool Contains(const ScopeSet& other) const { return (bits_ & other.bits_) == other.bits_; }
  // True when this set, taken as already Expanded(), holds at least one of
  // `any_of`. Principals keep their scopes expanded, so this is one AND.
  bool GrantsAny(const ScopeSet& any_of) const { return (bits_ & any_of.bits_) != 0; }
  bool empty() const { return bits_ == 0; }
  // Canonical text, in the order of the known-scope table.
  std::string ToString() const;

 private:
  explicit ScopeSet(uint64_t bits) : bits_(bits) {}
  uint64_t bits_ = 0;
};

// True when `requested` (a scope string) is valid and every requested scope is
// granted by `allowed` (an app registered for "read" may ask for "read:accounts").
bool ScopesWithin(std::string_view requested, std::string_view allowed);

}  // namespace chirp
