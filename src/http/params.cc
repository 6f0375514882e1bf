#include "http/params.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>

#include "core/text.h"

namespace chirp {
namespace json = boost::json;
namespace {

// Bounds on the work one request can cause while its parameters are parsed.
constexpr size_t kMaxKeyDepth = 8;
constexpr size_t kMaxParameters = 1000;
constexpr size_t kMaxJsonDepth = 32;

Error Malformed(std::string_view what) {
  return Error::BadRequest("Invalid request parameters: " + std::string(what));
}

Error WrongType(std::string_view key, std::string_view expected) {
  return Error::Unprocessable("Validation failed: " + std::string(key) + " must be " +
                              std::string(expected));
}

// "a[b][]" → {"a", "b", ""}. nullopt when brackets do not pair up.
std::optional<std::vector<std::string>> SplitKey(std::string_view key) {
  std::vector<std::string> out;
  const size_t open = key.find('[');
  if (open == 0) return std::nullopt;
  out.emplace_back(key.substr(0, open));
  if (open == std::string_view::npos) return out;
  size_t i = open;
  while (i < key.size()) {
    if (key[i] != '[') return std::nullopt;
    const size_t close = key.find(']', i);
    if (close == std::string_view::npos) return std::nullopt;
    out.emplace_back(key.substr(i + 1, close - i - 1));
    i = close + 1;
  }
  return out;
}

// Parses "k=v&k2=v2" pairs into `params`.
Status ParsePairs(std::string_view input, Params& params) {
  size_t count = 0;
  size_t i = 0;
  while (i <= input.size()) {
    size_t end = input.find('&', i);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view pair = input.substr(i, end - i);
    i = end + 1;
    if (pair.empty()) {
      if (end == input.size()) break;
      continue;
    }
    if (++count > kMaxParameters) return Malformed("too many parameters");
    const size_t eq = pair.find('=');
    auto key = UrlDecode(pair.substr(0, eq));
    auto value = UrlDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!key || !value) return Malformed("bad percent-encoding");
    if (!IsValidUtf8(*key) || !IsValidUtf8(*value)) {
      return Error::BadRequest("Invalid request parameters: invalid UTF-8");
    }
    if (key->empty()) continue;
    if (Status s = params.Assign(*key, std::move(*value)); !s) return s;
    if (end == input.size()) break;
  }
  return {};
}

std::string_view HeaderParam(std::string_view header, std::string_view name) {
  // Finds name=value or name="value" among ';'-separated parameters.
  size_t i = 0;
  while (i < header.size()) {
    size_t end = header.find(';', i);
    if (end == std::string_view::npos) end = header.size();
    std::string_view part = TrimAscii(header.substr(i, end - i));
    i = end + 1;
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    if (AsciiLower(TrimAscii(part.substr(0, eq))) != name) continue;
    std::string_view value = TrimAscii(part.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return {};
}

bool AllStringsValid(const json::value& v, size_t depth = 0) {
  if (depth > kMaxJsonDepth) return false;
  switch (v.kind()) {
    case json::kind::string:
      return IsValidUtf8(v.get_string());
    case json::kind::array:
      for (const auto& e : v.get_array()) {
        if (!AllStringsValid(e, depth + 1)) return false;
      }
      return true;
    case json::kind::object:
      for (const auto& e : v.get_object()) {
        if (!IsValidUtf8(e.key()) || !AllStringsValid(e.value(), depth + 1)) return false;
      }
      return true;
    default:
      return true;
  }
}

// The values of an array, or of an object whose keys are indexes, in order.
std::vector<const json::value*> IndexedValues(const json::value& v) {
  std::vector<const json::value*> out;
  if (v.is_array()) {
    for (const auto& e : v.get_array()) out.push_back(&e);
  } else if (v.is_object()) {
    std::vector<std::pair<long long, const json::value*>> indexed;
    for (const auto& e : v.get_object()) {
      char* end = nullptr;
      const std::string key(e.key());
      const long long n = std::strtoll(key.c_str(), &end, 10);
      if (key.empty() || *end != '\0') return {};
      indexed.emplace_back(n, &e.value());
    }
    std::sort(indexed.begin(), indexed.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [n, value] : indexed) out.push_back(value);
  }
  return out;
}

}  // namespace

std::optional<std::string> UrlDecode(std::string_view s) {
  // Most keys and values hold nothing to decode.
  if (s.find_first_of("%+") == std::string_view::npos) return std::string(s);
  auto checked = boost::urls::make_pct_string_view(s);
  if (!checked) return std::nullopt;
  boost::urls::encoding_opts form;
  form.space_as_plus = true;
  return checked->decode(form);
}

std::string UrlEncode(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

Status Params::Assign(std::string_view path, std::string value) {
  auto segments = SplitKey(path);
  if (!segments) {
    // A key with unpaired brackets is taken literally, as Rails does.
    segments = std::vector<std::string>{std::string(path)};
  }
  if (segments->size() > kMaxKeyDepth) return Malformed("parameter nesting too deep");
  json::value* container = nullptr;  // null: the root object
  for (size_t i = 0; i < segments->size(); ++i) {
    const std::string& seg = (*segments)[i];
    const bool last = i + 1 == segments->size();
    const bool next_is_append = !last && (*segments)[i + 1].empty();
    json::value* slot = nullptr;
    if (container == nullptr || container->is_object()) {
      json::object& obj = container == nullptr ? root_ : container->get_object();
      if (seg.empty()) return Malformed("unexpected [] in " + std::string(path));
      slot = &obj[seg];
    } else if (container->is_array()) {
      json::array& arr = container->get_array();
      // "a[][name]=x": fill the last element until it already has that key.
      if (!last && !arr.empty() && arr.back().is_object() &&
          !arr.back().get_object().contains((*segments)[i + 1])) {
        slot = &arr.back();
      } else {
        slot = &arr.emplace_back(nullptr);
      }
    } else {
      return Malformed("conflicting types for " + std::string(path));
    }
    if (last) {
      if (slot->is_array() || slot->is_object()) {
        return Malformed("conflicting types for " + std::string(path));
      }
      *slot = json::string(value);
      return {};
    }
    if (slot->is_null()) {
      if (next_is_append) {
        *slot = json::array();
      } else {
        *slot = json::object();
      }
    }
    if (next_is_append ? !slot->is_array() : !slot->is_object()) {
      return Malformed("conflicting types for " + std::string(path));
    }
    container = slot;
  }
  return {};
}

Result<Params> Params::FromQuery(std::string_view query) {
  Params params;
  if (Status s = ParsePairs(query, params); !s) return std::move(s).error();
  return params;
}

Result<Params> Params::FromUrlEncoded(std::string_view body) { return FromQuery(body); }

Result<Params> Params::FromJson(std::string_view body) {
  if (TrimAscii(body).empty()) return Params();
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  json::value value = json::parse(body, ec, {}, options);
  if (ec) return Error::BadRequest("Invalid JSON in request body: " + ec.message());
  if (!AllStringsValid(value))
    return Error::BadRequest("Invalid JSON in request body: invalid UTF-8");
  if (!value.is_object())
    return Error::BadRequest("Invalid JSON in request body: expected an object");
  Params params;
  params.root_ = std::move(value.get_object());
  return params;
}

Result<Params> Params::FromMultipart(std::string_view body, std::string_view content_type) {
  const std::string_view boundary_value = HeaderParam(content_type, "boundary");
  if (boundary_value.empty() || boundary_value.size() > 200) {
    return Malformed("multipart body without a boundary");
  }
  const std::string delimiter = "--" + std::string(boundary_value);
  Params params;
  size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) return Malformed("multipart boundary not found");
  size_t parts = 0;
  for (;;) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") break;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") return Malformed("bad multipart delimiter line");
    pos += 2;
    if (++parts > kMaxParameters) return Malformed("too many parameters");
    const size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) return Malformed("multipart part without headers");
    std::string_view headers = body.substr(pos, headers_end - pos);
    const size_t data_start = headers_end + 4;
    const size_t data_end = body.find("\r\n" + delimiter, data_start);
    if (data_end == std::string_view::npos) return Malformed("unterminated multipart part");
    std::string_view data = body.substr(data_start, data_end - data_start);

