#include "redis/redis_cluster.h"

#include <hiredis/hiredis.h>
#include <nettle/sha1.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "redis/redis_slots.h"

namespace chirp {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kUrlScheme = "redis://";
// A batch that keeps being redirected gives up after this many rounds,
// whatever time is left: the cluster's answers contradict each other.
constexpr int kMaxRounds = 64;
constexpr int kFirstPauseMs = 20;
constexpr int kLongestPauseMs = 500;

struct ContextDeleter {
  void operator()(redisContext* c) const {
    if (c) redisFree(c);
  }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

struct ReplyDeleter {
  void operator()(redisReply* r) const {
    if (r) freeReplyObject(r);
  }
};
using RawReply = std::unique_ptr<redisReply, ReplyDeleter>;

timeval TimevalOf(int ms) {
  return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

RedisReply CopyReply(const redisReply& r) {
  RedisReply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r.elements);
      for (size_t i = 0; i < r.elements; ++i) out.elements.push_back(CopyReply(*r.element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
      break;
  }
  return out;
}

bool SplitAddress(std::string_view address, std::string* host, int* port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view digits = address.substr(colon + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *port);
  if (ec != std::errc() || end != digits.data() + digits.size() || *port <= 0 || *port > 65535) {
    return false;
  }
  host->assign(address.substr(0, colon));
  return true;
}

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// What the cluster meant by an error reply.
enum class Verdict { kAnswer, kMoved, kAsk, kBusy, kNoScript };

struct Redirect {
  int slot = -1;
  std::string address;
};

Verdict Classify(const RedisReply& reply, bool has_script, Redirect* redirect) {
  if (!reply.is_error()) return Verdict::kAnswer;
  const std::string_view e = reply.str;
  const bool moved = StartsWith(e, "MOVED ");
  if (moved || StartsWith(e, "ASK ")) {
    // "MOVED 3999 127.0.0.1:6381"
    const size_t first = e.find(' ');
    const size_t second = e.find(' ', first + 1);
    if (second == std::string_view::npos) return Verdict::kAnswer;
    int slot = -1;
    std::from_chars(e.data() + first + 1, e.data() + second, slot);
    redirect->slot = slot;
    redirect->address.assign(e.substr(second + 1));
    return moved ? Verdict::kMoved : Verdict::kAsk;
  }
  if (StartsWith(e, "TRYAGAIN") || StartsWith(e, "CLUSTERDOWN") || StartsWith(e, "LOADING") ||
      StartsWith(e, "MASTERDOWN")) {
    return Verdict::kBusy;
  }
  if (has_script && StartsWith(e, "NOSCRIPT")) return Verdict::kNoScript;
  return Verdict::kAnswer;
}

std::string Sha1Hex(std::string_view text) {
  sha1_ctx ctx;
  sha1_init(&ctx);
  sha1_update(&ctx, text.size(), reinterpret_cast<const uint8_t*>(text.data()));
  uint8_t digest[SHA1_DIGEST_SIZE];
  sha1_digest(&ctx, SHA1_DIGEST_SIZE, digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (uint8_t b : digest) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 15]);
  }
  return hex;
}

void Append(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(c, static_cast<int>(args.size()), argv.data(), lens.data());
}

bool Flush(redisContext* c) {
  int done = 0;
  while (!done) {
    if (redisBufferWrite(c, &done) == REDIS_ERR) return false;
  }
  return true;
}

// The next reply on `c`, or nullopt when the connection failed.
std::optional<RedisReply> ReadReply(redisContext* c) {
  void* raw = nullptr;
  if (redisGetReply(c, &raw) != REDIS_OK || raw == nullptr) return std::nullopt;
  RawReply reply(static_cast<redisReply*>(raw));
  return CopyReply(*reply);
}

}  // namespace

RedisScript::RedisScript(std::string source) : source_(std::move(source)), sha1_(Sha1Hex(source_)) {}

