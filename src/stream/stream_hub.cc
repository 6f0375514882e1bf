#include "stream/stream_hub.h"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <charconv>

#include "core/thread_entry.h"

namespace chirp {

// The wire form: the event, a newline, the accounts as decimal numbers
// separated by commas, a newline, and the payload.
std::string EncodeStreamMessage(const StreamMessage& message) {
  std::string out = message.event;
  out += '\n';
  for (size_t i = 0; i < message.accounts.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(message.accounts[i]);
  }
  out += '\n';
  out += message.payload;
  return out;
}

std::optional<StreamMessage> DecodeStreamMessage(std::string_view text) {
  const size_t first = text.find('\n');
  if (first == std::string_view::npos || first == 0) return std::nullopt;
  const size_t second = text.find('\n', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  StreamMessage m;
  m.event = std::string(text.substr(0, first));
  std::string_view ids = text.substr(first + 1, second - first - 1);
  while (!ids.empty()) {
    const size_t comma = ids.find(',');
    const std::string_view one = ids.substr(0, comma);
    int64_t id = 0;
    const auto [end, ec] = std::from_chars(one.data(), one.data() + one.size(), id);
    if (ec != std::errc() || end != one.data() + one.size()) return std::nullopt;
    m.accounts.push_back(id);
    if (comma == std::string_view::npos) break;
    ids.remove_prefix(comma + 1);
  }
  m.payload = std::string(text.substr(second + 1));
  return m;
}

StreamHub::~StreamHub() { CloseAll(); }

void StreamHub::CountReader(const std::string& channel, int delta) {
  constexpr std::string_view kPrefix = "timeline:";
  if (!channel.starts_with(kPrefix)) return;
  const std::string_view rest = std::string_view(channel).substr(kPrefix.size());
  int64_t id = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), id);
  if (ec != std::errc() || end != rest.data() + rest.size()) return;
  if ((readers_[id] += delta) <= 0) readers_.erase(id);
}

bool StreamHub::HasReader(int64_t account_id) const {
  std::lock_guard lock(mu_);
  return readers_.contains(account_id);
}

std::vector<int64_t> StreamHub::Readers() const {
  std::lock_guard lock(mu_);
  std::vector<int64_t> out;
  out.reserve(readers_.size());
  for (const auto& [id, count] : readers_) out.push_back(id);
  return out;
}

size_t StreamHub::reader_count() const {
  std::lock_guard lock(mu_);
  return readers_.size();
}

bool StreamHub::Add(const std::shared_ptr<StreamConnection>& connection) {
  std::lock_guard lock(mu_);
  size_t& held = connections_by_account_[connection->account_id()];
  if (!stopping_ && held < limits_.connections_per_account) {
    ++held;
    connections_[connection.get()] = connection;
    return true;
  }
  if (held == 0) connections_by_account_.erase(connection->account_id());
  return false;
}

bool StreamHub::Admits(int64_t account_id) const {
  std::lock_guard lock(mu_);
  auto it = connections_by_account_.find(account_id);
  return !stopping_ &&
         (it == connections_by_account_.end() || it->second < limits_.connections_per_account);
}

void StreamHub::Remove(StreamConnection* connection) {
  std::shared_ptr<StreamConnection> last;  // released outside the lock
  std::lock_guard lock(mu_);
  auto subs = subscriptions_.find(connection);
  if (subs != subscriptions_.end()) {
    for (const auto& [channel, stream] : subs->second) {
      CountReader(channel, -1);
      auto it = channels_.find(channel);
      if (it == channels_.end()) continue;
      std::erase_if(it->second.listeners,
                    [&](const Listener& l) { return l.connection.get() == connection; });
      if (it->second.listeners.empty()) {
        pubsub_.Unsubscribe(it->second.handle);
        channels_.erase(it);
      }
    }
    subscriptions_.erase(subs);
  }
  auto it = connections_.find(connection);
  if (it != connections_.end()) {
    last = std::move(it->second);
    connections_.erase(it);
    auto held = connections_by_account_.find(last->account_id());
    if (held != connections_by_account_.end() && --held->second == 0) {
      connections_by_account_.erase(held);
    }
  }
}

