// Errors as values. Every expected failure of a request (invalid input, missing
// record, missing permission, conflict, store trouble) travels as an Error and
// becomes an HTTP response in exactly one place (api/response_writer).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace chirp {

enum class ErrorCode {
  kBadRequest,       // 400: malformed body, missing parameter
  kUnauthorized,     // 401: missing, invalid or revoked token
  kForbidden,        // 403: wrong scope, action not allowed
  kNotFound,         // 404: unknown or invisible record
  kPayloadTooLarge,  // 413
  kUnprocessable,    // 422: validation failed
  kTooManyRequests,  // 429
  kUnavailable,      // 503: store unavailable, shutting down
  kInternal,         // 500: a bug; never caused by input
  kWouldBlock,       // the store refused a thread that must not wait (core/no_wait.h);
                     // the request starts over where waiting is fine
};

int HttpStatusOf(ErrorCode code);

// One validation failure of one field, as Mastodon reports it in `details`.
struct FieldError {
  std::string error;        // e.g. "ERR_BLANK"
  std::string description;  // e.g. "can't be blank"
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // OAuth endpoints answer {"error": oauth_error, "error_description": message}.
  std::string oauth_error;
  // Per-field validation details (registration); ordered by field name.
  std::map<std::string, std::vector<FieldError>> details;

  static Error BadRequest(std::string m) { return {ErrorCode::kBadRequest, std::move(m), {}, {}}; }
  static Error Unauthorized(std::string m) {
    return {ErrorCode::kUnauthorized, std::move(m), {}, {}};
  }
  static Error Forbidden(std::string m) { return {ErrorCode::kForbidden, std::move(m), {}, {}}; }
  static Error NotFound(std::string m = "Record not found") {
    return {ErrorCode::kNotFound, std::move(m), {}, {}};
  }
  static Error Unprocessable(std::string m) {
    return {ErrorCode::kUnprocessable, std::move(m), {}, {}};
  }
  static Error Unavailable(std::string m) {
    return {ErrorCode::kUnavailable, std::move(m), {}, {}};
  }
  static Error Internal(std::string m) { return {ErrorCode::kInternal, std::move(m), {}, {}}; }
  static Error WouldBlock() {
    return {ErrorCode::kWouldBlock, "The store is not read on this thread", {}, {}};
  }
  static Error OAuth(ErrorCode code, std::string oauth_error, std::string description) {
    return {code, std::move(description), std::move(oauth_error), {}};
  }
};

// Result<T> holds either a T or an Error. Result<void> holds only a possible Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace chirp
