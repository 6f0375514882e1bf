#include "core/thread_entry.h"

#include <cstdio>
#include <cstdlib>

#include "core/thread_name.h"

namespace chirp {

void ExitOnThreadFailure(std::string_view name, std::string_view what) noexcept {
  std::fprintf(stderr, "chirpd: thread %.*s failed: %.*s; exiting\n", static_cast<int>(name.size()),
               name.data(), static_cast<int>(what.size()), what.data());
  std::fflush(stderr);
  // No destructors: other threads still run, and what they hold is the
  // store's to recover on the next start.
  std::_Exit(kThreadFailureExitCode);
}

std::string DescribeFailure(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

void RunThread(std::string_view name, const std::function<void()>& body) noexcept {
  NameThisThread(name);
  try {
    body();
  } catch (...) {
    ExitOnThreadFailure(name, DescribeFailure(std::current_exception()));
  }
}

}  // namespace chirp
