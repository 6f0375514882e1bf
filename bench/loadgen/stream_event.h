// What the streaming benchmark reads from the server: the event frames of
// /api/v1/streaming and the statuses its posts are answered with.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace chirp::loadgen {

// One event of the Mastodon streaming API, as a text frame carries it:
// {"stream":["user"],"event":"update","payload":"<Status JSON as a string>"}.
struct StreamEvent {
  std::string event;  // "update", "delete", "notification", ...
  // For an update: the "id" of the status in the payload; empty otherwise.
  std::string status_id;
};

// kBadRequest when `text` is not an event: not a JSON object, no string
// "event" (an error answer such as {"error": ...} is not one), or an update
// whose payload is not a string holding a status with a string "id".
Result<StreamEvent> ParseStreamEvent(std::string_view text);

// The "id" of a Status entity's JSON (a post's answer, an update's payload).
// kBadRequest when it is not a JSON object with a non-empty string "id".
Result<std::string> ParseStatusId(std::string_view status_json);

}  // namespace chirp::loadgen
