#include "media/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace chirp {

namespace {

constexpr size_t kErrorTail = 4096;

void CloseBoth(int fds[2]) {
  if (fds[0] >= 0) ::close(fds[0]);
  if (fds[1] >= 0) ::close(fds[1]);
}

// In the child, between fork and exec: async-signal-safe calls only.
[[noreturn]] void BecomeChild(char* const* argv, const ChildLimits& limits, int out, int err,
                              const std::vector<int>& inherit) {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);  // the server blocks its stop signals
  struct sigaction pipe_default = {};
  pipe_default.sa_handler = SIG_DFL;
  ::sigaction(SIGPIPE, &pipe_default, nullptr);  // and ignores SIGPIPE
  const rlimit memory{limits.address_space_bytes, limits.address_space_bytes};
  ::setrlimit(RLIMIT_AS, &memory);
  const rlimit cpu{static_cast<rlim_t>(limits.cpu_seconds),
                   static_cast<rlim_t>(limits.cpu_seconds) + 1};
  ::setrlimit(RLIMIT_CPU, &cpu);
  ::setpriority(PRIO_PROCESS, 0, 10);  // the server's own threads come first
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  const int null = ::open("/dev/null", O_RDONLY);
  ::dup2(null, 0);
  ::dup2(out, 1);
  ::dup2(err, 2);
  // The inherited descriptors as 3, 4, ...: first moved above the range
  // they land in, so that no dup2 overwrites one still to be moved.
  int moved[16];
  const size_t n = std::min<size_t>(inherit.size(), 16);
  for (size_t i = 0; i < n; ++i) moved[i] = ::fcntl(inherit[i], F_DUPFD, 64);
  for (size_t i = 0; i < n; ++i) ::dup2(moved[i], static_cast<int>(3 + i));
  ::close_range(static_cast<unsigned>(3 + n), ~0U, 0);
  ::execvp(argv[0], argv);
  ::_exit(127);
}

}  // namespace

Result<ChildResult> RunChild(const std::vector<std::string>& argv, const ChildLimits& limits,
                             const std::vector<int>& inherit) {
  if (argv.empty() || inherit.size() > 16) return Error::Internal("RunChild: bad arguments");
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    CloseBoth(out);
    CloseBoth(err);
    return Error::Internal(std::string("cannot make a pipe: ") + std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    CloseBoth(out);
    CloseBoth(err);
    return Error::Internal(std::string("cannot start ") + argv[0] + ": " + std::strerror(errno));
  }
  if (pid == 0) BecomeChild(args.data(), limits, out[1], err[1], inherit);
  ::close(out[1]);
  ::close(err[1]);

  ChildResult result;
  const auto deadline = std::chrono::steady_clock::now() + limits.wall_time;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open = 2;
  char buffer[16384];
  while (open > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    const int ready = ::poll(fds, 2, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    for (int i = 0; i < 2 && ready > 0; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
        continue;
      }
      std::string& to = i == 0 ? result.output : result.errors;
      if (i == 0) {
        to.append(buffer,
                  std::min<size_t>(n, limits.max_output - std::min(limits.max_output, to.size())));
      } else {
        to.append(buffer, static_cast<size_t>(n));
        if (to.size() > 2 * kErrorTail) to.erase(0, to.size() - kErrorTail);
      }
    }
  }
  for (const pollfd& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  if (result.timed_out) result.exit_code = -1;
  if (result.errors.size() > kErrorTail) result.errors.erase(0, result.errors.size() - kErrorTail);
  return result;
}

}  // namespace chirp
