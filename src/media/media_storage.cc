#include "media/media_storage.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/secrets.h"

namespace chirp {

namespace {

namespace fs = std::filesystem;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsHexDigit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

Error DiskError(std::string_view what, std::string_view path) {
  return Error::Unavailable(std::string(what) + " " + std::string(path) + ": " +
                            std::strerror(errno));
}

// Writes all of `bytes` to `fd`.
bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Makes the directory entries written in `dir` durable.
void SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

OpenMediaFile::~OpenMediaFile() {
  if (fd_ >= 0) ::close(fd_);
}

bool IsMediaFileName(std::string_view name) {
  constexpr size_t kKey = 32;
  if (name.size() <= kKey + 1 || name[kKey] != '/') return false;
  for (size_t i = 0; i < kKey; ++i) {
    if (!IsHexDigit(name[i])) return false;
  }
  const std::string_view file = name.substr(kKey + 1);
  const size_t dot = file.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot + 1 == file.size() || file.size() > 32) {
    return false;
  }
  for (size_t i = 0; i < file.size(); ++i) {
    if (i != dot && !IsLowerAlnum(file[i])) return false;
  }
  return true;
}

Result<std::unique_ptr<LocalMediaStorage>> LocalMediaStorage::Create(std::string root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec)
    return Error::Unavailable("cannot create the media directory " + root + ": " + ec.message());
  return std::unique_ptr<LocalMediaStorage>(new LocalMediaStorage(std::move(root)));
}

std::string LocalMediaStorage::PathOf(std::string_view name) const {
  return root_ + "/" + std::string(name.substr(0, 2)) + "/" + std::string(name);
}

Status LocalMediaStorage::Put(std::string_view name, std::string_view bytes) {
  if (!IsMediaFileName(name)) return Error::Internal("not a media file name: " + std::string(name));
  const std::string path = PathOf(name);
  const std::string dir = fs::path(path).parent_path().string();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error::Unavailable("cannot create " + dir + ": " + ec.message());
  // Written aside and renamed into place, so that a reader never sees a
  // part of the file, and a crash leaves at worst a temporary file behind.
  const std::string temp = dir + "/.tmp-" + RandomHex(8);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return DiskError("cannot create", temp);
  const bool written = WriteAll(fd, bytes) && ::fsync(fd) == 0;
  const Error failure = DiskError("cannot write", temp);
  ::close(fd);
  if (!written || ::rename(temp.c_str(), path.c_str()) != 0) {
    const Error error = written ? DiskError("cannot rename", temp) : failure;
    ::unlink(temp.c_str());
    return error;
  }
  SyncDirectory(dir);
  return {};
}

Status LocalMediaStorage::PutFile(std::string_view name, const std::string& path) {
  if (!IsMediaFileName(name)) return Error::Internal("not a media file name: " + std::string(name));
  const std::string target = PathOf(name);
  const std::string dir = fs::path(target).parent_path().string();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error::Unavailable("cannot create " + dir + ": " + ec.message());
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return DiskError("cannot open", path);
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return DiskError("cannot write", path);
  if (::rename(path.c_str(), target.c_str()) != 0) {
    if (errno != EXDEV) return DiskError("cannot move", path);
    // Another file system: copied aside in the directory, then renamed.
    const std::string temp = dir + "/.tmp-" + RandomHex(8);
    fs::copy_file(path, temp, ec);
    if (ec || ::rename(temp.c_str(), target.c_str()) != 0) {
      ::unlink(temp.c_str());
      return Error::Unavailable("cannot copy " + path + " to " + target);
    }
    const int copied = ::open(target.c_str(), O_RDONLY | O_CLOEXEC);
    if (copied >= 0) {
      ::fsync(copied);
      ::close(copied);
    }
    ::unlink(path.c_str());
  }
  SyncDirectory(dir);
  return {};
}

Status LocalMediaStorage::Remove(std::string_view name) {
  if (!IsMediaFileName(name)) return Error::Internal("not a media file name: " + std::string(name));
  const std::string path = PathOf(name);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return DiskError("cannot remove", path);
  // The key's directory goes with its last file (ENOTEMPTY otherwise).
  ::rmdir(fs::path(path).parent_path().c_str());
  return {};
}

Result<std::shared_ptr<const OpenMediaFile>> LocalMediaStorage::Open(std::string_view name) {
  if (!IsMediaFileName(name)) return Error::NotFound();
  const std::string path = PathOf(name);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Error::NotFound();
    return DiskError("cannot open", path);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const Error error = DiskError("cannot read", path);
    ::close(fd);
    return error;
  }
  return std::make_shared<const OpenMediaFile>(
      fd, static_cast<uint64_t>(st.st_size),
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec);
}

}  // namespace chirp