    std::string_view disposition;
    std::string_view part_type;
    size_t h = 0;
    while (h < headers.size()) {
      size_t end = headers.find("\r\n", h);
      if (end == std::string_view::npos) end = headers.size();
      const std::string_view line = headers.substr(h, end - h);
      h = end + 2;
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string name = AsciiLower(TrimAscii(line.substr(0, colon)));
      if (name == "content-disposition") disposition = TrimAscii(line.substr(colon + 1));
      if (name == "content-type") part_type = TrimAscii(line.substr(colon + 1));
    }
    const std::string_view field = HeaderParam(disposition, "name");
    if (field.empty()) return Malformed("multipart part without a name");
    if (!IsValidUtf8(field)) return Error::BadRequest("Invalid request parameters: invalid UTF-8");
    if (disposition.find("filename") != std::string_view::npos) {
      params.files_.push_back({std::string(field),
                               std::string(HeaderParam(disposition, "filename")),
                               std::string(part_type), data});
    } else {
      if (!IsValidUtf8(data)) return Error::BadRequest("Invalid request parameters: invalid UTF-8");
      if (Status s = params.Assign(field, std::string(data)); !s) return std::move(s).error();
    }
    pos = data_end + 2;
  }
  return params;
}

Result<Params> Params::FromRequest(std::string_view query, std::string_view content_type,
                                   std::string_view body) {
  auto merged = FromQuery(query);
  if (!merged) return merged;
  if (body.empty()) return merged;
  const std::string type = AsciiLower(TrimAscii(content_type.substr(0, content_type.find(';'))));
  Result<Params> parsed = Params();
  if (type == "application/json" || type.empty()) {
    parsed = FromJson(body);
  } else if (type == "application/x-www-form-urlencoded") {
    parsed = FromUrlEncoded(body);
  } else if (type == "multipart/form-data") {
    parsed = FromMultipart(body, content_type);
  } else {
    return Error::BadRequest("Unsupported Content-Type: " + type);
  }
  if (!parsed) return parsed;
  for (auto& entry : parsed->root_) merged->root_[entry.key()] = std::move(entry.value());
  merged->files_ = std::move(parsed->files_);
  return merged;
}

