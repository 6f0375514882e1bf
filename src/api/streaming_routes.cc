// The streaming API: a WebSocket at /api/v1/streaming (streams chosen in the
// URL or by subscribe and unsubscribe messages), the same streams as
// server-sent events at /api/v1/streaming/<stream path>, and a health check.
// The token comes as a bearer header, an access_token parameter, or, for
// browsers' WebSockets, as the offered subprotocol, which is echoed back.
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "api/routes.h"
#include "core/text.h"
#include "stream/websocket_codec.h"
#include "text/status_text.h"

namespace chirp {
namespace json = boost::json;

namespace {

// One subscription a stream name resolves to: the pub/sub channel and the
// name events carry (a JSON array such as ["hashtag","Foo"]).
struct Subscription {
  std::string channel;
  std::string stream;
};

std::string StreamName(std::string_view name, std::string_view param = {}) {
  json::array a{json::string(name)};
  if (!param.empty()) a.push_back(json::string(param));
  return json::serialize(a);
}

std::string ErrorText(std::string_view message, int status) {
  return json::serialize(json::object{{"error", json::string(message)}, {"status", status}});
}

// The subscriptions of `name` (with `tag` for hashtags) for `principal`, or
// the error message Mastodon's streaming server answers with.
Result<std::vector<Subscription>> Resolve(const Principal& principal, std::string_view name,
                                          std::string_view tag) {
  const std::string self = "timeline:" + std::to_string(principal.account_id);
  const auto needs = [&](const char* scopes) -> Status {
    if (principal.scopes.GrantsAny(*ScopeSet::Parse(scopes))) return {};
    return Error::Unauthorized("Access token does not have the required scopes");
  };
  if (name == "user") {
    if (Status s = needs("read read:statuses"); !s) return std::move(s).error();
    return std::vector<Subscription>{{self, StreamName(name)},
                                     {self + ":notifications", StreamName(name)}};
  }
  if (name == "user:notification") {
    if (Status s = needs("read read:notifications"); !s) return std::move(s).error();
    return std::vector<Subscription>{{self + ":notifications", StreamName(name)}};
  }
  if (name == "direct") {
    if (Status s = needs("read read:statuses"); !s) return std::move(s).error();
    return std::vector<Subscription>{
        {"timeline:direct:" + std::to_string(principal.account_id), StreamName(name)}};
  }
  // Every account is local: the local streams are the public ones, and the
  // remote ones stay silent.
  if (name == "public" || name == "public:local") {
    return std::vector<Subscription>{{"timeline:public", StreamName(name)}};
  }
  if (name == "public:media" || name == "public:local:media") {
    return std::vector<Subscription>{{"timeline:public:media", StreamName(name)}};
  }
  if (name == "public:remote" || name == "public:remote:media") {
    return std::vector<Subscription>{{"timeline:public:remote", StreamName(name)}};
  }
  if (name == "hashtag" || name == "hashtag:local") {
    const std::string normalized = NormalizeTagName(tag);
    if (tag.empty() || normalized.empty()) return Error::BadRequest("No tag for stream provided");
    return std::vector<Subscription>{{"timeline:hashtag:" + normalized, StreamName(name, tag)}};
  }
  return Error::BadRequest("Unknown stream type");
}

int StatusOf(const Error& e) { return e.code == ErrorCode::kUnauthorized ? 401 : 400; }

// Handles a client's subscribe and unsubscribe messages.
void HandleCommand(StreamHub& hub, const Principal& principal, StreamConnection& connection,
                   std::string_view text) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) {
    connection.SendText(ErrorText("Invalid message", 400));
    return;
  }
  const json::object& o = parsed.get_object();
  const auto field = [&](const char* key) -> std::string_view {
    const json::value* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
  };
  const std::string_view type = field("type");
  if (type != "subscribe" && type != "unsubscribe") {
    connection.SendText(ErrorText("Unknown message type", 400));
    return;
  }
  auto subscriptions = Resolve(principal, field("stream"), field("tag"));
  if (!subscriptions) {
    connection.SendText(ErrorText(subscriptions.error().message, StatusOf(subscriptions.error())));
    return;
  }
  for (const Subscription& s : *subscriptions) {
    if (type == "unsubscribe") {
      hub.Unsubscribe(&connection, s.channel, s.stream);
    } else if (hub.Subscribe(&connection, s.channel, s.stream) == SubscribeResult::kTooMany) {
      connection.SendText(ErrorText("Too many subscriptions on this connection", 429));
      return;
    }
  }
}

