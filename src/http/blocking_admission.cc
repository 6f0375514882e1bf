#include "http/blocking_admission.h"

namespace chirp {

std::optional<BlockingAdmission::Clock::time_point> BlockingAdmission::Enter(
    Clock::time_point now) {
  if (waiting_.fetch_add(1) >= limit_) {
    waiting_.fetch_sub(1);
    return std::nullopt;
  }
  return now;
}

bool BlockingAdmission::Start(Clock::time_point entered, Clock::time_point now) {
  waiting_.fetch_sub(1);
  return now - entered <= deadline_;
}

}  // namespace chirp
