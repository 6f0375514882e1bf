// The client connections of the streaming API once the HTTP server has
// handed them over (http_types.h TakenConnection): a WebSocket session
// (RFC 6455, stream/websocket_codec.h) or a stream of server-sent events.
// Asio stays inside stream_sessions.cc.
//
// Each session registers with the hub and removes itself when it ends. What
// it is sent waits in one buffer of at most `buffer_bytes`; a message that
// would go beyond closes the connection (a reader too slow to keep up).
// Heartbeats: a WebSocket gets a ping, and is closed when nothing came back
// since the one before; an event stream gets a ":thump" comment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/http_types.h"
#include "stream/stream_hub.h"

namespace chirp {

struct StreamSessionOptions {
  size_t buffer_bytes = 256 * 1024;  // queued for one client at most
  size_t message_limit = 16 * 1024;  // the largest message a client may send
};

// What a WebSocket client's text messages (subscribe, unsubscribe) are handed to.
using StreamCommandHandler = std::function<void(StreamConnection&, std::string_view)>;

// Starts a WebSocket session: writes `response_head` (the 101 answer), then
// reads frames. Returns the connection, registered with the hub, for the
// caller's first subscriptions.
std::shared_ptr<StreamConnection> StartWebSocketSession(TakenConnection taken,
                                                        std::string response_head,
                                                        int64_t account_id, StreamHub& hub,
                                                        const StreamSessionOptions& options,
                                                        StreamCommandHandler on_command);

// Starts a stream of server-sent events: writes `response_head` (a 200 with
// chunked transfer coding), then one chunk per event until the client leaves.
std::shared_ptr<StreamConnection> StartEventStreamSession(TakenConnection taken,
                                                          std::string response_head,
                                                          int64_t account_id, StreamHub& hub,
                                                          const StreamSessionOptions& options);

}  // namespace chirp
