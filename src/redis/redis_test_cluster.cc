#include "redis/redis_test_cluster.h"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

namespace chirp {
namespace {

namespace fs = std::filesystem;

// Runs `command` through the shell; its last line of output, or an error
// with all of it.
Result<std::string> LastLineOf(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return Error::Unavailable("cannot run " + command);
  std::string output;
  std::array<char, 4096> buffer;
  while (size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  while (!output.empty() && output.back() == '\n') output.pop_back();
  if (status != 0) return Error::Unavailable(command + " failed:\n" + output);
  const size_t newline = output.rfind('\n');
  return newline == std::string::npos ? output : output.substr(newline + 1);
}

std::string Script() { return std::string(CHIRP_SOURCE_DIR) + "/scripts/redis.sh"; }

}  // namespace

Result<std::unique_ptr<RedisTestCluster>> RedisTestCluster::Start() {
  std::string templ = (fs::temp_directory_path() / "chirp-redis-XXXXXX").string();
  if (!::mkdtemp(templ.data())) return Error::Unavailable("cannot make a temporary directory");
  std::unique_ptr<RedisTestCluster> cluster(new RedisTestCluster());
  cluster->dir_ = templ;
  auto url = LastLineOf(Script() + " start " + templ + " --owner " + std::to_string(::getpid()));
  if (!url) return std::move(url).error();
  cluster->url_ = *url;
  return cluster;
}

Result<std::unique_ptr<RedisCluster>> RedisTestCluster::ConnectShared() {
  auto cluster = Shared();
  if (!cluster) return std::move(cluster).error();
  return (*cluster)->Connect();
}

Result<RedisTestCluster*> RedisTestCluster::Shared() {
  static std::mutex mu;
  static std::unique_ptr<RedisTestCluster> shared;
  std::lock_guard lock(mu);
  if (shared) return shared.get();
  if (const char* external = std::getenv("CHIRP_TEST_REDIS"); external && *external) {
    shared.reset(new RedisTestCluster());
    shared->url_ = external;
    return shared.get();
  }
  auto started = Start();
  if (!started) return std::move(started).error();
  shared = std::move(started).value();
  return shared.get();
}

RedisTestCluster::~RedisTestCluster() {
  if (!dir_.empty()) (void)LastLineOf(Script() + " stop " + dir_);
}

Result<std::unique_ptr<RedisCluster>> RedisTestCluster::Connect(int retry_window_ms) const {
  auto options = ParseRedisClusterUrl(url_);
  if (!options) return std::move(options).error();
  options->retry_window_ms = retry_window_ms;
  return RedisCluster::Connect(std::move(options).value());
}

std::string RedisTestCluster::Prefix() {
  static std::atomic<int> next{0};
  return "t" + std::to_string(::getpid()) + "." + std::to_string(next.fetch_add(1)) + ":";
}

Status RedisTestCluster::Kill(const std::string& address) const {
  if (dir_.empty()) return Error::Unavailable("an external cluster's nodes are not ours to kill");
  const std::string port = address.substr(address.rfind(':') + 1);
  std::ifstream pidfile(dir_ + "/node-" + port + "/pid");
  pid_t pid = 0;
  if (!(pidfile >> pid) || pid <= 0) return Error::NotFound("no node at " + address);
  if (::kill(pid, SIGKILL) != 0) return Error::Unavailable("cannot kill the node at " + address);
  return {};
}

}  // namespace chirp
