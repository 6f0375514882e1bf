// Plain http:// URLs, the only kind the load generator speaks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace chirp::loadgen {

struct HttpUrl {
  std::string host;  // without brackets for IPv6 literals
  uint16_t port = 80;
  std::string target = "/";  // path and query

  // The Host header's value: host, bracketed if IPv6, and ":port".
  std::string HostHeader() const;
};

// Parses "http://HOST[:PORT][/TARGET]". kBadRequest for other schemes,
// user info, a missing host or a bad port.
Result<HttpUrl> ParseHttpUrl(std::string_view url);

}  // namespace chirp::loadgen
