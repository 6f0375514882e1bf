// The whole of a thread's work, run so that nothing escapes it unseen.
//
// Chirp's threads (the network threads, the store's writer, the event
// lanes, timers and sweepers) each own work nothing else does: one that
// stopped quietly would leave requests unanswered or events unhandled with
// no trace. So what escapes one is reported on stderr with the thread's name
// and the process exits with kThreadFailureExitCode: the store is durable
// and the event stream resumes where it was, so a restart (by the operator's
// supervisor) recovers, where a process missing a thread would not.
#pragma once

#include <exception>
#include <functional>
#include <string>
#include <string_view>

namespace chirp {

// EX_SOFTWARE of sysexits.h: an internal software error.
inline constexpr int kThreadFailureExitCode = 70;

// Names the calling thread `name` (core/thread_name.h) and runs `body`; if
// it throws, reports "chirpd: thread <name> failed: <what>; exiting" and
// exits the process.
void RunThread(std::string_view name, const std::function<void()>& body) noexcept;

// Reports what escaped the thread `name` and exits the process.
[[noreturn]] void ExitOnThreadFailure(std::string_view name, std::string_view what) noexcept;

// What `failure` (not null) says: its what(), or that it is no
// std::exception.
std::string DescribeFailure(const std::exception_ptr& failure);

}  // namespace chirp
