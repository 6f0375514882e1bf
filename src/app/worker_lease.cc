#include "app/worker_lease.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

namespace chirp {
namespace {

// Opens and locks the id's file: the descriptor, -1 when another holds the
// lock, or an error for anything else.
Result<int> TryLock(const std::string& data_dir, int64_t worker_id) {
  const std::filesystem::path dir = std::filesystem::path(data_dir) / "workers";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error::Unavailable("cannot create " + dir.string() + ": " + ec.message());
  const std::string path = (dir / (std::to_string(worker_id) + ".lock")).string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Error::Unavailable("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
  const int err = errno;
  ::close(fd);
  if (err == EWOULDBLOCK) return -1;
  return Error::Unavailable("cannot lock " + path + ": " + std::strerror(err));
}

}  // namespace

Result<WorkerLease> WorkerLease::Hold(const std::string& data_dir, int64_t worker_id) {
  auto fd = TryLock(data_dir, worker_id);
  if (!fd) return std::move(fd).error();
  if (*fd < 0) {
    return Error::Unavailable("worker id " + std::to_string(worker_id) +
                              " is in use by another process on " + data_dir +
                              ": give each process a distinct --worker-id");
  }
  return WorkerLease(*fd, worker_id);
}

Result<WorkerLease> WorkerLease::HoldFree(const std::string& data_dir, int64_t lowest,
                                          int64_t highest) {
  for (int64_t id = highest; id >= lowest; --id) {
    auto fd = TryLock(data_dir, id);
    if (!fd) return std::move(fd).error();
    if (*fd >= 0) return WorkerLease(*fd, id);
  }
  return Error::Unavailable("every worker id from " + std::to_string(lowest) + " to " +
                            std::to_string(highest) + " is in use on " + data_dir);
}

WorkerLease::WorkerLease(WorkerLease&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), worker_id_(other.worker_id_) {}

WorkerLease& WorkerLease::operator=(WorkerLease&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    worker_id_ = other.worker_id_;
  }
  return *this;
}

WorkerLease::~WorkerLease() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the lock
}

}  // namespace chirp
