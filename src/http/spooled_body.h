// A request body written to disk as it arrives, so that a large upload is
// never held in memory: an unnamed temporary file (gone when closed, even
// after a crash), mapped for reading once the body is complete. Its pages
// are the kernel's page cache, which it reclaims under pressure.
//
// Not thread-safe while written (one connection writes it); read-only and
// safe to share once Finish() succeeded.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"

namespace chirp {

class SpooledBody {
 public:
  // An empty body in a new unnamed file in `dir`.
  static Result<std::unique_ptr<SpooledBody>> Create(const std::string& dir);
  ~SpooledBody();
  SpooledBody(const SpooledBody&) = delete;
  SpooledBody& operator=(const SpooledBody&) = delete;

  // Appends `bytes`; false when the disk refused them.
  bool Append(std::string_view bytes);
  // Maps what was written, for view(); false when it cannot be.
  bool Finish();
  // The whole body, once finished.
  std::string_view view() const;
  size_t size() const { return size_; }

 private:
  explicit SpooledBody(int fd) : fd_(fd) {}

  int fd_;
  size_t size_ = 0;
  void* map_ = nullptr;
};

}  // namespace chirp