Result<std::optional<std::string>> Params::String(std::string_view key) const {
  const json::value* v = root_.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (v->is_string()) return std::optional<std::string>(std::string(v->get_string()));
  if (v->is_int64()) return std::optional<std::string>(std::to_string(v->get_int64()));
  if (v->is_uint64()) return std::optional<std::string>(std::to_string(v->get_uint64()));
  if (v->is_bool()) return std::optional<std::string>(v->get_bool() ? "true" : "false");
  return WrongType(key, "a string");
}

Result<std::optional<bool>> Params::Bool(std::string_view key) const {
  const json::value* v = root_.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<bool>();
  if (v->is_bool()) return std::optional<bool>(v->get_bool());
  if (v->is_int64() && (v->get_int64() == 0 || v->get_int64() == 1)) {
    return std::optional<bool>(v->get_int64() == 1);
  }
  if (v->is_string()) {
    const std::string s = AsciiLower(v->get_string());
    if (s.empty()) return std::optional<bool>();
    if (s == "true" || s == "1" || s == "t" || s == "on" || s == "yes")
      return std::optional<bool>(true);
    if (s == "false" || s == "0" || s == "f" || s == "off" || s == "no")
      return std::optional<bool>(false);
  }
  return WrongType(key, "a boolean");
}

Result<std::optional<int64_t>> Params::Int(std::string_view key) const {
  const json::value* v = root_.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<int64_t>();
  if (v->is_int64()) return std::optional<int64_t>(v->get_int64());
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return std::optional<int64_t>(static_cast<int64_t>(v->get_uint64()));
  }
  if (v->is_string()) {
    const std::string s(v->get_string());
    if (s.empty()) return std::optional<int64_t>();
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(s.c_str(), &end, 10);
    if (errno == 0 && *end == '\0' && end != s.c_str()) return std::optional<int64_t>(n);
  }
  return WrongType(key, "an integer");
}

Result<int> Params::Count(std::string_view key, int fallback, int min, int max) const {
  const json::value* v = root_.if_contains(key);
  if (v == nullptr || v->is_null()) return fallback;
  uint64_t magnitude = 0;
  if (v->is_int64()) {
    const int64_t n = v->get_int64();
    magnitude = n < 0 ? uint64_t{0} - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  } else if (v->is_uint64()) {
    magnitude = v->get_uint64();
  } else if (v->is_string()) {
    std::string_view s = v->get_string();
    if (s.empty()) return fallback;
    if (s.front() == '-' || s.front() == '+') s.remove_prefix(1);
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude);
    if (s.empty() || end != s.data() + s.size() ||
        (ec != std::errc() && ec != std::errc::result_out_of_range)) {
      return WrongType(key, "an integer");
    }
    if (ec == std::errc::result_out_of_range) magnitude = UINT64_MAX;
  } else {
    return WrongType(key, "an integer");
  }
  const auto low = static_cast<uint64_t>(std::max(min, 0));
  return static_cast<int>(
      std::clamp<uint64_t>(magnitude, low, std::max(low, static_cast<uint64_t>(max))));
}

Result<std::vector<std::string>> Params::StringList(std::string_view key) const {
  const json::value* v = root_.if_contains(key);
  std::vector<std::string> out;
  if (v == nullptr || v->is_null()) return out;
  if (v->is_string()) {
    out.emplace_back(v->get_string());
    return out;
  }
  const auto values = IndexedValues(*v);
  if (values.empty() && !(v->is_array() || v->is_object()))
    return WrongType(key, "a list of strings");
  for (const json::value* e : values) {
    if (e->is_string()) {
      out.emplace_back(e->get_string());
    } else if (e->is_int64()) {
      out.push_back(std::to_string(e->get_int64()));
    } else {
      return WrongType(key, "a list of strings");
    }
  }
  if (values.empty() && v->is_object() && !v->get_object().empty()) {
    return WrongType(key, "a list of strings");
  }
  return out;
}

std::optional<Params> Params::Group(std::string_view key) const {
  const json::value* v = root_.if_contains(key);
  if (v == nullptr || !v->is_object()) return std::nullopt;
  Params p;
  p.root_ = v->get_object();
  return p;
}

std::vector<Params> Params::GroupList(std::string_view key) const {
  std::vector<Params> out;
  const json::value* v = root_.if_contains(key);
  if (v == nullptr) return out;
  for (const json::value* e : IndexedValues(*v)) {
    Params p;
    if (e->is_object()) p.root_ = e->get_object();
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace chirp
