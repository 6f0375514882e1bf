#include "stream_event.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <optional>

namespace chirp::loadgen {
namespace {

namespace json = boost::json;

const json::string* StringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? &v->get_string() : nullptr;
}

// The id when the object opens with it, as chirpd writes statuses:
// {"id":"123",... . A benchmark reads thousands of statuses a second on the
// server's own cores, so the common case skips the full parse.
std::optional<std::string_view> LeadingId(std::string_view json) {
  constexpr std::string_view kOpening = R"({"id":")";
  if (!json.starts_with(kOpening)) return std::nullopt;
  const std::string_view rest = json.substr(kOpening.size());
  const size_t end = rest.find_first_of("\"\\");
  if (end == 0 || end == std::string_view::npos || rest[end] != '"') return std::nullopt;
  return rest.substr(0, end);
}

}  // namespace

Result<std::string> ParseStatusId(std::string_view status_json) {
  if (auto id = LeadingId(status_json)) return std::string(*id);
  boost::system::error_code ec;
  const json::value parsed = json::parse(status_json, ec);
  if (ec || !parsed.is_object()) return Error::BadRequest("a status is not a JSON object");
  const json::string* id = StringField(parsed.get_object(), "id");
  if (id == nullptr || id->empty()) return Error::BadRequest("a status without a string id");
  return std::string(*id);
}

Result<StreamEvent> ParseStreamEvent(std::string_view text) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) return Error::BadRequest("an event frame is not a JSON object");
  const json::object& o = parsed.get_object();
  const json::string* event = StringField(o, "event");
  if (event == nullptr) return Error::BadRequest("an event frame without a string event");
  StreamEvent out{.event = std::string(*event), .status_id = {}};
  if (out.event != "update") return out;
  const json::string* payload = StringField(o, "payload");
  if (payload == nullptr) return Error::BadRequest("an update without a string payload");
  auto id = ParseStatusId(*payload);
  if (!id) return std::move(id).error();
  out.status_id = std::move(*id);
  return out;
}

}  // namespace chirp::loadgen
