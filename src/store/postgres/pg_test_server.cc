#include "store/postgres/pg_test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_store.h"

namespace chirp {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTemplate = "chirp_template";
constexpr int kStartTries = 3;       // a port taken between choosing it and binding it
constexpr int kReadyWaitMs = 30000;  // initdb done, the server accepts within this

// The newest PostgreSQL server installed the Debian way.
Result<std::string> ServerBin() {
  std::string best;
  int best_version = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version && fs::exists(entry.path() / "bin" / "initdb")) {
      best_version = version;
      best = (entry.path() / "bin").string();
    }
  }
  if (best.empty()) {
    return Error::Unavailable(
        "no PostgreSQL server in /usr/lib/postgresql (scripts/setup.sh installs postgresql-15)");
  }
  return best;
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0) ::close(fd);
  return port;
}

// Who the server runs as: root cannot; the postgres system user can.
struct RunAs {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

Result<RunAs> ServerUser() {
  if (::geteuid() != 0) return RunAs{};
  const passwd* pw = ::getpwnam("postgres");
  if (!pw) return Error::Unavailable("running as root and no 'postgres' user to run PostgreSQL as");
  return RunAs{true, pw->pw_uid, pw->pw_gid};
}

// Starts `argv` as `as`, its output into `log`, killed with SIGTERM when
// this process dies. Returns the child's pid.
Result<pid_t> Spawn(const RunAs& as, const std::vector<std::string>& argv, const std::string& log) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return Error::Unavailable("fork failed");
  if (pid == 0) {
    if (as.switch_user && (::setgid(as.gid) != 0 || ::setuid(as.uid) != 0)) _exit(126);
    // After the change of user, which would clear it.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) _exit(125);
    FILE* out = std::freopen(log.c_str(), "a", stdout);
    if (out) ::dup2(::fileno(stdout), 2);
    ::execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::mutex g_mu;
std::unique_ptr<PgTestServer> g_server;  // guarded by g_mu

}  // namespace

Result<PgTestServer*> PgTestServer::Get() {
  std::lock_guard lock(g_mu);
  if (g_server) return g_server.get();
  auto server = std::unique_ptr<PgTestServer>(new PgTestServer());
  if (const char* given = std::getenv("CHIRP_TEST_POSTGRES"); given && *given) {
    server->base_conninfo_ = given;
    server->admin_conninfo_ = given;
  } else if (Status s = server->Start(); !s) {
    return std::move(s).error();
  }
  if (Status s = server->MakeTemplate(); !s) return std::move(s).error();
  g_server = std::move(server);
  // Stopped when the process exits normally; a crash leaves it to the
  // parent-death signal.
  std::atexit([] {
    std::lock_guard lock(g_mu);
    g_server.reset();
  });
  return g_server.get();
}

Status PgTestServer::Start() {
  auto bin = ServerBin();
  if (!bin) return std::move(bin).error();
  auto as = ServerUser();
  if (!as) return std::move(as).error();
  char pattern[] = "/tmp/chirp-pg-XXXXXX";
  if (!::mkdtemp(pattern)) return Error::Unavailable("cannot make a temporary directory");
  dir_ = pattern;
  if (as->switch_user && ::chown(dir_.c_str(), as->uid, as->gid) != 0) {
    return Error::Unavailable("cannot give " + dir_ + " to the postgres user");
  }
  const std::string data = dir_ + "/data";
  auto initdb = Spawn(*as,
                      {*bin + "/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                       "--locale=C", "--no-sync", "--no-instructions"},
                      dir_ + "/initdb.log");
  if (!initdb) return std::move(initdb).error();
  int status = 0;
  ::waitpid(*initdb, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Error::Unavailable("initdb failed: " + Slurp(dir_ + "/initdb.log"));
  }
  host_ = "127.0.0.1";
  for (int attempt = 0; attempt < kStartTries; ++attempt) {
    port_ = FreePort();
    // Tests need no durability: no flushes to disk at all.
    auto server = Spawn(*as,
                        {*bin + "/postgres",
                         "-D",
                         data,
                         "-c",
                         "listen_addresses=127.0.0.1",
                         "-c",
                         "port=" + std::to_string(port_),
                         "-c",
                         "unix_socket_directories=" + dir_,
                         "-c",
                         "fsync=off",
                         "-c",
                         "synchronous_commit=off",
                         "-c",
                         "full_page_writes=off",
                         "-c",
                         "max_connections=200",
                         "-c",
                         "shared_buffers=128MB",
                         "-c",
                         "logging_collector=off"},
                        dir_ + "/server.log");
    if (!server) return std::move(server).error();
    pid_ = *server;
    base_conninfo_ =
        "host=" + host_ + " port=" + std::to_string(port_) + " user=postgres connect_timeout=5";
    admin_conninfo_ = ConninfoOf("postgres");
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kReadyWaitMs);
    while (std::chrono::steady_clock::now() < deadline) {
      if (PgConn::Connect({admin_conninfo_, false})) return {};
      if (::waitpid(pid_, &status, WNOHANG) == pid_) break;  // it exited: the port, say
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
  }
  return Error::Unavailable("PostgreSQL did not start: " + Slurp(dir_ + "/server.log"));
}

std::string PgTestServer::ConninfoOf(const std::string& database) const {
  return base_conninfo_ + " dbname=" + database;
}

Status PgTestServer::MakeTemplate() {
  auto admin = PgConn::Connect({admin_conninfo_, false});
  if (!admin) return std::move(admin).error();
  const std::string name = kTemplate + std::to_string(::getpid());
  (void)(*admin)->Script("DROP DATABASE IF EXISTS " + name);
  if (Status s = (*admin)->Script("CREATE DATABASE " + name); !s) return s;
  {
    auto store = PgStore::Open({.conninfo = ConninfoOf(name), .connections = 1});
    if (!store) return std::move(store).error();
  }
  return {};
}

Result<std::string> PgTestServer::CreateFrom(const char* template_name) {
  auto admin = PgConn::Connect({admin_conninfo_, false});
  if (!admin) return std::move(admin).error();
  const std::string name =
      "chirp_test_" + std::to_string(::getpid()) + "_" + std::to_string(++databases_);
  if (Status s = (*admin)->Script("CREATE DATABASE " + name + " TEMPLATE " + template_name); !s) {
    return std::move(s).error();
  }
  return ConninfoOf(name);
}

Result<std::string> PgTestServer::CreateDatabase() {
  std::lock_guard lock(g_mu);
  return CreateFrom((kTemplate + std::to_string(::getpid())).c_str());
}

Result<std::string> PgTestServer::CreateEmptyDatabase() {
  std::lock_guard lock(g_mu);
  return CreateFrom("template0");
}

Result<std::string> PgTestServer::PooledConninfo(const std::string& conninfo) {
  {
    std::lock_guard lock(g_mu);
    if (pooler_port_ == 0) {
      if (Status s = StartPooler(); !s) return std::move(s).error();
    }
  }
  const size_t at = conninfo.rfind("dbname=");
  if (at == std::string::npos) return Error::BadRequest("no dbname in " + conninfo);
  return "host=127.0.0.1 port=" + std::to_string(pooler_port_) +
         " user=postgres connect_timeout=5 " + conninfo.substr(at);
}

Status PgTestServer::StartPooler() {
  if (pid_ == 0) {
    return Error::Unavailable("the pooler runs in front of a server this process started");
  }
  const std::string bin = "/usr/sbin/pgbouncer";
  if (!fs::exists(bin)) {
    return Error::Unavailable("no pgbouncer (scripts/setup.sh installs it)");
  }
  auto as = ServerUser();
  if (!as) return std::move(as).error();
  for (int attempt = 0; attempt < kStartTries; ++attempt) {
    const int port = FreePort();
    const std::string config = dir_ + "/pgbouncer.ini";
    {
      std::ofstream users(dir_ + "/userlist.txt");
      users << "\"postgres\" \"\"\n";
      // Transaction mode, as an operator's pooler in front of many
      // instances: each transaction may get another server connection.
      std::ofstream ini(config);
      ini << "[databases]\n* = host=127.0.0.1 port=" << port_ << " user=postgres\n"
          << "[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = " << port
          << "\nunix_socket_dir =\nauth_type = trust\nauth_file = " << dir_
          << "/userlist.txt\npool_mode = transaction\nmax_client_conn = 400\n"
          << "default_pool_size = 20\nlogfile = " << dir_ << "/pgbouncer.log\n";
    }
    auto pooler = Spawn(*as, {bin, config}, dir_ + "/pgbouncer.out");
    if (!pooler) return std::move(pooler).error();
    pooler_pid_ = *pooler;
    const std::string probe =
        "host=127.0.0.1 port=" + std::to_string(port) + " user=postgres dbname=postgres";
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kReadyWaitMs);
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (PgConn::Connect({probe, false})) {
        pooler_port_ = port;
        return {};
      }
      if (::waitpid(pooler_pid_, &status, WNOHANG) == pooler_pid_) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pooler_pid_, SIGKILL);
    ::waitpid(pooler_pid_, &status, 0);
    pooler_pid_ = 0;
  }
  return Error::Unavailable("pgbouncer did not start: " + Slurp(dir_ + "/pgbouncer.log") +
                            Slurp(dir_ + "/pgbouncer.out"));
}

PgTestServer::~PgTestServer() {
  if (pooler_pid_ > 0) {
    ::kill(pooler_pid_, SIGTERM);
    int status = 0;
    ::waitpid(pooler_pid_, &status, 0);
  }
  if (pid_ > 0) {
    ::kill(pid_, SIGINT);  // a fast shutdown: disconnects clients, no checkpoint wait
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

}  // namespace chirp
