#include "http/client_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "core/text.h"

namespace chirp {
namespace {

std::optional<std::array<uint8_t, 16>> ParseAddress(std::string_view text) {
  const std::string s(TrimAscii(text));
  std::array<uint8_t, 16> out{};
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = 0xFF;
    out[11] = 0xFF;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

bool IsMappedV4(const std::array<uint8_t, 16>& a) {
  for (int i = 0; i < 10; ++i) {
    if (a[i] != 0) return false;
  }
  return a[10] == 0xFF && a[11] == 0xFF;
}

}  // namespace

std::optional<Cidr> Cidr::Parse(std::string_view text) {
  text = TrimAscii(text);
  const size_t slash = text.find('/');
  const auto address = ParseAddress(text.substr(0, slash));
  if (!address) return std::nullopt;
  const int max_bits = IsMappedV4(*address) ? 32 : 128;
  int bits = max_bits;
  if (slash != std::string_view::npos) {
    const std::string_view b = text.substr(slash + 1);
    const auto r = std::from_chars(b.data(), b.data() + b.size(), bits);
    if (r.ec != std::errc() || r.ptr != b.data() + b.size() || bits < 0 || bits > max_bits) {
      return std::nullopt;
    }
  }
  Cidr c;
  c.network_ = *address;
  c.prefix_bits_ = bits + (max_bits == 32 ? 96 : 0);
  return c;
}

bool Cidr::Contains(std::string_view address) const {
  const auto a = ParseAddress(address);
  if (!a) return false;
  int bits = prefix_bits_;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xFF : static_cast<uint8_t>(0xFF << (8 - bits));
    if (((*a)[i] & mask) != (network_[i] & mask)) return false;
  }
  return true;
}

std::optional<std::vector<Cidr>> ParseCidrList(std::string_view text) {
  std::vector<Cidr> out;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find(',', i);
    if (j == std::string_view::npos) j = text.size();
    const std::string_view part = TrimAscii(text.substr(i, j - i));
    if (!part.empty()) {
      auto c = Cidr::Parse(part);
      if (!c) return std::nullopt;
      out.push_back(*c);
    }
    i = j + 1;
  }
  return out;
}

bool AnyContains(const std::vector<Cidr>& networks, std::string_view address) {
  for (const Cidr& c : networks) {
    if (c.Contains(address)) return true;
  }
  return false;
}

std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const std::vector<Cidr>& trusted_proxies) {
  if (forwarded_for.empty() || !AnyContains(trusted_proxies, peer)) return std::string(peer);
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    const size_t comma = rest.rfind(',');
    const std::string_view candidate =
        TrimAscii(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (!ParseAddress(candidate)) break;
    if (!AnyContains(trusted_proxies, candidate) || rest.empty()) return std::string(candidate);
  }
  return std::string(peer);
}

std::string RateLimitAddressKey(std::string_view address) {
  const auto a = ParseAddress(address);
  if (!a) return std::string(address);
  if (IsMappedV4(*a)) {
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, a->data() + 12, buf, sizeof buf);
    return buf;
  }
  std::array<uint8_t, 16> masked = *a;
  std::fill(masked.begin() + 8, masked.end(), 0);
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, masked.data(), buf, sizeof buf);
  return std::string(buf) + "/64";
}

}  // namespace chirp
