// Secrets: random tokens, their stored digests, password hashes and
// constant-time comparison, all on libsodium.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chirp {

// Call once before any other function here (libsodium's sodium_init).
// Returns false if the library could not initialise.
bool InitSecrets();

// A random token of `bytes` random bytes as base64url without padding: only
// RFC 7230 token characters, so it can travel in Sec-WebSocket-Protocol.
std::string RandomToken(size_t bytes = 32);

// Hex of `bytes` random bytes from the system's secure source.
std::string RandomHex(size_t bytes);

// 32 hex characters, unique with overwhelming probability, for request ids:
// not secret, so drawn from a per-thread generator seeded once from the
// secure source, with no system call per id.
std::string RequestId();

// The digest under which a token is stored and looked up (BLAKE2b-256, hex).
// Tokens have 256 bits of entropy, so a fast unsalted hash is enough.
std::string TokenDigest(std::string_view token);

// argon2id with libsodium's interactive limits; the result encodes its salt
// and parameters. Empty string if hashing failed (out of memory).
std::string HashPassword(std::string_view password);
bool VerifyPassword(std::string_view password, const std::string& encoded_hash);

// Compares in time independent of where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Standard base64 with padding, and back; nullopt when malformed.
std::string EncodeBase64(std::string_view bytes);
std::optional<std::string> DecodeBase64(std::string_view text);

// SHA-256 of `input`, base64url without padding: the PKCE S256 transform.
std::string PkceS256(std::string_view verifier);

}  // namespace chirp