RedisCommand RedisCommand::Script(const RedisScript& script, std::vector<std::string> keys,
                                  std::vector<std::string> args) {
  RedisCommand c;
  c.args.reserve(3 + keys.size() + args.size());
  c.args.push_back("EVALSHA");
  c.args.push_back(script.sha1());
  c.args.push_back(std::to_string(keys.size()));
  if (!keys.empty()) c.route_key = keys.front();
  for (std::string& k : keys) c.args.push_back(std::move(k));
  for (std::string& a : args) c.args.push_back(std::move(a));
  c.script = &script;
  return c;
}

std::string_view RedisCommand::RouteKey() const {
  if (!route_key.empty()) return route_key;
  return args.size() > 1 ? std::string_view(args[1]) : std::string_view();
}

Result<RedisClusterOptions> ParseRedisClusterUrl(std::string_view url) {
  if (!StartsWith(url, kUrlScheme)) {
    return Error::BadRequest("a Redis Cluster URL is redis://host:port[,host:port...]");
  }
  RedisClusterOptions options;
  std::string_view rest = url.substr(kUrlScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) return Error::BadRequest("the Redis Cluster URL names no node");
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view one = rest.substr(0, comma);
    std::string host;
    int port = 0;
    if (!SplitAddress(one, &host, &port)) {
      return Error::BadRequest("not a host:port in the Redis Cluster URL: '" + std::string(one) +
                               "'");
    }
    options.seeds.emplace_back(one);
    if (comma == std::string_view::npos) return options;
    rest.remove_prefix(comma + 1);
  }
}

class RedisCluster::Impl {
 public:
  explicit Impl(RedisClusterOptions options)
      : options_(std::move(options)), slot_node_(kRedisSlots, -1) {}

  // Reads the slot map again; with `when_stale`, only if no other thread
  // did since it was older than slot_map_max_age_ms.
  Status RefreshSlots(bool when_stale = false);
  Result<std::vector<RedisReply>> RunAll(std::span<const RedisCommand> commands,
                                         const RedisBatchOptions& batch);
  Result<RedisReply> RunOnNode(const std::string& address, const RedisCommand& command);
  std::string MasterOf(int slot) const;
  std::vector<std::string> Masters() const;
  RedisClusterStats Stats() const;

 private:
  // One command of a batch still to be answered.
  struct Item {
    size_t index = 0;
    std::string ask;         // ASK target: sent there once, after ASKING
    bool load_script = false;  // the node did not know the script
  };
  struct Group {
    std::string address;
    std::vector<Item> items;
    Context conn;
    int replicas = 0;  // the WAIT written after the items asks for these
  };

  Result<Context> Take(const std::string& address);
  void Give(const std::string& address, Context conn);
  void Point(int slot, const std::string& address);
  int NodeIndex(const std::string& address);  // with map_mu_ held exclusively
  int ReplicasOf(const std::string& address) const;
  bool Stale() const;  // the slot map is older than slot_map_max_age_ms

  const RedisClusterOptions options_;

  mutable std::shared_mutex map_mu_;
  std::vector<int16_t> slot_node_;  // index into nodes_, -1: unserved
  std::vector<std::string> nodes_;  // masters the map points to
  std::vector<int> replicas_;       // of each of nodes_, as the map lists them
  std::vector<std::string> known_;  // every node seen, replicas too: where to refresh from

  std::mutex refresh_mu_;  // one refresh at a time
  std::atomic<int64_t> refreshed_at_ms_{0};  // steady clock, of the map in use

  std::mutex pool_mu_;
  std::unordered_map<std::string, std::vector<Context>> idle_;

  std::atomic<uint64_t> commands_{0}, batches_{0}, moved_{0}, asked_{0}, retries_{0},
      refreshes_{0}, connects_{0}, unreplicated_{0};
};

