// Request parameters as Rails gives them to Mastodon: the query string merged
// with the body, whether the body is JSON, application/x-www-form-urlencoded
// or multipart/form-data. Bracketed keys nest ("a[]=1", "a[0][name]=x",
// "source[privacy]=public"), so every encoding yields the same JSON-shaped
// tree and handlers read one representation.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace chirp {

struct UploadedFile {
  std::string field;  // the form field name
  std::string filename;
  std::string content_type;
  // The file's bytes: a view of the body parsed, which must outlive the
  // parameters (a request's body does: a file is never copied).
  std::string_view data;
};

class Params {
 public:
  // Parsers; each fails with kBadRequest on malformed input or invalid UTF-8
  // and never throws.
  static Result<Params> FromQuery(std::string_view query);
  static Result<Params> FromUrlEncoded(std::string_view body);
  static Result<Params> FromJson(std::string_view body);
  static Result<Params> FromMultipart(std::string_view body, std::string_view content_type);
  // The query merged with a body parsed by its Content-Type; body values win.
  // An unknown content type with a non-empty body is kBadRequest... except for
  // empty bodies, which parse as no parameters.
  static Result<Params> FromRequest(std::string_view query, std::string_view content_type,
                                    std::string_view body);

  const boost::json::object& root() const { return root_; }
  const std::vector<UploadedFile>& files() const { return files_; }
  bool Has(std::string_view key) const { return root_.contains(key); }

  // Typed reads. Absent or null keys give nullopt; a value of the wrong type
  // gives kUnprocessable naming the parameter.
  Result<std::optional<std::string>> String(std::string_view key) const;
  Result<std::optional<bool>> Bool(std::string_view key) const;
  Result<std::optional<int64_t>> Int(std::string_view key) const;
  // A count such as `limit` or `offset`, read as Mastodon reads a limit: the
  // magnitude of the integer given, clamped to [min, max]; `fallback` when
  // absent. Digits past 64 bits read as more than `max`, and the most
  // negative integer has a magnitude too, so no value overflows.
  Result<int> Count(std::string_view key, int fallback, int min, int max) const;
  // A string, an array of strings, or an object keyed "0", "1", ... of strings.
  Result<std::vector<std::string>> StringList(std::string_view key) const;
  // A nested group ("source", "fields_attributes"): nullopt when absent.
  std::optional<Params> Group(std::string_view key) const;
  // The entries of an array, or of an object keyed by indexes, in order.
  std::vector<Params> GroupList(std::string_view key) const;

  // Sets `path` (a bracketed key such as "a[b][]") to `value`. Exposed for
  // the parsers and their tests.
  Status Assign(std::string_view path, std::string value);

 private:
  boost::json::object root_;
  std::vector<UploadedFile> files_;
};

// Percent-decoding of a form component ('+' is a space). nullopt on a bad escape.
std::optional<std::string> UrlDecode(std::string_view s);
// Percent-encodes everything but unreserved characters (RFC 3986).
std::string UrlEncode(std::string_view s);

}  // namespace chirp
