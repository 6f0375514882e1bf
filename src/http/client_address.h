// Which address a request comes from, and network ranges (CIDR) to match it
// against: for rate limiting, exempt networks and trusted proxies.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chirp {

// An IPv4 or IPv6 network, e.g. "10.0.0.0/8" or "::1/128". IPv4 addresses are
// held as IPv4-mapped IPv6 so that both families compare alike.
class Cidr {
 public:
  static std::optional<Cidr> Parse(std::string_view text);
  bool Contains(std::string_view address) const;

 private:
  std::array<uint8_t, 16> network_{};
  int prefix_bits_ = 0;
};

// Parses a comma-separated list of networks; nullopt when any is invalid.
std::optional<std::vector<Cidr>> ParseCidrList(std::string_view text);
bool AnyContains(const std::vector<Cidr>& networks, std::string_view address);

// The client's address: the peer's, unless the peer is a trusted proxy, in
// which case the right-most X-Forwarded-For entry that is not itself a
// trusted proxy.
std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const std::vector<Cidr>& trusted_proxies);

// The key rate limits use for an address: IPv6 addresses masked to their /64,
// since one host usually holds a whole /64.
std::string RateLimitAddressKey(std::string_view address);

}  // namespace chirp