Result<Context> RedisCluster::Impl::Take(const std::string& address) {
  {
    std::lock_guard lock(pool_mu_);
    auto it = idle_.find(address);
    if (it != idle_.end() && !it->second.empty()) {
      Context c = std::move(it->second.back());
      it->second.pop_back();
      return c;
    }
  }
  std::string host;
  int port = 0;
  if (!SplitAddress(address, &host, &port)) {
    return Error::Unavailable("a Redis node's address is not host:port: " + address);
  }
  Context c(redisConnectWithTimeout(host.c_str(), port, TimevalOf(options_.connect_timeout_ms)));
  connects_.fetch_add(1, std::memory_order_relaxed);
  if (!c) return Error::Unavailable("out of memory connecting to Redis at " + address);
  if (c->err) {
    return Error::Unavailable("cannot connect to Redis at " + address + ": " + c->errstr);
  }
  redisSetTimeout(c.get(), TimevalOf(options_.command_timeout_ms));
  return c;
}

void RedisCluster::Impl::Give(const std::string& address, Context conn) {
  if (!conn || conn->err) return;
  std::lock_guard lock(pool_mu_);
  std::vector<Context>& idle = idle_[address];
  if (idle.size() < options_.idle_connections_per_node) idle.push_back(std::move(conn));
}

int RedisCluster::Impl::NodeIndex(const std::string& address) {
  auto it = std::find(nodes_.begin(), nodes_.end(), address);
  if (it != nodes_.end()) return static_cast<int>(it - nodes_.begin());
  nodes_.push_back(address);
  replicas_.push_back(0);  // until a refresh lists them
  if (std::find(known_.begin(), known_.end(), address) == known_.end()) known_.push_back(address);
  return static_cast<int>(nodes_.size() - 1);
}

void RedisCluster::Impl::Point(int slot, const std::string& address) {
  if (slot < 0 || slot >= kRedisSlots) return;
  std::unique_lock lock(map_mu_);
  slot_node_[slot] = static_cast<int16_t>(NodeIndex(address));
}

bool RedisCluster::Impl::Stale() const {
  return SteadyMillis() - refreshed_at_ms_.load(std::memory_order_relaxed) >
         options_.slot_map_max_age_ms;
}

Status RedisCluster::Impl::RefreshSlots(bool when_stale) {
  std::lock_guard refreshing(refresh_mu_);
  if (when_stale && !Stale()) return {};  // another thread just did
  std::vector<std::string> candidates;
  {
    std::shared_lock lock(map_mu_);
    candidates = known_;
  }
  for (const std::string& seed : options_.seeds) {
    if (std::find(candidates.begin(), candidates.end(), seed) == candidates.end()) {
      candidates.push_back(seed);
    }
  }
  std::string last_error = "no node to ask";
  for (const std::string& address : candidates) {
    auto conn = Take(address);
    if (!conn) {
      last_error = conn.error().message;
      continue;
    }
    Append(conn->get(), {"CLUSTER", "SLOTS"});
    std::optional<RedisReply> reply;
    if (Flush(conn->get())) reply = ReadReply(conn->get());
    if (!reply || reply->type != RedisReply::Type::kArray) {
      last_error = "no slot map from " + address;
      continue;
    }
    Give(address, std::move(conn).value());
    std::string asked_host;
    int asked_port = 0;
    SplitAddress(address, &asked_host, &asked_port);
    // [[start, end, [host, port, id], [replica host, port, id]...], ...]
    std::vector<int16_t> slots(kRedisSlots, -1);
    std::vector<std::string> nodes, known;
    std::vector<int> replicas;
    auto address_of = [&](const RedisReply& node) -> std::string {
      if (node.type != RedisReply::Type::kArray || node.elements.size() < 2) return "";
      std::string host = node.elements[0].str;
      if (host.empty() || host == "?") host = asked_host;
      return host + ":" + std::to_string(node.elements[1].integer);
    };
    for (const RedisReply& range : reply->elements) {
      if (range.type != RedisReply::Type::kArray || range.elements.size() < 3) continue;
      const int64_t start = range.elements[0].integer, end = range.elements[1].integer;
      const std::string master = address_of(range.elements[2]);
      if (master.empty() || start < 0 || end >= kRedisSlots || start > end) continue;
      auto it = std::find(nodes.begin(), nodes.end(), master);
      const int16_t index = static_cast<int16_t>(it - nodes.begin());
      if (it == nodes.end()) {
        nodes.push_back(master);
        replicas.push_back(static_cast<int>(range.elements.size()) - 3);
      }
      std::fill(slots.begin() + start, slots.begin() + end + 1, index);
      for (size_t i = 2; i < range.elements.size(); ++i) {
        const std::string node = address_of(range.elements[i]);
        if (!node.empty() && std::find(known.begin(), known.end(), node) == known.end()) {
          known.push_back(node);
        }
      }
    }
    if (nodes.empty()) {
      last_error = address + " serves no slot";
      continue;
    }
    // Nodes that left the map stay worth asking, after the current ones.
    {
      std::shared_lock lock(map_mu_);
      for (const std::string& node : known_) {
        if (std::find(known.begin(), known.end(), node) == known.end()) known.push_back(node);
      }
    }
    std::unique_lock lock(map_mu_);
    slot_node_ = std::move(slots);
    nodes_ = std::move(nodes);
    replicas_ = std::move(replicas);
    refreshed_at_ms_.store(SteadyMillis(), std::memory_order_relaxed);
    known_ = std::move(known);
    refreshes_.fetch_add(1, std::memory_order_relaxed);
    return {};
  }
  return Error::Unavailable("no node of the Redis cluster gave its slot map (" + last_error + ")");
}

