// Caps on the connections one server holds: in total, and per client
// address (an IPv6 address by its /64, as rate limits key it). Peers in the
// unlimited networks (the trusted proxies, whose connections carry many
// clients) count only against the total.
//
// A connection holds a lease from its admission until it ends, whoever owns
// it by then: the streaming API takes connections over with their lease, so
// a long-lived stream counts as long as it lives. A lease may outlive the
// ConnectionLimits that gave it.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "http/client_address.h"

namespace chirp {

struct ConnectionCaps {
  size_t total = 10000;
  size_t per_address = 256;
  std::vector<Cidr> unlimited_networks;
};

class ConnectionLimits {
 public:
  // Released when the last copy goes.
  using Lease = std::shared_ptr<const void>;

  // `gauge`, when given, follows the connections held; it must outlive
  // every lease.
  explicit ConnectionLimits(ConnectionCaps caps, std::atomic<int64_t>* gauge = nullptr);

  // A lease for one more connection from `peer_address`, or nullptr when
  // either cap is reached (the connection is then refused).
  Lease Admit(std::string_view peer_address);

  size_t total() const;
  // Connections held for `peer_address`'s key.
  size_t held_for(std::string_view peer_address) const;

 private:
  struct State;
  struct Slot;
  std::shared_ptr<State> state_;
};

}  // namespace chirp
