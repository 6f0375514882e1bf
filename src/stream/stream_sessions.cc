#include "stream/stream_sessions.h"

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <cerrno>
#include <cstdio>
#include <mutex>

#include "stream/websocket_codec.h"

namespace chirp {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// Write buffers larger than this are released once written.
constexpr size_t kRetainedWriteBuffer = 64 * 1024;
constexpr size_t kReadChunk = 1024;

tcp ProtocolOf(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0 &&
      address.ss_family == AF_INET6) {
    return tcp::v6();
  }
  return tcp::v4();
}

class Session : public StreamConnection, public std::enable_shared_from_this<Session> {
 public:
  Session(TakenConnection& taken, int64_t account_id, StreamHub& hub,
          const StreamSessionOptions& options, bool websocket, StreamCommandHandler on_command)
      : StreamConnection(account_id),
        hub_(hub),
        options_(options),
        websocket_(websocket),
        on_command_(std::move(on_command)),
        socket_(*taken.io),
        parser_(options.message_limit),
        unread_(std::move(taken.unread)),
        lease_(std::move(taken.lease)) {
    boost::system::error_code ec;
    socket_.assign(ProtocolOf(taken.fd), taken.fd, ec);
    if (ec) ::close(taken.fd);
  }

  void Begin(const std::string& head) {
    Queue(head, /*bounded=*/false);
    asio::co_spawn(socket_.get_executor(), ReadLoop(shared_from_this()), asio::detached);
  }