std::string RedisCluster::Impl::MasterOf(int slot) const {
  if (slot < 0 || slot >= kRedisSlots) return "";
  std::shared_lock lock(map_mu_);
  const int16_t node = slot_node_[slot];
  return node < 0 ? std::string() : nodes_[node];
}

int RedisCluster::Impl::ReplicasOf(const std::string& address) const {
  std::shared_lock lock(map_mu_);
  auto it = std::find(nodes_.begin(), nodes_.end(), address);
  return it == nodes_.end() ? 0 : replicas_[it - nodes_.begin()];
}

std::vector<std::string> RedisCluster::Impl::Masters() const {
  std::shared_lock lock(map_mu_);
  std::vector<std::string> masters;
  for (int16_t node : slot_node_) {
    if (node >= 0 && std::find(masters.begin(), masters.end(), nodes_[node]) == masters.end()) {
      masters.push_back(nodes_[node]);
    }
  }
  return masters;
}

Result<std::vector<RedisReply>> RedisCluster::Impl::RunAll(std::span<const RedisCommand> commands,
                                                           const RedisBatchOptions& batch) {
  batches_.fetch_add(1, std::memory_order_relaxed);
  commands_.fetch_add(commands.size(), std::memory_order_relaxed);
  if (Stale()) {
    (void)RefreshSlots(/*when_stale=*/true);  // a failure leaves the map in use
  }
  std::vector<RedisReply> replies(commands.size());
  std::vector<Item> todo(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) todo[i].index = i;

  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(options_.retry_window_ms);
  int pause_ms = kFirstPauseMs;
  std::string last_trouble;
  for (int round = 0; !todo.empty(); ++round) {
    if (round >= kMaxRounds) {
      return Error::Unavailable("the Redis cluster kept redirecting a batch (" + last_trouble + ")");
    }
    // Route: group by node, in the order items came.
    std::vector<Group> groups;
    std::vector<Item> again;
    bool pause = false, refresh = false;
    for (Item& item : todo) {
      std::string address = item.ask;
      if (address.empty()) address = MasterOf(RedisHashSlot(commands[item.index].RouteKey()));
      if (address.empty()) {
        last_trouble = "a slot is not served";
        again.push_back(std::move(item));
        pause = refresh = true;
        continue;
      }
      auto g = std::find_if(groups.begin(), groups.end(),
                            [&](const Group& x) { return x.address == address; });
      if (g == groups.end()) {
        groups.push_back(Group{address, {}, nullptr, 0});
        g = groups.end() - 1;
      }
      g->items.push_back(std::move(item));
    }
    // Write every group before reading any reply.
    for (Group& g : groups) {
      auto conn = Take(g.address);
      if (!conn) {
        last_trouble = conn.error().message;
        continue;
      }
      g.conn = std::move(conn).value();
      for (const Item& item : g.items) {
        const RedisCommand& command = commands[item.index];
        if (item.load_script) Append(g.conn.get(), {"SCRIPT", "LOAD", command.script->source()});
        if (!item.ask.empty()) Append(g.conn.get(), {"ASKING"});
        Append(g.conn.get(), command.args);
      }
      g.replicas = std::min(batch.replicas, ReplicasOf(g.address));
      if (g.replicas > 0) {
        Append(g.conn.get(),
               {"WAIT", std::to_string(g.replicas), std::to_string(batch.replica_wait_ms)});
      }
      if (!Flush(g.conn.get())) {
        last_trouble = "cannot write to Redis at " + g.address;
        g.conn.reset();
      }
    }
    // Read, and sort each answer into done or again. With replicas
    // asked for, a group's answers count once its WAIT is answered.
    for (Group& g : groups) {
      bool broken = !g.conn;
      std::vector<std::pair<size_t, RedisReply>> answered;
      for (Item& item : g.items) {
        const RedisCommand& command = commands[item.index];
        std::optional<RedisReply> reply;
        if (!broken) {
          bool preamble_ok = true;
          if (item.load_script) preamble_ok = ReadReply(g.conn.get()).has_value();
          if (preamble_ok && !item.ask.empty()) preamble_ok = ReadReply(g.conn.get()).has_value();
          if (preamble_ok) reply = ReadReply(g.conn.get());
          if (!reply) {
            broken = true;
            last_trouble = "lost the connection to Redis at " + g.address;
          }
        }
        if (broken) {
          item.ask.clear();
          item.load_script = false;
          again.push_back(std::move(item));
          pause = refresh = true;
          continue;
        }
        Redirect redirect;
        switch (Classify(*reply, command.script != nullptr, &redirect)) {
          case Verdict::kAnswer:
            answered.emplace_back(item.index, std::move(*reply));
            continue;
          case Verdict::kMoved:
            moved_.fetch_add(1, std::memory_order_relaxed);
            Point(redirect.slot, redirect.address);
            item.ask.clear();
            item.load_script = false;
            refresh = true;
            break;
          case Verdict::kAsk:
            asked_.fetch_add(1, std::memory_order_relaxed);
            item.ask = redirect.address;
            item.load_script = false;
            break;
          case Verdict::kBusy:
            item.ask.clear();
            item.load_script = false;
            pause = refresh = true;
            break;
          case Verdict::kNoScript:
            item.load_script = true;  // on the same node: ASK target or master
            break;
        }
        last_trouble = reply->str;
        again.push_back(std::move(item));
      }
      if (g.replicas > 0) {
        bool acknowledged = false;
        if (!broken) {
          const std::optional<RedisReply> acked = ReadReply(g.conn.get());
          if (!acked) {
            broken = true;
            last_trouble = "lost the connection to Redis at " + g.address + " awaiting replicas";
            pause = refresh = true;
          } else {
            acknowledged = true;
            if (acked->integer < g.replicas) {
              unreplicated_.fetch_add(1, std::memory_order_relaxed);
            }
          }
        }
        if (!acknowledged) {
          // What a master that died answered may not have reached its
          // replica: all of it again.
          for (auto& [index, reply] : answered) again.push_back(Item{index, "", false});
          answered.clear();
        }
      }
      for (auto& [index, reply] : answered) replies[index] = std::move(reply);
      if (!broken) Give(g.address, std::move(g.conn));
    }
    retries_.fetch_add(again.size(), std::memory_order_relaxed);
    todo = std::move(again);
    if (todo.empty()) break;
    if (pause) {
      if (SteadyClock::now() + std::chrono::milliseconds(pause_ms) > deadline) {
        return Error::Unavailable("the Redis cluster did not answer in time (" + last_trouble + ")");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
      pause_ms = std::min(pause_ms * 2, kLongestPauseMs);
    }
    if (refresh) (void)RefreshSlots();  // a failed refresh leaves the map to the next round
  }
  return replies;
}

Result<RedisReply> RedisCluster::Impl::RunOnNode(const std::string& address,
                                                 const RedisCommand& command) {
  commands_.fetch_add(1, std::memory_order_relaxed);
  auto conn = Take(address);
  if (!conn) return std::move(conn).error();
  Append(conn->get(), command.args);
  std::optional<RedisReply> reply;
  if (Flush(conn->get())) reply = ReadReply(conn->get());
  if (!reply) return Error::Unavailable("lost the connection to Redis at " + address);
  Give(address, std::move(conn).value());
  return std::move(*reply);
}

RedisClusterStats RedisCluster::Impl::Stats() const {
  RedisClusterStats s;
  s.commands = commands_.load(std::memory_order_relaxed);
  s.batches = batches_.load(std::memory_order_relaxed);
  s.moved = moved_.load(std::memory_order_relaxed);
  s.asked = asked_.load(std::memory_order_relaxed);
  s.retries = retries_.load(std::memory_order_relaxed);
  s.slot_refreshes = refreshes_.load(std::memory_order_relaxed);
  s.connects = connects_.load(std::memory_order_relaxed);
  s.unreplicated = unreplicated_.load(std::memory_order_relaxed);
  return s;
}

Result<std::unique_ptr<RedisCluster>> RedisCluster::Connect(RedisClusterOptions options) {
  if (options.seeds.empty()) return Error::BadRequest("no Redis Cluster node to connect to");
  auto impl = std::make_unique<Impl>(std::move(options));
  if (Status s = impl->RefreshSlots(); !s) return std::move(s).error();
  return std::unique_ptr<RedisCluster>(new RedisCluster(std::move(impl)));
}

RedisCluster::RedisCluster(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RedisCluster::~RedisCluster() = default;

Result<RedisReply> RedisCluster::Run(const RedisCommand& command) {
  auto replies = impl_->RunAll({&command, 1}, {});
  if (!replies) return std::move(replies).error();
  return std::move(replies->front());
}

Result<std::vector<RedisReply>> RedisCluster::RunAll(std::span<const RedisCommand> commands,
                                                     const RedisBatchOptions& options) {
  if (commands.empty()) return std::vector<RedisReply>();
  return impl_->RunAll(commands, options);
}

Result<std::vector<RedisReply>> RedisCluster::RunOnMasters(const RedisCommand& command) {
  std::vector<RedisReply> replies;
  for (const std::string& master : impl_->Masters()) {
    auto reply = impl_->RunOnNode(master, command);
    if (!reply) return std::move(reply).error();
    replies.push_back(std::move(reply).value());
  }
  return replies;
}

Result<RedisReply> RedisCluster::RunOnNode(const std::string& address,
                                           const RedisCommand& command) {
  return impl_->RunOnNode(address, command);
}

Status RedisCluster::RefreshSlots() { return impl_->RefreshSlots(); }
std::string RedisCluster::MasterOf(int slot) const { return impl_->MasterOf(slot); }
std::vector<std::string> RedisCluster::Masters() const { return impl_->Masters(); }
RedisClusterStats RedisCluster::Stats() const { return impl_->Stats(); }

}  // namespace chirp
