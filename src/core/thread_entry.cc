#include "core/thread_entry.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

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

void RunThread(std::string_view name, const std::function<void()>& body) noexcept {
  NameThisThread(name);
  try {
    body();
  } catch (const std::exception& e) {
    ExitOnThreadFailure(name, e.what());
  } catch (...) {
    ExitOnThreadFailure(name, "an exception that is not a std::exception");
  }
}

}  // namespace chirp