// Refuses a new streaming connection of `principal` beyond the hub's limit
// for one account, before the connection is taken over.
Status AdmitConnection(const StreamingRouteParts& ctx, const Principal& principal) {
  if (ctx.stream_hub->Admits(principal.account_id)) return {};
  return Error{
      ErrorCode::kTooManyRequests, "Too many streaming connections for this account", {}, {}};
}

// The principal of a streaming request: from the bearer header or the
// access_token parameter (already checked by the endpoint), else from the
// offered subprotocol. Only users stream.
Result<Principal> StreamingPrincipal(const StreamingRouteParts& ctx, const ApiRequest& req) {
  std::optional<Principal> principal = req.principal;
  if (!principal) {
    std::string_view offered = req.http.Header("sec-websocket-protocol");
    offered = offered.substr(0, offered.find(','));
    offered = TrimAscii(offered);
    if (!offered.empty()) {
      auto found = ctx.auth.Authenticate(
          offered, [&] { return ApiRoutes::TakeTokenLookup(ctx.endpoint, req.client_address); });
      if (!found) return std::move(found).error();
      principal = *found;
    }
  }
  if (!principal) return Error::Unauthorized("Missing access token");
  if (!principal->is_user()) return Error::Unauthorized("Invalid access token");
  return *principal;
}

constexpr std::string_view kEventStreamHead =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/event-stream\r\n"
    "Cache-Control: no-store\r\n"
    "Transfer-Encoding: chunked\r\n"
    "X-Accel-Buffering: no\r\n"
    "Access-Control-Allow-Origin: *\r\n"
    "\r\n";

// Answers with a stream of server-sent events of `name`.
Result<HttpResponse> EventStream(const StreamingRouteParts& ctx, ApiRequest& req,
                                 std::string_view name) {
  auto principal = StreamingPrincipal(ctx, req);
  if (!principal) return std::move(principal).error();
  auto tag = req.params.String("tag");
  if (!tag) return std::move(tag).error();
  auto subscriptions = Resolve(*principal, name, tag->value_or(""));
  if (!subscriptions) return std::move(subscriptions).error();
  if (Status s = AdmitConnection(ctx, *principal); !s) return std::move(s).error();
  HttpResponse response;
  response.status = 200;
  response.take_over = [ctx, account = principal->account_id,
                        subs = std::move(subscriptions).value()](TakenConnection taken) {
    auto connection = StartEventStreamSession(std::move(taken), std::string(kEventStreamHead),
                                              account, *ctx.stream_hub, ctx.stream_options);
    for (const Subscription& s : subs)
      ctx.stream_hub->Subscribe(connection.get(), s.channel, s.stream);
  };
  return response;
}