SubscribeResult StreamHub::Subscribe(StreamConnection* connection, const std::string& channel,
                                     const std::string& stream) {
  std::lock_guard lock(mu_);
  auto owner = connections_.find(connection);
  if (owner == connections_.end()) return SubscribeResult::kGone;
  auto& held = subscriptions_[connection];
  if (held.contains({channel, stream})) return SubscribeResult::kAlready;
  if (held.size() >= limits_.subscriptions_per_connection) return SubscribeResult::kTooMany;
  held.emplace(channel, stream);
  CountReader(channel, 1);
  auto [it, fresh] = channels_.try_emplace(channel);
  if (fresh) {
    it->second.handle = pubsub_.Subscribe(
        channel, [this](const std::string& c, const std::string& text) { Deliver(c, text); });
  }
  it->second.listeners.push_back({owner->second, stream});
  return SubscribeResult::kSubscribed;
}

void StreamHub::Unsubscribe(StreamConnection* connection, const std::string& channel,
                            const std::string& stream) {
  std::lock_guard lock(mu_);
  auto subs = subscriptions_.find(connection);
  if (subs == subscriptions_.end() || subs->second.erase({channel, stream}) == 0) return;
  CountReader(channel, -1);
  auto it = channels_.find(channel);
  if (it == channels_.end()) return;
  std::erase_if(it->second.listeners, [&](const Listener& l) {
    return l.connection.get() == connection && l.stream == stream;
  });
  if (it->second.listeners.empty()) {
    pubsub_.Unsubscribe(it->second.handle);
    channels_.erase(it);
  }
}

bool StreamHub::Filtered(int64_t reader, const StreamMessage& message) {
  if (message.accounts.empty()) return false;
  auto viewer = viewers_.Get(reader);
  if (!viewer) return true;  // unsure: leave it out
  const ViewerVisibility& v = (*viewer)->visibility;
  for (int64_t account : message.accounts) {
    if (account == reader) continue;
    if (v.BlockedWith(account) || v.Mutes(account)) return true;
  }
  return false;
}

void StreamHub::Deliver(const std::string& channel, const std::string& text) {
  std::vector<Listener> listeners;
  {
    std::lock_guard lock(mu_);
    auto it = channels_.find(channel);
    if (it == channels_.end()) return;
    listeners = it->second.listeners;
  }
  auto message = DecodeStreamMessage(text);
  if (!message) return;
  const std::string payload_json = boost::json::serialize(boost::json::string(message->payload));
  for (const Listener& l : listeners) {
    if (Filtered(l.connection->account_id(), *message)) continue;
    l.connection->Send(l.stream, *message, payload_json);
    delivered_.fetch_add(1, std::memory_order_relaxed);
  }
}

void StreamHub::Start() {
  heartbeat_ = std::thread([this] { RunThread("stream-beat", [this] { HeartbeatLoop(); }); });
}

bool StreamHub::BeatIfDue() {
  std::vector<std::shared_ptr<StreamConnection>> all;
  {
    std::lock_guard lock(mu_);
    const int64_t now = clock_.NowMillis();
    if (now - last_beat_ms_ < std::chrono::milliseconds(kHeartbeat).count()) return false;
    last_beat_ms_ = now;
    all.reserve(connections_.size());
    for (const auto& [raw, connection] : connections_) all.push_back(connection);
  }
  for (const auto& connection : all) connection->Heartbeat();
  return true;
}

void StreamHub::HeartbeatLoop() {
  constexpr auto kTick = std::chrono::seconds(1);
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, kTick, [&] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    BeatIfDue();
    lock.lock();
  }
}

void StreamHub::CloseAll() {
  std::map<StreamConnection*, std::shared_ptr<StreamConnection>> all;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    all.swap(connections_);
    for (auto& [name, channel] : channels_) pubsub_.Unsubscribe(channel.handle);
    channels_.clear();
    subscriptions_.clear();
    readers_.clear();
    connections_by_account_.clear();
  }
  wake_.notify_all();
  if (heartbeat_.joinable() && heartbeat_.get_id() != std::this_thread::get_id()) {
    heartbeat_.join();
  }
  for (auto& [raw, connection] : all) connection->Close(true);
}

size_t StreamHub::connections() const {
  std::lock_guard lock(mu_);
  return connections_.size();
}

}  // namespace chirp
