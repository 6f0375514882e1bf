// Where the files of uploads live. The embedded deployment keeps them in a
// directory under its data directory; the scaled-out one in a directory
// every instance shares (a network file system), since any instance may be
// asked to serve a file another one wrote.
//
// A file's name is relative: the upload's key (32 hexadecimal digits, 128
// random bits) and the version ("<key>/original.jpg"); IsMediaFileName
// says which names are valid. Thread-safe; calls block on the disk.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"

namespace chirp {

// An open file, closed when the last holder lets it go.
class OpenMediaFile {
 public:
  OpenMediaFile(int fd, uint64_t size, int64_t modified_ns)
      : fd_(fd), size_(size), modified_ns_(modified_ns) {}
  ~OpenMediaFile();
  OpenMediaFile(const OpenMediaFile&) = delete;
  OpenMediaFile& operator=(const OpenMediaFile&) = delete;

  int fd() const { return fd_; }
  uint64_t size() const { return size_; }
  int64_t modified_ns() const { return modified_ns_; }

 private:
  int fd_;
  uint64_t size_;
  int64_t modified_ns_;
};

// Whether `name` is a media file's name: "<32 hex digits>/<version>.<ext>",
// the version and extension of lower-case letters and digits. Nothing else
// reaches the disk, so that no path can climb out of the storage.
bool IsMediaFileName(std::string_view name);

class MediaStorage {
 public:
  virtual ~MediaStorage() = default;
  // Writes `bytes` as `name`, whole or not at all, durably.
  virtual Status Put(std::string_view name, std::string_view bytes) = 0;
  // Moves the file at `path` (a large one, made on local disk) to `name`,
  // whole or not at all, durably; `path` is gone when it returns Ok.
  virtual Status PutFile(std::string_view name, const std::string& path) = 0;
  // Removes `name`; Ok when it is not there.
  virtual Status Remove(std::string_view name) = 0;
  // Opens `name` for reading: kNotFound when it is not there.
  virtual Result<std::shared_ptr<const OpenMediaFile>> Open(std::string_view name) = 0;
};

// Files in a directory: "<root>/<first two digits of the key>/<name>", so
// that no directory holds more than a few thousand entries.
class LocalMediaStorage final : public MediaStorage {
 public:
  // Creates `root` when it is missing.
  static Result<std::unique_ptr<LocalMediaStorage>> Create(std::string root);

  Status Put(std::string_view name, std::string_view bytes) override;
  Status PutFile(std::string_view name, const std::string& path) override;
  Status Remove(std::string_view name) override;
  Result<std::shared_ptr<const OpenMediaFile>> Open(std::string_view name) override;

 private:
  explicit LocalMediaStorage(std::string root) : root_(std::move(root)) {}
  std::string PathOf(std::string_view name) const;

  const std::string root_;
};

}  // namespace chirp