// GET /api/v1/streaming: a WebSocket upgrade, or events of ?stream=.
Result<HttpResponse> Streaming(const StreamingRouteParts& ctx, ApiRequest& req) {
  auto stream = req.params.String("stream");
  if (!stream) return std::move(stream).error();
  if (!HeaderListsToken(req.http.Header("upgrade"), "websocket")) {
    if (!*stream) return Error::BadRequest("No stream provided");
    return EventStream(ctx, req, **stream);
  }
  auto principal = StreamingPrincipal(ctx, req);
  if (!principal) return std::move(principal).error();
  if (!HeaderListsToken(req.http.Header("connection"), "upgrade")) {
    return Error::BadRequest("Connection: Upgrade is required for a WebSocket");
  }
  if (req.http.Header("sec-websocket-version") != "13") {
    HttpResponse refused = ErrorResponse(Error::BadRequest("Unsupported WebSocket version"));
    refused.status = 426;
    refused.AddHeader("Sec-WebSocket-Version", "13");
    return refused;
  }
  const std::string_view key = req.http.Header("sec-websocket-key");
  if (!IsValidWebSocketKey(key)) return Error::BadRequest("Invalid Sec-WebSocket-Key");
  if (Status s = AdmitConnection(ctx, *principal); !s) return std::move(s).error();

  std::string head =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " +
      WebSocketAccept(key) + "\r\n";
  std::string_view offered = req.http.Header("sec-websocket-protocol");
  offered = TrimAscii(offered.substr(0, offered.find(',')));
  if (!offered.empty()) head += "Sec-WebSocket-Protocol: " + std::string(offered) + "\r\n";
  head += "\r\n";

  // A stream named in the URL is subscribed at once; a bad one is answered
  // like a bad subscribe message.
  std::string first_command;
  if (*stream) {
    auto tag = req.params.String("tag");
    if (!tag) return std::move(tag).error();
    json::object command{{"type", "subscribe"}, {"stream", **stream}};
    if (*tag) command["tag"] = **tag;
    first_command = json::serialize(command);
  }
  HttpResponse response;
  response.status = 101;
  response.take_over = [ctx, principal = *principal, head = std::move(head),
                        first_command = std::move(first_command)](TakenConnection taken) {
    StreamHub& hub = *ctx.stream_hub;
    auto connection =
        StartWebSocketSession(std::move(taken), head, principal.account_id, hub, ctx.stream_options,
                              [&hub, principal](StreamConnection& c, std::string_view text) {
                                HandleCommand(hub, principal, c, text);
                              });
    if (!first_command.empty()) HandleCommand(hub, principal, *connection, first_command);
  };
  return response;
}

}  // namespace

void AddStreamingRoutes(Router& router, ApiRoutes& routes, const StreamingRouteParts& ctx) {
  if (ctx.stream_hub == nullptr) return;
  router.Add({.method = "GET",
              .pattern = "/api/v1/streaming/health",
              .handler =
                  [](HttpRequest&, const PathParams&) {
                    HttpResponse r;
                    r.content_type = "text/plain; charset=utf-8";
                    r.body = "OK";
                    return r;
                  },
              .execution = Execution::kInline});
  routes.Add({.method = "GET", .pattern = "/api/v1/streaming"},
             [ctx](ApiRequest& r) { return Streaming(ctx, r); });
  const std::pair<const char*, const char*> kPaths[] = {
      {"/api/v1/streaming/user", "user"},
      {"/api/v1/streaming/user/notification", "user:notification"},
      {"/api/v1/streaming/public", "public"},
      {"/api/v1/streaming/public/local", "public:local"},
      {"/api/v1/streaming/public/remote", "public:remote"},
      {"/api/v1/streaming/hashtag", "hashtag"},
      {"/api/v1/streaming/hashtag/local", "hashtag:local"},
      {"/api/v1/streaming/direct", "direct"},
  };
  for (const auto& [path, name] : kPaths) {
    routes.Add({.method = "GET", .pattern = path},
               [ctx, name = std::string(name)](ApiRequest& r) -> Result<HttpResponse> {
                 // ?only_media=true picks the media variant of public streams.
                 auto media = r.params.Bool("only_media");
                 if (!media) return std::move(media).error();
                 std::string stream = name;
                 if (media->value_or(false) && stream.starts_with("public")) stream += ":media";
                 return EventStream(ctx, r, stream);
               });
  }
}

}  // namespace chirp
