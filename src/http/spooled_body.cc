#include "http/spooled_body.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace chirp {

Result<std::unique_ptr<SpooledBody>> SpooledBody::Create(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    // A file system without unnamed files: a named one, unlinked at once.
    std::string path = dir + "/upload-XXXXXX";
    fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(path.c_str());
  }
  if (fd < 0) {
    return Error::Unavailable("cannot make a file for an upload in " + dir + ": " +
                              std::strerror(errno));
  }
  return std::unique_ptr<SpooledBody>(new SpooledBody(fd));
}

SpooledBody::~SpooledBody() {
  if (map_ != nullptr) ::munmap(map_, size_);
  ::close(fd_);
}

bool SpooledBody::Append(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    size_ += static_cast<size_t>(n);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool SpooledBody::Finish() {
  if (size_ == 0) return true;
  void* map = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd_, 0);
  if (map == MAP_FAILED) return false;
  map_ = map;
  return true;
}

std::string_view SpooledBody::view() const {
  if (map_ == nullptr) return {};
  return {static_cast<const char*>(map_), size_};
}

}  // namespace chirp