  void Send(std::string_view stream, const StreamMessage& message,
            std::string_view payload_json) override {
    std::string out;
    if (websocket_) {
      std::string text;
      text.reserve(48 + stream.size() + message.event.size() + payload_json.size());
      text += R"({"stream":)";
      text += stream;
      text += R"(,"event":")";
      text += message.event;
      text += R"(","payload":)";
      text += payload_json;
      text += '}';
      AppendTextFrame(out, text);
    } else {
      std::string event = "event: " + message.event + "\ndata: " + message.payload + "\n\n";
      AppendChunk(out, event);
    }
    Queue(out, /*bounded=*/true);
  }

  void SendText(std::string_view text) override {
    std::string out;
    if (websocket_) {
      AppendTextFrame(out, text);
    } else {
      AppendChunk(out, "data: " + std::string(text) + "\n\n");
    }
    Queue(out, /*bounded=*/true);
  }

  void Heartbeat() override {
    std::string out;
    if (websocket_) {
      if (!alive_.exchange(false)) {
        Abort();  // nothing came back since the last ping
        return;
      }
      AppendPingFrame(out, {});
    } else {
      AppendChunk(out, ":thump\n\n");
    }
    Queue(out, /*bounded=*/false);
  }

  void Close(bool going_away) override {
    if (!websocket_) {
      Abort();
      return;
    }
    std::string out;
    AppendCloseFrame(out, going_away ? kCloseGoingAway : kCloseNormal);
    Finish(out);
  }

 private:
  static void AppendChunk(std::string& out, std::string_view data) {
    char size[20];
    const int n = std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
    out.append(size, static_cast<size_t>(n));
    out += data;
    out += "\r\n";
  }

  // Sends bytes to the client: straight into the socket when nothing is
  // waiting before them (on the caller's thread, without waiting), the rest
  // queued for the network thread. Bounded queueing closes the connection
  // instead of holding more than the buffer allows.
  void Queue(std::string_view bytes, bool bounded) {
    std::lock_guard lock(mu_);
    if (closing_) return;
    if (!writing_ && pending_.empty() && !socket_closed_) {
      const ssize_t sent =
          ::send(socket_.native_handle(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (sent == static_cast<ssize_t>(bytes.size())) return;
      if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        closing_ = true;
        asio::post(socket_.get_executor(), [self = shared_from_this()] { self->CloseSocket(); });
        return;
      }
      if (sent > 0) bytes.remove_prefix(static_cast<size_t>(sent));
    }
    if (bounded && pending_.size() + in_flight_ + bytes.size() > options_.buffer_bytes) {
      closing_ = true;
      pending_.clear();
      asio::post(socket_.get_executor(), [self = shared_from_this()] { self->CloseSocket(); });
      return;
    }
    pending_ += bytes;
    StartWriting();
  }

  // Queues the last bytes, after which the connection closes.
  void Finish(std::string_view bytes) {
    std::lock_guard lock(mu_);
    if (closing_) return;
    pending_ += bytes;
    closing_ = true;
    close_when_written_ = true;
    StartWriting();
  }

  // Closes at once, dropping whatever is queued.
  void Abort() {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
      pending_.clear();
    }
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->CloseSocket(); });
  }

  void StartWriting() {  // with mu_ held
    if (writing_) return;
    writing_ = true;
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->WriteNext(); });
  }

  // On the network thread: writes what has been queued, one batch at a time.
  void WriteNext() {
    {
      std::lock_guard lock(mu_);
      if (out_.capacity() > kRetainedWriteBuffer) std::string().swap(out_);
      out_.clear();
      out_.swap(pending_);
      in_flight_ = out_.size();
      if (out_.empty()) {
        writing_ = false;
        if (close_when_written_) CloseSocketLocked();
        return;
      }
    }
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                        if (ec) {
                          std::lock_guard lock(self->mu_);
                          self->CloseSocketLocked();
                          self->writing_ = false;
                          self->closing_ = true;
                          self->pending_.clear();
                          return;
                        }
                        self->WriteNext();
                      });
  }

  // On the network thread. The flag keeps other threads' direct sends off
  // a descriptor that may be reused once closed.
  void CloseSocket() {
    std::lock_guard lock(mu_);
    CloseSocketLocked();
  }
  void CloseSocketLocked() {  // with mu_ held
    if (socket_closed_) return;
    socket_closed_ = true;
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  static asio::awaitable<void> ReadLoop(std::shared_ptr<Session> self) {
    if (!self->unread_.empty()) {
      std::string first = std::move(self->unread_);
      self->Received(first);
    }
    for (;;) {
      auto [ec, n] = co_await self->socket_.async_read_some(asio::buffer(self->in_), kUseTuple);
      if (ec) break;
      self->alive_.store(true);
      if (self->websocket_) self->Received(std::string_view(self->in_.data(), n));
    }
    self->hub_.Remove(self.get());
    self->CloseSocket();
  }

  // Handles bytes from a WebSocket client.
  void Received(std::string_view data) {
    if (!websocket_ || stopped_reading_) return;
    for (;;) {
      data.remove_prefix(parser_.Feed(data));
      if (parser_.state() == WebSocketParser::State::kError) {
        std::string out;
        AppendCloseFrame(out, parser_.error_code());
        Finish(out);
        stopped_reading_ = true;
        return;
      }
      if (parser_.state() == WebSocketParser::State::kNeedMore) return;
      std::string out;
      switch (parser_.message_type()) {
        case WebSocketParser::MessageType::kText:
          if (on_command_) on_command_(*this, parser_.payload());
          break;
        case WebSocketParser::MessageType::kPing:
          AppendPongFrame(out, parser_.payload());
          Queue(out, /*bounded=*/false);
          break;
        case WebSocketParser::MessageType::kClose:
          AppendCloseFrame(out, kCloseNormal);
          Finish(out);
          stopped_reading_ = true;
          return;
        case WebSocketParser::MessageType::kBinary:
        case WebSocketParser::MessageType::kPong:
          break;
      }
      parser_.Next();
    }
  }

  StreamHub& hub_;
  const StreamSessionOptions options_;
  const bool websocket_;
  StreamCommandHandler on_command_;
  tcp::socket socket_;
  WebSocketParser parser_;
  std::string unread_;
  std::shared_ptr<const void> lease_;  // counts this connection against the server's caps
  std::array<char, kReadChunk> in_{};
  bool stopped_reading_ = false;   // network thread only
  std::atomic<bool> alive_{true};  // something came from the client since the last ping

  std::mutex mu_;
  std::string pending_;              // guarded by mu_: queued, not yet being written
  std::string out_;                  // being written (swapped under mu_)
  size_t in_flight_ = 0;             // guarded by mu_
  bool writing_ = false;             // guarded by mu_
  bool closing_ = false;             // guarded by mu_: nothing more is queued
  bool close_when_written_ = false;  // guarded by mu_
  bool socket_closed_ = false;       // guarded by mu_
};

std::shared_ptr<StreamConnection> Start(TakenConnection taken, const std::string& head,
                                        int64_t account_id, StreamHub& hub,
                                        const StreamSessionOptions& options, bool websocket,
                                        StreamCommandHandler on_command) {
  auto session =
      std::make_shared<Session>(taken, account_id, hub, options, websocket, std::move(on_command));
  // Refused (the account's connections are at their limit, or the server
  // stops): the socket closes with the session, unanswered.
  if (hub.Add(session)) session->Begin(head);
  return session;
}

}  // namespace

std::shared_ptr<StreamConnection> StartWebSocketSession(TakenConnection taken,
                                                        std::string response_head,
                                                        int64_t account_id, StreamHub& hub,
                                                        const StreamSessionOptions& options,
                                                        StreamCommandHandler on_command) {
  return Start(std::move(taken), response_head, account_id, hub, options, true,
               std::move(on_command));
}

std::shared_ptr<StreamConnection> StartEventStreamSession(TakenConnection taken,
                                                          std::string response_head,
                                                          int64_t account_id, StreamHub& hub,
                                                          const StreamSessionOptions& options) {
  return Start(std::move(taken), response_head, account_id, hub, options, false, nullptr);
}

}  // namespace chirp
