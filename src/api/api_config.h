// What an operator configures about the API (see app/config for where each
// value comes from: flags and environment variables).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "http/client_address.h"
#include "ratelimit/rate_limiter.h"

namespace chirp {

struct RateLimitConfig {
  bool enabled = true;
  // Mastodon's defaults (config/initializers/rack_attack.rb).
  RateLimitRule account{1500, 300'000};
  RateLimitRule token{300, 300'000};
  RateLimitRule ip{300, 300'000};
  RateLimitRule registration{5, 1'800'000};
  RateLimitRule sign_in{25, 300'000};
  RateLimitRule media{30, 1'800'000};
  RateLimitRule deletes{30, 1'800'000};
  // Bearer tokens looked up in the store per address (those not held in
  // memory): what a client guessing tokens is held to.
  RateLimitRule token_lookup{300, 300'000};
  std::vector<Cidr> exempt_networks;  // none by default, loopback included
};

struct ApiConfig {
  // Base of every absolute URL the API writes ("https://chirp.example").
  // Empty: taken from each request's Host header, over http.
  std::string public_url;
  std::string title = "Chirp";
  std::string description = "A microblogging server that speaks the Mastodon client API.";
  std::string contact_email;
  int max_characters = 280;
  int max_media_attachments = 4;
  // What uploads may be (media/media_service.h), as /api/v2/instance
  // tells clients: none while media is off.
  std::vector<std::string> media_mime_types;
  int64_t image_size_limit = 16 * 1024 * 1024;
  int64_t image_matrix_limit = 7680 * 4320;
  int description_limit = 1500;
  bool registrations_open = true;
  bool password_grant = false;  // the OAuth password grant (removed from Mastodon 4.4)
  // Whether new accounts are indexable (their public statuses found by
  // anyone's search) until they say otherwise.
  bool indexable_default = true;
  std::vector<Cidr> trusted_proxies;
  RateLimitConfig rate_limits;
  // Mastodon-shaped version, so clients that compare versions accept it.
  std::string version = "4.3.0 (compatible; Chirp 0.1.0)";
  std::string software_version = "0.1.0";
  std::string source_url;  // where the running code can be had; "" when unpublished
};

}  // namespace chirp
